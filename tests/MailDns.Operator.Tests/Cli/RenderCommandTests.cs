using System.Text.Json.Nodes;
using MailDns.Testing;

namespace MailDns.Operator.Tests.Cli;

public class RenderCommandTests
{
    [Fact]
    public void The_quickstart_renders_records_json_with_fqdn_names_joined_values_and_owners()
    {
        using var dir = new TempDir();

        var result = MailDns.Testing.Cli.Run("render", Repo.PathOf("examples", "quickstart"), "--out", dir.Path);

        Assert.True(result.Exit == 0, result.Error);
        var records = JsonNode.Parse(File.ReadAllText(Path.Combine(dir.Path, "records.json")))!.AsArray();
        var spf = records.Single(r => (string?)r!["name"] == "mail.example.com.")!;
        Assert.Equal("example.com.", (string?)spf["zone"]);
        Assert.Equal("TXT", (string?)spf["type"]);
        Assert.Equal(3600, (int)spf["ttl"]!);
        Assert.Equal("v=spf1 ip4:192.0.2.0/24 ip6:2001:db8:25::/48 include:_spf.esp.example.net ~all", (string?)spf["value"]);
        Assert.Equal((string?)spf["value"], string.Concat(spf["strings"]!.AsArray().Select(s => (string?)s)));
        Assert.Equal("default/mail-example-com", (string?)spf["owner"]);
        Assert.Contains(
            records,
            r =>
                ((string?)r!["name"]) == "_dmarc.mail.example.com."
                && ((string)r["value"]!).StartsWith("v=DMARC1; p=quarantine", StringComparison.Ordinal)
        );
        Assert.Contains(records, r => ((string?)r!["name"]) == "_smtp._tls.mail.example.com.");
    }

    [Fact]
    public void The_zone_fragment_loads_in_bind()
    {
        using var dir = new TempDir();
        Assert.Equal(0, MailDns.Testing.Cli.Run("render", Repo.PathOf("examples"), "--out", dir.Path).Exit);
        var fragment = File.ReadAllText(Path.Combine(dir.Path, "zones", "example.com.zone"));
        var zone = dir.Write(
            "full.zone",
            "$TTL 3600\n@ IN SOA ns1.example.com. hostmaster.example.com. 1 7200 3600 1209600 300\n@ IN NS ns1.example.com.\nns1 IN A "
                + "192.0.2.53\n"
                + fragment
        );

        var (exit, output) = Tool.Run("named-checkzone", "-i", "local", "example.com", zone);

        Assert.True(exit == 0, output);
        Assert.Contains("OK", output, StringComparison.Ordinal);
        Assert.Contains("; SendingDomain billing/billing-example-com", fragment, StringComparison.Ordinal);
        Assert.Contains("; SendingDomain default/mail-example-com", fragment, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_provider_example_renders_into_its_own_zone()
    {
        using var dir = new TempDir();

        Assert.Equal(0, MailDns.Testing.Cli.Run("render", Repo.PathOf("examples"), "--out", dir.Path).Exit);

        var zones = Directory.GetFiles(Path.Combine(dir.Path, "zones")).Select(Path.GetFileName).Order().ToList();
        Assert.Equal(
            [
                "example.app.zone",
                "example.co.zone",
                "example.com.zone",
                "example.dev.zone",
                "example.io.zone",
                "example.net.zone",
                "example.org.zone",
            ],
            zones
        );
    }

    [Fact]
    public void Invalid_manifests_render_nothing()
    {
        using var dir = new TempDir();
        var input = dir.Write(
            "in/sd.yaml",
            "apiVersion: maildns.io/v1alpha1\nkind: DnsProvider\nmetadata: {name: p}\nspec: {zone: example.com, zoneFile: {path: "
                + "z}}\n---\napiVersion: maildns.io/v1alpha1\nkind: SendingDomain\nmetadata: {name: sd}\nspec:\n  domain: "
                      + "mail.example.com\n  providerRef: {name: p}\n  spf: {all: pass}\n"
        );
        var output = Path.Combine(dir.Path, "out");

        var result = MailDns.Testing.Cli.Run("render", input, "--out", output);

        Assert.Equal(1, result.Exit);
        Assert.Contains("spec.spf.all", result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public void A_sending_domain_whose_provider_is_not_in_the_manifests_cannot_be_rendered()
    {
        using var dir = new TempDir();
        var input = dir.Write(
            "sd.yaml",
            "apiVersion: maildns.io/v1alpha1\nkind: SendingDomain\nmetadata: {name: sd}\nspec:\n  domain: mail.example.com\n  "
                + "providerRef: {name: elsewhere}\n"
        );

        var result = MailDns.Testing.Cli.Run("render", input, "--out", Path.Combine(dir.Path, "out"));

        Assert.Equal(1, result.Exit);
        Assert.Contains("elsewhere", result.Error, StringComparison.Ordinal);
    }
}
