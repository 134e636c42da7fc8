using System.Text.RegularExpressions;
using CsCheck;
using MailDns.Core.TagLists;

namespace MailDns.Core.Tests.TagRecords;

/// <summary>Report destinations: RFC 7489 §6.2 mailto: with an optional RFC 6068 query and the §6.2 size suffix.</summary>
public class ReportUriTests
{
    [Theory]
    [InlineData("mailto:dmarc@Example.COM", "example.com", false)]
    [InlineData("MAILTO:rua@reports.example.net?subject=dmarc", "reports.example.net", false)]
    [InlineData("mailto:rua@example.org!10m", "example.org", true)]
    [InlineData("mailto:rua@example.org?subject=x!10m", "example.org", true)]
    [InlineData("https://Reports.Example.com/dmarc", "reports.example.com", false)]
    public void A_destination_names_its_domain_and_whether_it_carries_a_size(string uri, string domain, bool sized)
    {
        var parsed = ReportUri.Parse(uri, allowSizeLimit: true);

        Assert.Equal(domain, parsed?.Domain);
        Assert.Equal(sized, parsed?.HasSizeLimit);
    }

    [Theory]
    [InlineData("mailto:rua@example.org!10m")]
    [InlineData("mailto:rua@@example.org")]
    [InlineData("mailto:rua@example")]
    [InlineData("rua@example.org")]
    public void A_size_where_none_is_allowed_or_a_malformed_address_is_no_destination(string uri)
    {
        Assert.Null(ReportUri.Parse(uri, allowSizeLimit: false));
    }

    /// <summary>The pattern's own groups, read the slow way, as the reference for the parts the parser slices out.</summary>
    private static readonly Regex Reference = new(
        "^(?i:mailto):([^@\\s,;!?]+)@(([A-Za-z0-9_]([-A-Za-z0-9_]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z]{2,63})"
            + "(\\?[^\\s,;!]*)?(![0-9]+[kmgtKMGT]?)?$"
    );

    [Fact]
    public void The_domain_and_size_sliced_out_of_a_match_are_the_patterns_groups()
    {
        var piece = Gen.OneOf(["a", "B", "7", "a", "b", ".", "-", "?", "!"]);
        var uri = Gen.Select(
            Gen.OneOf(Gen.Const("mailto:"), Gen.Const("MailTo:")),
            piece.Array[1, 6].Select(string.Concat),
            piece.Array[1, 14].Select(string.Concat),
            Gen.OneOf(Gen.Const(""), Gen.Const("?subject=x"), Gen.Const("!10m"), Gen.Const("?s=1!5k")),
            (scheme, local, domain, tail) => $"{scheme}{local}@{domain}.com{tail}"
        );

        uri.Sample(u =>
        {
            var m = Reference.Match(u);
            var parsed = ReportUri.Parse(u, allowSizeLimit: true);
            return m.Success
                ? parsed is { Scheme: "mailto" } p
                    && p.Domain == m.Groups[2].Value.ToLowerInvariant()
                    && p.HasSizeLimit == m.Groups[6].Success
                : parsed is null;
        });
    }
}
