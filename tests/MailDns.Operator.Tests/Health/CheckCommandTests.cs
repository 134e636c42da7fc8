using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using MailDns.Core.Dkim;
using MailDns.Core.Dkim.Rotation;
using MailDns.Core.Dkim.Storage;
using MailDns.Testing;

namespace MailDns.Operator.Tests.Health;

/// <summary><c>maildns check</c> as users run it, against the real BIND of <see cref="HealthZones"/>.</summary>
public class CheckCommandTests(HealthZones zones) : IClassFixture<HealthZones>
{
    private string Server => $"127.0.0.1:{zones.Primary.Port}";

    private string Resolver => $"127.0.0.1:{zones.Resolver.Port}";

    [Fact]
    public void A_healthy_domain_exits_0_and_prints_the_documented_json()
    {
        var result = MailDns.Testing.Cli.Run(
            "check",
            "healthy.test",
            "--nameserver",
            Server,
            "--resolver",
            Resolver,
            "--selector",
            "s1",
            "--output",
            "json"
        );

        Assert.True(result.Exit == 0, result.Out + result.Error);
        var json = JsonNode.Parse(result.Out)!.AsObject();
        Assert.Equal(["domain", "healthy", "checks", "probedSelectorsFound", "spfTree"], json.Select(p => p.Key));
        Assert.Equal("healthy.test", (string?)json["domain"]);
        Assert.True((bool)json["healthy"]!);
        var checks = json["checks"]!.AsArray();
        Assert.All(
            checks,
            c => Assert.Equal(["id", "selector", "server", "status", "severity", "message"], c!.AsObject().Select(p => p.Key))
        );
        Assert.Contains(
            checks,
            c => (string?)c!["id"] == "dkim.exists" && (string?)c["selector"] == "s1" && (string?)c["status"] == "pass"
        );
    }

    [Fact]
    public void A_failing_domain_exits_1_and_the_table_names_the_check_and_record()
    {
        var result = MailDns.Testing.Cli.Run("check", "twospf.test", "--nameserver", Server, "--resolver", Resolver);

        Assert.Equal(1, result.Exit);
        Assert.Contains("twospf.test: FAILING", result.Out);
        Assert.Contains("spf.single", result.Out);
        Assert.Contains("FAIL", result.Out);
        Assert.Contains("2 SPF records", result.Out);
    }

    [Fact]
    public void An_unreachable_server_exits_3()
    {
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var closed = ((IPEndPoint)udp.Client.LocalEndPoint!).Port;
        udp.Dispose();

        var result = MailDns.Testing.Cli.Run(
            "check",
            "healthy.test",
            "--nameserver",
            $"127.0.0.1:{closed}",
            "--resolver",
            $"127.0.0.1:{closed}",
            "--timeout",
            "0.5",
            "--output",
            "json"
        );

        Assert.Equal(3, result.Exit);
        Assert.All(JsonNode.Parse(result.Out)!["checks"]!.AsArray(), c => Assert.Equal("unknown", (string?)c!["status"]));
    }

    [Theory]
    [InlineData("not a domain")]
    [InlineData("healthy.test", "--nameserver", "nope:99999999")]
    [InlineData("healthy.test", "--expect", "/nonexistent/manifest.yaml")]
    [InlineData("healthy.test", "--timeout", "0", "--nameserver", "127.0.0.1:1")]
    [InlineData("healthy.test", "--timeout", "-5", "--nameserver", "127.0.0.1:1")]
    public void Usage_errors_exit_2_with_one_line_and_no_stack_trace(params string[] args)
    {
        var result = MailDns.Testing.Cli.Run(["check", .. args]);

        Assert.Equal(2, result.Exit);
        Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("maildns check: ", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Expecting_a_manifest_reports_the_policy_and_record_the_servers_do_not_serve()
    {
        using var dir = new TempDir();
        var manifest = dir.Write(
            "sd.yaml",
            """
            apiVersion: maildns.io/v1alpha1
            kind: SendingDomain
            metadata: {name: healthy}
            spec:
              domain: healthy.test
              providerRef: {name: zone}
              spf: {ip4: [192.0.2.0/24], include: [_spf.esp.test], all: fail}
              dmarc: {policy: quarantine, aggregateReportUris: ["mailto:dmarc@reports.test"]}
            """
        );

        var result = MailDns.Testing.Cli.Run(
            "check",
            "healthy.test",
            "--nameserver",
            Server,
            "--resolver",
            Resolver,
            "--expect",
            manifest,
            "--output",
            "json"
        );

        Assert.Equal(1, result.Exit);
        var checks = JsonNode.Parse(result.Out)!["checks"]!.AsArray();
        Assert.Contains(
            checks,
            c =>
                (string?)c!["id"] == "dmarc.policy"
                && (string?)c["status"] == "fail"
                && ((string?)c["message"])!.Contains("p=quarantine", StringComparison.Ordinal)
        );
        Assert.Contains(
            checks,
            c =>
                (string?)c!["id"] == "records.expected"
                && (string?)c["status"] == "fail"
                && ((string?)c["message"])!.StartsWith("_dmarc.healthy.test", StringComparison.Ordinal)
        );
    }

    [Fact]
    public void Expecting_a_key_directory_checks_its_keys_including_the_revoked_one()
    {
        using var dir = new TempDir();
        var created = DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var state = DkimState
            .Empty.Add(new DkimKey("s1", "ed", DkimAlgorithm.Ed25519Sha256, 256, zones.Key.PublicKey, KeyPhase.Active, created))
            .Add(new DkimKey("revoked", "ed", DkimAlgorithm.Ed25519Sha256, 256, zones.Key.PublicKey, KeyPhase.Revoked, created));
        var set = new KeySet(
            "keys.test",
            state,
            ImmutableSortedDictionary
                .Create<string, string>(StringComparer.Ordinal)
                .Add("s1", zones.Key.PrivateKeyPem)
                .Add("revoked", zones.Key.PrivateKeyPem)
        );
        foreach (var (name, content) in MtaKeyFiles.Render(set))
        {
            dir.Write(name, content);
        }

        var result = MailDns.Testing.Cli.Run(
            "check",
            "keys.test",
            "--nameserver",
            Server,
            "--resolver",
            Resolver,
            "--expect",
            dir.Path,
            "--output",
            "json"
        );

        var checks = JsonNode.Parse(result.Out)!["checks"]!.AsArray();
        Assert.Contains(
            checks,
            c => (string?)c!["id"] == "dkim.key-matches" && (string?)c["selector"] == "revoked" && (string?)c["status"] == "fail"
        );
        Assert.Contains(
            checks,
            c => (string?)c!["id"] == "dkim.exists" && (string?)c["selector"] == "s1" && (string?)c["status"] == "fail"
        ); // keys.test serves no s1
        Assert.DoesNotContain("PRIVATE KEY", result.Out + result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Several_domains_and_a_file_of_domains_give_one_exit_code_for_all()
    {
        using var dir = new TempDir();
        var file = dir.Write("domains.txt", "# the fleet\nhealthy.test\ntwospf.test  # two SPF records\n\n");

        var result = MailDns.Testing.Cli.Run(
            "check",
            "cnamed.test",
            "--file",
            file,
            "--nameserver",
            Server,
            "--resolver",
            Resolver,
            "-o",
            "json"
        );

        Assert.Equal(1, result.Exit); // twospf.test fails, so the run does
        var reports = JsonNode.Parse(result.Out)!.AsArray();
        Assert.Equal(["cnamed.test", "healthy.test", "twospf.test"], reports.Select(r => (string)r!["domain"]!));
        Assert.Equal([true, true, false], reports.Select(r => (bool)r!["healthy"]!));
    }

    [Fact]
    public void Probing_common_selectors_reports_the_ones_served_and_is_silent_about_the_rest()
    {
        var result = MailDns.Testing.Cli.Run("check", "healthy.test", "--probe-selectors", "--nameserver", Server, "--resolver", Resolver);

        Assert.True(result.Exit == 0, result.Out + result.Error);
        Assert.Contains("common selectors: found s1", result.Out);
        Assert.DoesNotContain("google", result.Out);
    }

    [Fact]
    public void A_private_key_is_checked_against_the_key_served_at_its_selector_without_printing_it()
    {
        using var dir = new TempDir();
        var matching = dir.Write("s1.pem", zones.Key.PrivateKeyPem);
        var other = dir.Write("other.pem", zones.OtherKey.PrivateKeyPem);
        string[] common = ["check", "healthy.test", "--selector", "s1", "--nameserver", Server, "--resolver", Resolver, "--key"];

        var good = MailDns.Testing.Cli.Run([.. common, matching]);
        var bad = MailDns.Testing.Cli.Run([.. common, other, "-o", "json"]);
        var noSelector = MailDns.Testing.Cli.Run("check", "healthy.test", "--key", matching, "--nameserver", Server);

        Assert.True(good.Exit == 0, good.Out + good.Error);
        Assert.Equal(1, bad.Exit);
        Assert.Contains(
            JsonNode.Parse(bad.Out)!["checks"]!.AsArray(),
            c => (string?)c!["id"] == "dkim.key-matches" && (string?)c["status"] == "fail"
        );
        Assert.Equal(2, noSelector.Exit);
        Assert.DoesNotContain("PRIVATE KEY", good.Out + good.Error + bad.Out + bad.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_text_output_shows_the_spf_include_tree_with_lookups_per_branch()
    {
        var result = MailDns.Testing.Cli.Run("check", "lookups.test", "--nameserver", Server, "--resolver", Resolver);

        Assert.Contains("SPF include tree of lookups.test: 11 of 10 DNS-querying terms", result.Out);
        // The include term counts in the record that holds it; a branch counts what lies below it.
        Assert.Contains("lookups.test: 1 in the record itself", result.Out);
        Assert.Contains("└─ include:chain1.esp.test (10)", result.Out);
        Assert.Contains("   └─ include:chain2.esp.test (7)", result.Out);
    }
}
