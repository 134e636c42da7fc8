using System.Text.Json.Nodes;
using MailDns.Testing;

namespace MailDns.Operator.Tests.Cli;

public class ValidateCommandTests
{
    private const string Header = "apiVersion: maildns.io/v1alpha1\nkind: SendingDomain\nmetadata:\n  name: sd\n  namespace: mail\n";

    [Fact]
    public void Every_example_in_the_repository_is_valid()
    {
        var result = MailDns.Testing.Cli.Run("validate", Repo.PathOf("examples"), "--output", "json");

        var docs = JsonNode.Parse(result.Out)!.AsArray();
        Assert.True(result.Exit == 0, result.Out + result.Error);
        Assert.True(docs.Count(d => d!["kind"]?.ToString() == "SendingDomain") >= 7);
        Assert.All(docs, d => Assert.True((bool)d!["valid"]!, d.ToJsonString()));
    }

    public static TheoryData<string, string, string> InvalidSpecs =>
        new()
        {
            {
                "a typo in a field name is an unknown field",
                "  domain: mail.example.com\n  providerRef: {name: p}\n  dmarc: {polcy: reject}\n",
                "spec.dmarc.polcy"
            },
            { "a missing required field is named", "  providerRef: {name: p}\n", "spec.domain" },
            {
                "a rotation request for a series the domain does not have is refused",
                "  domain: mail.example.com\n  providerRef: {name: p}\n"
                    + "  dkim: {series: [{algorithm: rsa-sha256, selectorPrefix: rsa}], rotateRequestedSeries: [ed]}\n",
                "spec.dkim.rotateRequestedSeries[0]"
            },
            {
                "an MTA-STS policy that is both managed and self-hosted is refused",
                "  domain: mail.example.com\n  providerRef: {name: p}\n  mtaSts: {mode: enforce, id: abc}\n",
                "spec.mtaSts"
            },
            { "+all is refused by the enum", "  domain: mail.example.com\n  providerRef: {name: p}\n  spf: {all: pass}\n", "spec.spf.all" },
            { "a ttl out of range is refused", "  domain: mail.example.com\n  providerRef: {name: p}\n  ttl: 5\n", "spec.ttl" },
            {
                "a string where a number belongs is refused",
                "  domain: mail.example.com\n  providerRef: {name: p}\n  ttl: one hour\n",
                "spec.ttl"
            },
            {
                "a bad CIDR is refused by its pattern",
                "  domain: mail.example.com\n  providerRef: {name: p}\n  spf: {ip4: [10.0.0.0/33]}\n",
                "spec.spf.ip4[0]"
            },
            {
                "a report URI that is not mailto or https is refused",
                "  domain: mail.example.com\n  providerRef: {name: p}\n  dmarc: {policy: reject, aggregateReportUris: "
                    + "[\"http://x.example.com\"]}\n",
                "spec.dmarc.aggregateReportUris[0]"
            },
            {
                "a semantic rule names its field",
                "  domain: mail.example.com\n  providerRef: {name: p}\n  ttl: 86400\n  dkim: {rotation: {propagationDelay: 1h}}\n",
                "spec.dkim.rotation.propagationDelay"
            },
        };

    [Theory]
    [MemberData(nameof(InvalidSpecs))]
    public void An_invalid_manifest_fails_with_a_finding_that_names_the_field(string because, string spec, string path)
    {
        using var dir = new TempDir();
        var file = dir.Write("sd.yaml", Header + "spec:\n" + spec);

        var result = MailDns.Testing.Cli.Run("validate", file, "-o", "json");

        Assert.Equal(1, result.Exit);
        var doc = Assert.Single(JsonNode.Parse(result.Out)!.AsArray())!;
        Assert.False((bool)doc["valid"]!);
        Assert.True(
            doc["findings"]!.AsArray().Any(f => (string?)f!["path"] == path && (string?)f["severity"] == "error"),
            because + ": " + doc.ToJsonString()
        );
        Assert.Equal(file, (string?)doc["file"]);
        Assert.Equal("SendingDomain", (string?)doc["kind"]);
        Assert.Equal("sd", (string?)doc["name"]);
    }

    [Fact]
    public void A_directory_walk_leaves_out_files_that_are_no_kubernetes_manifest_but_a_file_named_alone_is_checked()
    {
        using var dir = new TempDir();
        var rules = dir.Write("monitoring/alerts.rules.yaml", "groups:\n  - name: g\n    rules: []\n");
        dir.Write("monitoring/dashboard.json", "{\"title\": \"d\", \"panels\": []}");
        dir.Write("no-kind.yaml", "apiVersion: maildns.io/v1alpha1\nmetadata: {name: x}\n");

        var walk = MailDns.Testing.Cli.Run("validate", dir.Path);
        var named = MailDns.Testing.Cli.Run("validate", rules);

        Assert.Equal(1, walk.Exit); // a document with an apiVersion but no kind is still a broken manifest
        Assert.Contains("no-kind.yaml", walk.Out);
        Assert.DoesNotContain("alerts.rules.yaml", walk.Out);
        Assert.DoesNotContain("dashboard.json", walk.Out);
        Assert.Equal(1, named.Exit);
        Assert.Contains("document.kind-missing", named.Out);
    }

    [Fact]
    public void Human_output_lists_each_finding_with_its_code_and_field()
    {
        using var dir = new TempDir();
        dir.Write("sd.yaml", Header + "spec:\n  domain: mail.example.com\n  providerRef: {name: p}\n  spf: {all: pass}\n");

        var result = MailDns.Testing.Cli.Run("validate", dir.Path);

        Assert.Equal(1, result.Exit);
        Assert.Contains("INVALID", result.Out, StringComparison.Ordinal);
        Assert.Contains("schema.enum (spec.spf.all)", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Warnings_alone_do_not_fail_validation()
    {
        using var dir = new TempDir();
        dir.Write("sd.yaml", Header + "spec:\n  domain: mail.example.com\n  providerRef: {name: p}\n  dmarc: {policy: reject}\n");

        var result = MailDns.Testing.Cli.Run("validate", dir.Path, "-o", "json");

        Assert.Equal(0, result.Exit);
        Assert.Contains("dmarc.enforce-without-reports", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Other_kinds_are_skipped_and_yaml_errors_fail_with_the_line()
    {
        using var dir = new TempDir();
        dir.Write("a/deploy.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n");
        dir.Write("b/broken.yml", "apiVersion: maildns.io/v1alpha1\nkind: [\n");

        var result = MailDns.Testing.Cli.Run("validate", dir.Path, "-o", "json");

        var docs = JsonNode.Parse(result.Out)!.AsArray();
        Assert.Equal(1, result.Exit);
        Assert.True((bool)docs.Single(d => (string?)d!["kind"] == "Deployment")!["valid"]!);
        var broken = docs.Single(d => ((string)d!["file"]!).EndsWith("broken.yml", StringComparison.Ordinal))!;
        Assert.Equal("yaml.syntax", (string?)broken["findings"]![0]!["code"]);
        Assert.Matches(@"at line \d+, column \d+", (string?)broken["findings"]![0]!["message"]);
    }

    [Fact]
    public void Unknown_maildns_kinds_and_versions_are_errors()
    {
        using var dir = new TempDir();
        dir.Write(
            "a.yaml",
            "apiVersion: maildns.io/v1alpha1\nkind: SendingDomian\nmetadata: {name: x}\n---\napiVersion: maildns.io/v1\nkind: "
                + "SendingDomain\nmetadata: {name: y}\n"
        );

        var result = MailDns.Testing.Cli.Run("validate", dir.Path, "-o", "json");

        var codes = JsonNode.Parse(result.Out)!.AsArray().Select(d => (string?)d!["findings"]![0]!["code"]).ToList();
        Assert.Equal(["document.unknown-kind", "document.api-version"], codes);
        Assert.Equal(1, result.Exit);
    }

    [Fact]
    public void The_same_resource_twice_is_an_error()
    {
        using var dir = new TempDir();
        var doc = Header + "spec:\n  domain: mail.example.com\n  providerRef: {name: p}\n";
        dir.Write("a.yaml", doc + "---\n" + doc);

        var result = MailDns.Testing.Cli.Run("validate", dir.Path, "-o", "json");

        Assert.Equal(1, result.Exit);
        Assert.Contains("document.duplicate", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void A_domain_outside_its_providers_zone_is_refused_when_both_are_in_the_manifests()
    {
        using var dir = new TempDir();
        dir.Write(
            "a.yaml",
            "apiVersion: maildns.io/v1alpha1\nkind: DnsProvider\nmetadata: {name: p, namespace: mail}\nspec:\n  zone: example.org\n  "
                + "zoneFile: {path: z}\n---\n"
                + Header
                + "spec:\n  domain: mail.example.com\n  providerRef: {name: p}\n"
        );

        var result = MailDns.Testing.Cli.Run("validate", dir.Path, "-o", "json");

        Assert.Equal(1, result.Exit);
        Assert.Contains("domain.not-in-zone", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_path_is_a_usage_error()
    {
        var result = MailDns.Testing.Cli.Run("validate", "/nonexistent/maildns");

        Assert.Equal(2, result.Exit);
        Assert.Contains("/nonexistent/maildns", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_option_is_a_usage_error()
    {
        Assert.Equal(2, MailDns.Testing.Cli.Run("validate", ".", "--frobnicate").Exit);
        Assert.Equal(2, MailDns.Testing.Cli.Run("validate", ".", "--output", "xml").Exit);
        Assert.Equal(2, MailDns.Testing.Cli.Run().Exit);
    }

    [Fact]
    public void A_misspelt_field_is_named_with_its_file_and_line_and_the_field_meant()
    {
        using var dir = new TempDir();
        var file = dir.Write(
            "sd.yaml",
            Header + "spec:\n  domain: mail.example.com\n  providerRef: {name: p}\n  dmarc:\n    polcy: reject\n"
        );

        var result = MailDns.Testing.Cli.Run("validate", file);

        Assert.Equal(1, result.Exit);
        Assert.Contains($"{file}:10:", result.Out);
        Assert.Contains("spec.dmarc.polcy is not a field of this resource: did you mean policy?", result.Out);
    }

    [Fact]
    public void Two_sending_domains_for_one_domain_in_different_namespaces_are_both_refused()
    {
        using var dir = new TempDir();
        var spec = "spec:\n  domain: mail.example.com\n  providerRef: {name: p}\n";
        dir.Write("a.yaml", Header + spec);
        dir.Write("b.yaml", Header.Replace("namespace: mail", "namespace: other", StringComparison.Ordinal) + spec);

        var result = MailDns.Testing.Cli.Run("validate", dir.Path, "--output", "json");

        Assert.Equal(1, result.Exit);
        var docs = JsonNode.Parse(result.Out)!.AsArray();
        Assert.Equal(2, docs.Count(d => !(bool)d!["valid"]!));
        var finding = docs.SelectMany(d => d!["findings"]!.AsArray()).First(f => (string?)f!["code"] == "sendingdomain.domain-conflict")!;
        Assert.Equal("spec.domain", (string?)finding["path"]);
        Assert.Equal(7, (int)finding["line"]!);
        Assert.Contains("SendingDomain other/sd", (string?)finding["message"]);
    }
}
