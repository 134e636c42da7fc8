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

    [Fact]
    public void An_unknown_record_kind_is_a_usage_error()
    {
        Assert.Equal(2, MailDns.Testing.Cli.Run("lint", "dkim2", "x").Exit);
    }
}
