using MailDns.Core.Findings;
using MailDns.Core.Spf;

namespace MailDns.Core.Tests.Spf;

public class SpfLinterTests
{
    public static TheoryData<string, string, string, Severity> Rules =>
        new()
        {
            { "a record without the version tag is not SPF", "v=spf2 -all", "spf.not-spf", Severity.Error },
            { "a version tag glued to a term is not SPF", "v=spf1-all", "spf.not-spf", Severity.Error },
            { "an unknown mechanism is a syntax error", "v=spf1 foo:example.com -all", "spf.invalid-term", Severity.Error },
            { "all with an argument is a syntax error", "v=spf1 all:example.com", "spf.invalid-term", Severity.Error },
            { "include without a domain is a syntax error", "v=spf1 include -all", "spf.invalid-term", Severity.Error },
            { "an include of a single label is not a domain", "v=spf1 include:localhost -all", "spf.invalid-domain-spec", Severity.Error },
            {
                "an include with an empty label is not a domain",
                "v=spf1 include:a..example.com -all",
                "spf.invalid-domain-spec",
                Severity.Error
            },
            { "a numeric top-level label is not a domain", "v=spf1 include:example.123 -all", "spf.invalid-domain-spec", Severity.Error },
            { "an unknown macro letter is refused", "v=spf1 exists:%{x}.example.com -all", "spf.invalid-domain-spec", Severity.Error },
            { "a lone percent sign is refused", "v=spf1 exists:100%.example.com -all", "spf.invalid-domain-spec", Severity.Error },
            { "an unclosed macro is refused", "v=spf1 exists:%{i.example.com -all", "spf.invalid-domain-spec", Severity.Error },
            {
                "explanation-only macro letters are refused outside exp",
                "v=spf1 exists:%{c}.example.com -all",
                "spf.invalid-domain-spec",
                Severity.Error
            },
            { "an IPv4 address with an octet above 255 is refused", "v=spf1 ip4:192.0.2.256 -all", "spf.invalid-ip4", Severity.Error },
            { "an IPv4 address with a leading zero is refused", "v=spf1 ip4:192.0.2.01 -all", "spf.invalid-ip4", Severity.Error },
            { "an IPv4 address with three octets is refused", "v=spf1 ip4:192.0.2 -all", "spf.invalid-ip4", Severity.Error },
            { "an IPv6 address that does not parse is refused", "v=spf1 ip6:2001:db8::zz -all", "spf.invalid-ip6", Severity.Error },
            { "an IPv4 prefix above 32 is refused", "v=spf1 ip4:192.0.2.0/33 -all", "spf.invalid-cidr", Severity.Error },
            { "an IPv6 prefix above 128 is refused", "v=spf1 ip6:2001:db8::/129 -all", "spf.invalid-cidr", Severity.Error },
            { "a dual-cidr IPv6 length above 128 is refused", "v=spf1 a//129 -all", "spf.invalid-cidr", Severity.Error },
            { "a second all is never evaluated: a warning (RFC 7208 §5.1)", "v=spf1 -all -all", "spf.multiple-all", Severity.Warning },
            { "ip4:0.0.0.0/0 authorises the world like +all", "v=spf1 ip4:0.0.0.0/0 -all", "spf.world-network", Severity.Error },
            { "ip4:0.0.0.0/1 authorises half the world", "v=spf1 ip4:0.0.0.0/1 -all", "spf.world-network", Severity.Error },
            { "ip6:::/0 authorises the world like +all", "v=spf1 ip6:::/0 -all", "spf.world-network", Severity.Error },
            {
                "a zero DIGIT transformer is an error (RFC 7208 §7.3)",
                "v=spf1 exists:%{d0}.example.com -all",
                "spf.invalid-domain-spec",
                Severity.Error
            },
            { "terms after all are never evaluated", "v=spf1 -all ip4:192.0.2.1", "spf.terms-after-all", Severity.Warning },
            {
                "two redirect modifiers are a permanent error",
                "v=spf1 redirect=a.example.com redirect=b.example.com",
                "spf.duplicate-modifier",
                Severity.Error
            },
            {
                "two exp modifiers are a permanent error",
                "v=spf1 exp=a.example.com exp=b.example.com -all",
                "spf.duplicate-modifier",
                Severity.Error
            },
            { "a redirect beside all is ignored", "v=spf1 redirect=_spf.example.com -all", "spf.redirect-ignored", Severity.Warning },
            { "plus all authorises the Internet", "v=spf1 +all", "spf.pass-all", Severity.Error },
            { "a bare all is plus all", "v=spf1 all", "spf.pass-all", Severity.Error },
            { "question-mark all says nothing", "v=spf1 ip4:192.0.2.1 ?all", "spf.neutral-all", Severity.Warning },
            { "a record without all or redirect ends neutral", "v=spf1 ip4:192.0.2.1", "spf.no-all", Severity.Warning },
            { "ptr should not be used", "v=spf1 ptr -all", "spf.ptr", Severity.Warning },
            { "an unknown modifier is ignored by receivers", "v=spf1 foo=bar -all", "spf.unknown-modifier", Severity.Info },
            { "host bits beyond the prefix are masked", "v=spf1 ip4:192.0.2.1/24 -all", "spf.host-bits-set", Severity.Info },
            {
                "eleven lookups in one record exceed the limit",
                "v=spf1 " + string.Join(' ', Enumerable.Range(1, 11).Select(i => $"include:s{i}.example.com")) + " -all",
                "spf.lookup-limit",
                Severity.Error
            },
            {
                "a record above 450 octets may not fit a UDP answer",
                "v=spf1 " + string.Join(' ', Enumerable.Range(1, 30).Select(i => $"ip4:198.51.100.{i}")) + " -all",
                "spf.record-too-long",
                Severity.Warning
            },
        };

    [Theory]
    [MemberData(nameof(Rules))]
    public void Each_rule_reports_its_stable_code_and_severity(string because, string record, string code, Severity severity)
    {
        var result = SpfLinter.Lint(record);

        var finding = Assert.Single(result.Findings, f => f.Code == code);
        Assert.True(finding.Severity == severity, because);
        Assert.Equal(result.Findings.Any(f => f.Severity == Severity.Error), !result.Valid);
        if (severity == Severity.Error)
        {
            Assert.False(result.Valid, because);
        }
    }

    public static TheoryData<string, string> CleanRecords =>
        new()
        {
            { "a typical ESP record", "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 include:_spf.google.com ~all" },
            { "a record that only redirects", "v=spf1 redirect=_spf.example.com" },
            { "dual-cidr lengths on a and mx", "v=spf1 a/24//64 mx:mail.example.com/28 -all" },
            { "macros in exists and exp", "v=spf1 exists:%{ir}.%{l1r+-}._spf.%{d} exp=explain._spf.%{d} -all" },
            { "upper-case mechanisms and version", "V=SPF1 IP4:192.0.2.1 INCLUDE:example.com -ALL" },
            { "an explanation with c, r and t macros in the target domain's TXT only", "v=spf1 -all exp=%{d}.exp.example.com" },
            { "several spaces between terms", "v=spf1  ip4:192.0.2.1   -all" },
            { "a /8 that one owner holds", "v=spf1 ip4:17.0.0.0/8 ip6:2001:db8::/16 -all" },
            { "a world-wide network excluded, not authorised", "v=spf1 ip4:192.0.2.0/24 -ip4:0.0.0.0/0 -all" },
            { "a nonzero DIGIT transformer", "v=spf1 exists:%{d2}.example.com -all" },
            {
                "exactly ten lookups",
                "v=spf1 a mx ptr:example.com exists:%{i}.example.com "
                    + string.Join(' ', Enumerable.Range(1, 6).Select(i => $"include:s{i}.example.com"))
                    + " -all"
            },
        };

    [Theory]
    [MemberData(nameof(CleanRecords))]
    public void Valid_records_have_no_errors(string because, string record)
    {
        var result = SpfLinter.Lint(record);

        Assert.True(result.Valid, because + ": " + string.Join("; ", result.Findings));
    }

    [Theory]
    [InlineData("v=spf1 -all", 0)]
    [InlineData("v=spf1 ip4:192.0.2.1 ip6:::1 -all", 0)]
    [InlineData("v=spf1 a mx include:a.example.com exists:%{i}.example.com ptr -all", 5)]
    [InlineData("v=spf1 include:a.example.com redirect=b.example.com", 2)]
    [InlineData("v=spf1 include:a.example.com redirect=b.example.com -all", 1)]
    public void Lookups_count_the_dns_querying_terms_of_the_record_alone(string record, int expected)
    {
        Assert.Equal(expected, SpfLinter.Lint(record).Lookups);
    }

    [Fact]
    public void A_character_string_above_255_octets_is_an_error_even_when_the_joined_record_is_valid()
    {
        var longRecord = "v=spf1 " + string.Join(' ', Enumerable.Range(1, 20).Select(i => $"ip4:198.51.100.{i}")) + " -all";

        var asOneString = SpfLinter.Lint([longRecord]);
        var split = SpfLinter.Lint(MailDns.Core.Txt.TxtStrings.Split(longRecord));

        Assert.Contains(asOneString.Findings, f => f.Code == "spf.string-too-long");
        Assert.DoesNotContain(split.Findings, f => f.Code == "spf.string-too-long");
    }

    [Fact]
    public void Findings_quote_the_offending_term()
    {
        var result = SpfLinter.Lint("v=spf1 ip4:10.0.0.300 -all");

        Assert.Contains("ip4:10.0.0.300", Assert.Single(result.Findings).Message, StringComparison.Ordinal);
    }
}
