using System.Text.Json.Nodes;

namespace MailDns.Operator.Tests.Cli;

public class LintCommandTests
{
    [Fact]
    public void Spf_json_reports_validity_findings_and_the_lookup_count()
    {
        var result = MailDns.Testing.Cli.Run("lint", "spf", "v=spf1 a mx include:_spf.example.net ?all", "--output", "json");

        var json = JsonNode.Parse(result.Out)!;
        Assert.Equal(0, result.Exit);
        Assert.True((bool)json["valid"]!);
        Assert.Equal(3, (int)json["lookups"]!);
        var finding = Assert.Single(json["findings"]!.AsArray())!;
        Assert.Equal("spf.neutral-all", (string?)finding["code"]);
        Assert.Equal("warning", (string?)finding["severity"]);
        Assert.Contains("?all", (string?)finding["message"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("spf", "v=spf1 +all", 1)]
    [InlineData("spf", "v=spf1 -all", 0)]
    [InlineData("dmarc", "v=DMARC1; p=reject; rua=mailto:d@example.com", 0)]
    [InlineData("dmarc", "v=DMARC1; p=maybe", 1)]
    [InlineData("dkim", "v=DKIM1; k=rsa", 1)]
    [InlineData("dkim", "v=DKIM1; k=rsa; p=", 0)]
    [InlineData("mta-sts", "v=STSv1; id=abc", 0)]
    [InlineData("tls-rpt", "v=TLSRPTv1", 1)]
    [InlineData("bimi", "v=BIMI1; l=https://example.com/l.svg; a=https://example.com/a.pem", 0)]
    public void The_exit_code_says_whether_the_record_is_valid(string kind, string record, int exit)
    {
        Assert.Equal(exit, MailDns.Testing.Cli.Run("lint", kind, record).Exit);
    }

    [Fact]
    public void Lookups_appear_only_for_spf()
    {
        var json = JsonNode.Parse(MailDns.Testing.Cli.Run("lint", "dmarc", "v=DMARC1; p=none", "-o", "json").Out)!;

        Assert.Null(json["lookups"]);
    }

    [Fact]
    public void A_record_pasted_in_presentation_form_is_joined_before_linting()
    {
        var result = MailDns.Testing.Cli.Run("lint", "spf", "\"v=spf1 ip4:192.0.2.1 \" \"-all\"", "-o", "json");

        Assert.Equal(0, result.Exit);
        Assert.Empty(JsonNode.Parse(result.Out)!["findings"]!.AsArray());
    }

    [Theory]
    // RFC 7208 §3.3 and RFC 6376 §3.6.2.2: a record longer than 255 octets is several strings joined by receivers; a bare
    // value is the record, so it gets a note on how it is published, never string-too-long.
    [InlineData("spf", "v=spf1 ", " -all")]
    [InlineData("dkim", "v=DKIM1; k=rsa; p=", "")]
    public void A_bare_value_over_255_octets_is_the_record_with_a_note_on_how_it_is_published(string kind, string head, string tail)
    {
        var filler =
            kind == "spf"
                ? string.Join(' ', Enumerable.Range(1, 30).Select(i => $"ip4:192.0.2.{i}"))
                : Convert.ToBase64String(System.Security.Cryptography.RSA.Create(2048).ExportSubjectPublicKeyInfo());
        var record = head + filler + tail;
        Assert.True(record.Length > 255);

        var result = MailDns.Testing.Cli.Run("lint", kind, record, "-o", "json");

        var findings = JsonNode.Parse(result.Out)!["findings"]!.AsArray();
        Assert.DoesNotContain(findings, f => ((string?)f!["code"])!.EndsWith("string-too-long", StringComparison.Ordinal));
        Assert.Contains(findings, f => (string?)f!["code"] == $"{kind}.published-split" && (string?)f["severity"] == "info");
    }

    [Fact]
    public void A_quoted_string_over_255_octets_is_still_an_error_because_it_cannot_be_published_as_given()
    {
        var result = MailDns.Testing.Cli.Run("lint", "spf", $"\"v=spf1 {new string('a', 260)} -all\"", "-o", "json");

        Assert.Contains(JsonNode.Parse(result.Out)!["findings"]!.AsArray(), f => (string?)f!["code"] == "spf.string-too-long");
    }

    [Fact]
    public void Dig_short_output_with_two_spf_records_is_two_records_and_a_permerror()
    {
        // RFC 7208 §4.5: more than one v=spf1 record at a name is a permerror.
        var dig = "\"v=spf1 ip4:192.0.2.1 -all\"\n\"v=spf1 ip4:192.0.2.2 \" \"-all\"\n";

        var result = MailDns.Testing.Cli.Run("lint", "spf", dig, "-o", "json");

        Assert.Equal(1, result.Exit);
        var findings = JsonNode.Parse(result.Out)!["findings"]!.AsArray();
        Assert.Contains(findings, f => (string?)f!["code"] == "spf.multiple-records");
        Assert.DoesNotContain(
            findings,
            f =>
                ((string?)f!["message"])!.Contains("record 2: ", StringComparison.Ordinal)
                && (string?)f["severity"] == "error"
                && (string?)f["code"] != "spf.multiple-records"
        );
    }

    [Fact]
    public void An_unknown_record_kind_is_a_usage_error()
    {
        Assert.Equal(2, MailDns.Testing.Cli.Run("lint", "dkim2", "x").Exit);
    }
}
