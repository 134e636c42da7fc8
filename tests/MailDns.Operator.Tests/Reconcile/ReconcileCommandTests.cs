using System.Text.Json.Nodes;
using MailDns.Core.Publishing;
using MailDns.Operator.Cli;
using MailDns.Testing;
using Microsoft.Extensions.Time.Testing;

namespace MailDns.Operator.Tests.Reconcile;

/// <summary>`maildns reconcile` as users run it: the quick start, runs that continue from the state directory under a controlled clock,
/// spec changes, bad input, and RFC 2136 to a real BIND.</summary>
public class ReconcileCommandTests
{
    private static readonly DateTimeOffset Start = DateTimeOffset.Parse(
        "2026-03-01T09:00:00Z",
        System.Globalization.CultureInfo.InvariantCulture
    );

    private static async Task<(int Exit, JsonArray Domains, string Error)> RunAsync(
        string manifests,
        string state,
        FakeTimeProvider clock,
        params string[] nameservers
    )
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await ReconcileCommand.RunAsync(
            [manifests],
            state,
            nameservers,
            json: true,
            [],
            clock,
            new Console2(stdout, stderr),
            CancellationToken.None
        );
        return (exit, stdout.ToString().Length > 0 ? JsonNode.Parse(stdout.ToString())!.AsArray() : [], stderr.ToString());
    }

    private static JsonNode Condition(JsonNode domain, string type) =>
        domain["status"]!["conditions"]!.AsArray().Single(c => (string?)c!["type"] == type)!;

    private static string[] Phases(JsonNode domain) =>
        domain["status"]!["dkim"]!["keys"]!.AsArray().Select(k => $"{k!["selector"]}={k["phase"]}").ToArray();

    [Fact]
    public async Task The_quick_start_publishes_verified_records_that_load_in_bind_and_a_second_run_changes_nothing()
    {
        using var state = new TempDir();
        var clock = new FakeTimeProvider(Start);

        var (exit, domains, error) = await RunAsync(Repo.PathOf("examples", "quickstart"), state.Path, clock);

        Assert.True(exit == 0, error + domains);
        var domain = Assert.Single(domains)!;
        Assert.Equal("True", (string?)Condition(domain, "Ready")["status"]);
        Assert.All(Phases(domain), p => Assert.EndsWith("=Verified", p, StringComparison.Ordinal));
        var zone = Path.Combine(state.Path, "zones", "example.com.zone");
        var (check, output) = Tool.Run("named-checkzone", "example.com", zone);
        Assert.True(check == 0, output);
        var serial = ZoneFileEditor.Serial(File.ReadAllText(zone));

        var again = await RunAsync(Repo.PathOf("examples", "quickstart"), state.Path, clock);
        Assert.Equal(0, again.Exit);
        Assert.Equal(serial, ZoneFileEditor.Serial(File.ReadAllText(zone)));
        Assert.Equal(5, domain["status"]!["records"]!.AsArray().Count);
    }

    [Theory]
    [InlineData("Delete")]
    [InlineData("Retain")]
    public async Task Prune_finishes_a_domain_that_left_the_manifests_as_its_deletion_policy_says(string policy)
    {
        using var state = new TempDir();
        using var manifests = new TempDir();
        var clock = new FakeTimeProvider(Start);
        manifests.Write("dnsprovider.yaml", File.ReadAllText(Repo.PathOf("examples", "quickstart", "dnsprovider.yaml")));
        var sd = manifests.Write(
            "sendingdomain.yaml",
            File.ReadAllText(Repo.PathOf("examples", "quickstart", "sendingdomain.yaml"))
                .Replace("deletionPolicy: Retain", $"deletionPolicy: {policy}", StringComparison.Ordinal)
        );
        await RunAsync(manifests.Path, state.Path, clock);
        var zone = Path.Combine(state.Path, "zones", "example.com.zone");
        Assert.Contains("_dmarc.mail.example.com", File.ReadAllText(zone));
        File.Delete(sd);

        var stdout = new StringWriter();
        var exit = await ReconcileCommand.RunAsync(
            [manifests.Path],
            state.Path,
            [],
            json: false,
            [],
            clock,
            new Console2(stdout, new StringWriter()),
            CancellationToken.None,
            prune: true
        );

        Assert.True(exit == 0, stdout.ToString());
        var keys = Path.Combine(state.Path, "keys", "default", "mail-example-com");
        if (policy == "Delete")
        {
            Assert.Contains("default/mail-example-com: pruned: removed 5 record(s)", stdout.ToString());
            Assert.DoesNotContain("mail.example.com", File.ReadAllText(zone));
            Assert.False(Directory.Exists(keys));
            var (check, output) = Tool.Run("named-checkzone", "example.com", zone);
            Assert.True(check == 0, output);
        }
        else
        {
            Assert.Contains("its records and keys are kept (deletionPolicy Retain)", stdout.ToString());
            Assert.Contains("_dmarc.mail.example.com", File.ReadAllText(zone));
            Assert.True(Directory.Exists(keys));
        }
    }

    [Fact]
    public async Task A_compromised_selector_that_names_no_key_is_said_on_stderr()
    {
        using var state = new TempDir();
        using var manifests = new TempDir();
        manifests.Write("dnsprovider.yaml", File.ReadAllText(Repo.PathOf("examples", "quickstart", "dnsprovider.yaml")));
        manifests.Write(
            "sendingdomain.yaml",
            File.ReadAllText(Repo.PathOf("examples", "quickstart", "sendingdomain.yaml"))
                .Replace("    rotation:", "    compromisedSelectors: [rsa-1999-01]\n    rotation:", StringComparison.Ordinal)
        );

        var (_, _, error) = await RunAsync(manifests.Path, state.Path, new FakeTimeProvider(Start));

        Assert.Contains("compromisedSelectors names rsa-1999-01, which is no key of this domain", error);
    }

    [Fact]
    public async Task A_changed_spec_domain_is_refused_for_existing_state_and_nothing_moves()
    {
        using var state = new TempDir();
        using var manifests = new TempDir();
        var clock = new FakeTimeProvider(Start);
        foreach (var file in Directory.GetFiles(Repo.PathOf("examples", "quickstart"), "*.yaml"))
        {
            manifests.Write(Path.GetFileName(file), File.ReadAllText(file));
        }

        await RunAsync(manifests.Path, state.Path, clock);
        var zone = Path.Combine(state.Path, "zones", "example.com.zone");
        var before = File.ReadAllText(zone);
        var keys = Directory.GetFiles(Path.Combine(state.Path, "keys"), "*", SearchOption.AllDirectories).Order().ToList();
        var sd = Directory.GetFiles(manifests.Path, "*.yaml").Single(f => File.ReadAllText(f).Contains("kind: SendingDomain"));
        File.WriteAllText(
            sd,
            File.ReadAllText(sd).Replace("domain: mail.example.com", "domain: news.example.com", StringComparison.Ordinal)
        );

        var (exit, domains, error) = await RunAsync(manifests.Path, state.Path, clock);

        Assert.True(exit != 0, error);
        var ready = Condition(domains[0]!, "Ready");
        Assert.Equal(("False", "InvalidSpec"), ((string?)ready["status"], (string?)ready["reason"]));
        Assert.Contains("spec.domain changed from mail.example.com to news.example.com", (string?)ready["message"]);
        Assert.Equal(before, File.ReadAllText(zone));
        Assert.Equal(keys, Directory.GetFiles(Path.Combine(state.Path, "keys"), "*", SearchOption.AllDirectories).Order().ToList());
    }

    [Fact]
    public async Task Runs_continue_from_the_state_directory_through_activation_and_a_scheduled_rotation()
    {
        using var state = new TempDir();
        var clock = new FakeTimeProvider(Start);
        var manifests = Repo.PathOf("examples", "quickstart");
        var first = (await RunAsync(manifests, state.Path, clock)).Domains[0]!;
        var firstSelectors = first["status"]!["dkim"]!["keys"]!.AsArray().Select(k => (string)k!["selector"]!).ToList();

        clock.Advance(TimeSpan.FromHours(25)); // past propagationDelay (1d)
        var activated = (await RunAsync(manifests, state.Path, clock)).Domains[0]!;
        Assert.Equal(firstSelectors.Order(), activated["status"]!["dkim"]!["activeSelectors"]!.AsArray().Select(s => (string)s!).Order());
        var active = File.ReadAllText(Path.Combine(state.Path, "keys", "default", "mail-example-com", "active"));
        Assert.All(firstSelectors, s => Assert.Contains(s, active, StringComparison.Ordinal));

        // 90 days later a new key per series is published and verified while the old ones keep signing.
        clock.Advance(TimeSpan.FromDays(90));
        var rotating = (await RunAsync(manifests, state.Path, clock)).Domains[0]!;
        Assert.Equal(4, Phases(rotating).Length);
        Assert.Contains(Phases(rotating), p => p.EndsWith("=Verified", StringComparison.Ordinal));

        clock.Advance(TimeSpan.FromHours(25));
        var switched = (await RunAsync(manifests, state.Path, clock)).Domains[0]!;
        var phases = Phases(switched);
        Assert.Equal(2, phases.Count(p => p.EndsWith("=Active", StringComparison.Ordinal)));
        Assert.Equal(2, phases.Count(p => p.EndsWith("=Retiring", StringComparison.Ordinal)));
        Assert.All(firstSelectors, s => Assert.Contains($"{s}=Retiring", phases));
        Assert.Equal("True", (string?)Condition(switched, "Ready")["status"]);
    }

    [Fact]
    public async Task A_spec_change_replaces_the_old_value_in_place()
    {
        using var state = new TempDir();
        using var manifests = new TempDir();
        var clock = new FakeTimeProvider(Start);
        File.Copy(Repo.PathOf("examples", "quickstart", "dnsprovider.yaml"), Path.Combine(manifests.Path, "dnsprovider.yaml"));
        var sd = File.ReadAllText(Repo.PathOf("examples", "quickstart", "sendingdomain.yaml"));
        File.WriteAllText(Path.Combine(manifests.Path, "sd.yaml"), sd);
        await RunAsync(manifests.Path, state.Path, clock);

        File.WriteAllText(
            Path.Combine(manifests.Path, "sd.yaml"),
            sd.Replace("policy: quarantine", "policy: reject", StringComparison.Ordinal)
        );
        var (exit, _, _) = await RunAsync(manifests.Path, state.Path, clock);

        Assert.Equal(0, exit);
        var dmarc = ZoneFileEditor.Read(File.ReadAllText(Path.Combine(state.Path, "zones", "example.com.zone")), "example.com")[
            "_dmarc.mail.example.com"
        ];
        Assert.StartsWith("v=DMARC1; p=reject", Assert.Single(dmarc), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_invalid_spec_is_reported_as_invalid_spec_naming_the_field_and_nothing_is_written_for_it()
    {
        using var state = new TempDir();
        using var manifests = new TempDir();
        File.Copy(Repo.PathOf("examples", "quickstart", "dnsprovider.yaml"), Path.Combine(manifests.Path, "dnsprovider.yaml"));
        File.WriteAllText(
            Path.Combine(manifests.Path, "sd.yaml"),
            File.ReadAllText(Repo.PathOf("examples", "quickstart", "sendingdomain.yaml"))
                .Replace("policy: quarantine", "policy: sometimes", StringComparison.Ordinal)
        );

        var (exit, domains, _) = await RunAsync(manifests.Path, state.Path, new FakeTimeProvider(Start));

        Assert.Equal(1, exit);
        var ready = Condition(domains[0]!, "Ready");
        Assert.Equal("InvalidSpec", (string?)ready["reason"]);
        Assert.Contains("spec.dmarc.policy", (string?)ready["message"]);
        Assert.False(Directory.Exists(Path.Combine(state.Path, "keys")));
        Assert.False(Directory.Exists(Path.Combine(state.Path, "zones")));
    }

    [Fact]
    public async Task An_rfc2136_provider_publishes_to_bind_verifies_against_it_and_reports_health()
    {
        using var bind = new BindServer("example.org");
        using var state = new TempDir();
        using var manifests = new TempDir();
        manifests.Write(
            "all.yaml",
            $"""
            apiVersion: v1
            kind: Secret
            metadata: {"{"}name: tsig, namespace: mail{"}"}
            stringData: {"{"}secret: "{bind.Secret}"{"}"}
            ---
            apiVersion: maildns.io/v1alpha1
            kind: DnsProvider
            metadata: {"{"}name: bind, namespace: mail{"}"}
            spec:
              zone: example.org
              rfc2136:
                server: "127.0.0.1:{bind.Port}"
                tsigKeyName: {bind.KeyName}
                tsigAlgorithm: hmac-sha256
                tsigSecretRef: {"{"}name: tsig, key: secret{"}"}
            ---
            apiVersion: maildns.io/v1alpha1
            kind: SendingDomain
            metadata: {"{"}name: news, namespace: mail{"}"}
            spec:
              domain: news.example.org
              providerRef: {"{"}name: bind{"}"}
              spf: {"{"}ip4: [198.51.100.10], all: fail{"}"}
              dkim: {"{"}series: [{"{"}algorithm: ed25519-sha256, selectorPrefix: ed{"}"}]{"}"}
              dmarc: {"{"}policy: reject, aggregateReportUris: ["mailto:dmarc@example.org"]{"}"}
            """
        );

        var (exit, domains, error) = await RunAsync(manifests.Path, state.Path, new FakeTimeProvider(Start), $"127.0.0.1:{bind.Port}");

        Assert.True(exit == 0, error + domains);
        var domain = domains[0]!;
        Assert.Equal("True", (string?)Condition(domain, "RecordsVerified")["status"]);
        Assert.Equal("True", (string?)Condition(domain, "Healthy")["status"]);
        Assert.Contains(
            domain["status"]!["health"]!["checks"]!.AsArray(),
            c => (string?)c!["id"] == "dkim.key-matches" && (string?)c["status"] == "pass"
        );
        var spf = bind.Client().Query("news.example.org", DnsClient.QueryType.TXT).Answers.OfType<DnsClient.Protocol.TxtRecord>().Single();
        Assert.Equal("v=spf1 ip4:198.51.100.10 -all", string.Concat(spf.Text));
        Assert.DoesNotContain(
            bind.Secret,
            File.ReadAllText(Path.Combine(state.Path, "status", "mail", "news.json")),
            StringComparison.Ordinal
        );
    }
}
