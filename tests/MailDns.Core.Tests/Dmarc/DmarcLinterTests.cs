using MailDns.Core.Dmarc;
using MailDns.Core.Findings;

namespace MailDns.Core.Tests.Dmarc;

public class DmarcLinterTests
{
    public static TheoryData<string, string, string, Severity> Rules =>
        new()
        {
            { "v=DMARC1 must come first", "p=reject; v=DMARC1", "dmarc.not-dmarc", Severity.Error },
            { "the version is case-sensitive", "v=dmarc1; p=reject", "dmarc.not-dmarc", Severity.Error },
            { "a piece without = is a syntax error", "v=DMARC1; p=reject; garbage", "dmarc.syntax", Severity.Error },
            { "a duplicate tag is an error", "v=DMARC1; p=reject; p=none", "dmarc.duplicate-tag", Severity.Error },
            { "an unknown policy is invalid", "v=DMARC1; p=block", "dmarc.invalid-value", Severity.Error },
            { "an unknown subdomain policy is invalid", "v=DMARC1; p=reject; sp=drop", "dmarc.invalid-value", Severity.Error },
            { "np takes a policy (RFC 9989)", "v=DMARC1; p=reject; np=maybe", "dmarc.invalid-value", Severity.Error },
            { "alignment is r or s", "v=DMARC1; p=reject; adkim=relaxed", "dmarc.invalid-value", Severity.Error },
            { "t is y or n", "v=DMARC1; p=reject; t=yes", "dmarc.invalid-value", Severity.Error },
            { "psd is y, n or u", "v=DMARC1; p=reject; psd=x", "dmarc.invalid-value", Severity.Error },
            {
                "fo is a colon list of 0, 1, d, s",
                "v=DMARC1; p=reject; fo=2; ruf=mailto:f@example.com",
                "dmarc.invalid-value",
                Severity.Error
            },
            {
                "a rua that is neither mailto nor https is invalid",
                "v=DMARC1; p=reject; rua=ftp://example.com/x",
                "dmarc.invalid-uri",
                Severity.Error
            },
            { "a rua without an address is invalid", "v=DMARC1; p=reject; rua=mailto:example.com", "dmarc.invalid-uri", Severity.Error },
            { "an empty URI in the list is invalid", "v=DMARC1; p=reject; rua=mailto:a@example.com,", "dmarc.invalid-uri", Severity.Error },
            { "pct was removed by DMARCbis", "v=DMARC1; p=reject; pct=50", "dmarc.obsolete-tag", Severity.Warning },
            { "rf was removed by DMARCbis", "v=DMARC1; p=reject; rf=afrf", "dmarc.obsolete-tag", Severity.Warning },
            { "ri was removed by DMARCbis", "v=DMARC1; p=reject; ri=86400", "dmarc.obsolete-tag", Severity.Warning },
            { "an unknown tag is ignored by receivers", "v=DMARC1; p=reject; foo=bar", "dmarc.unknown-tag", Severity.Warning },
            { "a missing policy means none", "v=DMARC1; rua=mailto:a@example.com", "dmarc.missing-policy", Severity.Warning },
            { "p=none only monitors", "v=DMARC1; p=none; rua=mailto:a@example.com", "dmarc.policy-none", Severity.Info },
            { "a weaker subdomain policy is noted", "v=DMARC1; p=reject; sp=none", "dmarc.weaker-subdomain-policy", Severity.Info },
            { "no rua means no reports", "v=DMARC1; p=reject", "dmarc.no-aggregate-reports", Severity.Info },
            {
                "the size suffix was removed by DMARCbis",
                "v=DMARC1; p=reject; rua=mailto:a@example.com!10m",
                "dmarc.uri-size-limit",
                Severity.Info
            },
            { "fo without ruf does nothing", "v=DMARC1; p=reject; fo=1", "dmarc.fo-without-ruf", Severity.Info },
            {
                "a plain http report URI is allowed by RFC 7489 §6.2 but travels in the clear: a warning, not an error",
                "v=DMARC1; p=reject; rua=http://reports.example.net/dmarc",
                "dmarc.insecure-uri",
                Severity.Warning
            },
            {
                "pct outside 0-100 is flagged (RFC 7489 §6.3), beside its removal",
                "v=DMARC1; p=reject; pct=150",
                "dmarc.invalid-legacy-value",
                Severity.Warning
            },
            {
                "ri that is not a number of seconds is flagged (RFC 7489 §6.3)",
                "v=DMARC1; p=reject; ri=daily",
                "dmarc.invalid-legacy-value",
                Severity.Warning
            },
        };

    [Theory]
    [MemberData(nameof(Rules))]
    public void Each_rule_reports_its_stable_code_and_severity(string because, string record, string code, Severity severity)
    {
        var result = DmarcLinter.Lint(record);

        var finding = Assert.Single(result.Findings, f => f.Code == code);
        Assert.True(finding.Severity == severity, because);
    }

    [Theory]
    [InlineData("v=DMARC1; p=reject; rua=mailto:dmarc@example.com")]
    [InlineData(
        "v=DMARC1;p=quarantine;sp=reject;np=reject;adkim=s;aspf=r;t=y;fo=0:1:d:s;"
            + "rua=mailto:a@example.com,https://r.example.net/dmarc;ruf=mailto:f@example.com;psd=n;"
    )]
    [InlineData("v=DMARC1; p=none; rua=mailto:a@example.com")]
    // RFC 7489 §6.4: tag values are case-insensitive; only v=DMARC1 is not.
    [InlineData("v=DMARC1; p=Reject; sp=QUARANTINE; adkim=S; aspf=R; t=Y; psd=N; fo=D:S; ruf=mailto:f@example.com")]
    // RFC 3986 §3.1: schemes are case-insensitive; RFC 6068 §2: a mailto: URI may carry a query.
    [InlineData("v=DMARC1; p=reject; rua=MAILTO:dmarc@example.com,mailto:dmarc@example.org?subject=report!10m")]
    public void Valid_records_have_no_errors(string record)
    {
        var result = DmarcLinter.Lint(record);

        Assert.True(result.Valid, string.Join("; ", result.Findings));
    }

    [Fact]
    public void Tag_names_are_named_in_messages()
    {
        var result = DmarcLinter.Lint("v=DMARC1; p=reject; adkim=x");

        Assert.Contains("adkim=x", Assert.Single(result.Findings, f => f.Severity == Severity.Error).Message, StringComparison.Ordinal);
    }
}
