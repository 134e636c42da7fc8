using System.Text.Json.Nodes;
using MailDns.Core.Publishing.Pulumi;
using MailDns.Core.Records;
using MailDns.Operator.Publishing;
using MailDns.Operator.Publishing.Pulumi;
using MailDns.Testing;

namespace MailDns.Operator.Tests.Publishing;

/// <summary>The Pulumi driver against the stand-in CLI: argv, environment, --json parsing, failures and locks.</summary>
public class PulumiDriverTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static PulumiStack Stack(string name, int domains, string dmarc = "reject") =>
        new(
            name,
            "cloudflare",
            "example.com",
            new Dictionary<string, string> { ["zoneId"] = "023e105f4ecef8ad9ca31a8372d0c353" },
            Enumerable
                .Range(0, domains)
                .SelectMany(i =>
                    new DesiredRecord[]
                    {
                        new($"d{i}.example.com", 300, "v=spf1 -all", RecordPurpose.Spf, $"mail/d{i}"),
                        new($"_dmarc.d{i}.example.com", 300, $"v=DMARC1; p={dmarc}", RecordPurpose.Dmarc, $"mail/d{i}"),
                    }
                )
                .ToList()
        );

    [Fact]
    public async Task An_update_creates_then_a_second_reports_same_with_secrets_only_in_the_environment()
    {
        using var standIn = new PulumiStandInHarness();
        var publisher = new PulumiPublisher(new PulumiCli(standIn.Executable));
        var workspace = standIn.Workspace("mail-cf-example-com");

        var first = await publisher.ApplyAsync(Stack(workspace.Stack, 3), workspace, CancellationToken.None);
        var second = await publisher.ApplyAsync(Stack(workspace.Stack, 3), workspace, CancellationToken.None);

        Assert.True(first.Succeeded, first.Reason + first.Diagnostics);
        Assert.Equal(7, first.Report.Count("create")); // the provider and six records
        Assert.Equal((0, 7), (second.Report.Count("create"), second.Report.Count("same")));
        var calls = standIn.Calls();
        Assert.Contains(calls, c => Argv(c).SequenceEqual(["stack", "select", "--create", workspace.Stack, "--non-interactive"]));
        Assert.Contains(
            calls,
            c => Argv(c).SequenceEqual(["up", "--yes", "--skip-preview", "--json", "--non-interactive", "--stack", workspace.Stack])
        );
        Assert.All(
            calls,
            c =>
                Assert.Superset(
                    new HashSet<string> { "PULUMI_BACKEND_URL", "PULUMI_CONFIG_PASSPHRASE", "CLOUDFLARE_API_TOKEN" },
                    c["env"]!.AsArray().Select(n => (string)n!).ToHashSet()
                )
        );
        var everything =
            File.ReadAllText(standIn.LogFile)
            + string.Concat(Directory.GetFiles(workspace.Directory).Select(File.ReadAllText))
            + first.Diagnostics
            + first.Reason;
        Assert.DoesNotContain(PulumiStandInHarness.Token, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(PulumiStandInHarness.Passphrase, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(PulumiStandInHarness.Token, workspace.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_dns_providers_tsig_secret_is_set_as_secret_config_from_standard_input_and_never_written()
    {
        // The Terraform dns provider checks key_name, key_algorithm and key_secret as a set before reading the
        // environment, so the secret must be config: `pulumi config set --secret` with the value on stdin.
        const string tsig = "tsig-secret-5b7e-must-never-leak";
        using var standIn = new PulumiStandInHarness();
        var publisher = new PulumiPublisher(new PulumiCli(standIn.Executable));
        var workspace = standIn.Workspace(
            "dns-example-com",
            new Dictionary<string, string>
            {
                ["DNS_UPDATE_KEYSECRET"] = tsig,
                ["CLOUDFLARE_API_TOKEN"] = PulumiStandInHarness.Token, // the harness's stand-in requires it of every call
            }
        );
        var config = new Dictionary<string, string>
        {
            ["server"] = "192.0.2.53",
            ["keyName"] = "maildns.",
            ["keyAlgorithm"] = "hmac-sha256",
        };
        var stack = Stack(workspace.Stack, 1) with { Package = "dns", Config = config };

        var result = await publisher.ApplyAsync(stack, workspace, CancellationToken.None);

        Assert.True(result.Succeeded, result.Reason + result.Diagnostics);
        Assert.Contains(
            standIn.Calls(),
            c => Argv(c).SequenceEqual(["config", "set", "--secret", "tsigKeySecret", "--stack", workspace.Stack, "--non-interactive"])
        );
        var written = File.ReadAllText(standIn.LogFile) + string.Concat(Directory.GetFiles(workspace.Directory).Select(File.ReadAllText));
        Assert.DoesNotContain(tsig, written, StringComparison.Ordinal);
        Assert.Contains(
            "maildns:tsigKeySecret:\n    secure: ",
            File.ReadAllText(Path.Combine(workspace.Directory, $"Pulumi.{workspace.Stack}.yaml"))
        );

        // Without the secret in the credentials Secret the run stops before `up`, saying what is missing.
        var without = standIn.Workspace(
            "dns-no-secret",
            new Dictionary<string, string> { ["CLOUDFLARE_API_TOKEN"] = PulumiStandInHarness.Token }
        );
        var refused = await publisher.ApplyAsync(stack with { Name = without.Stack }, without, CancellationToken.None);
        Assert.False(refused.Succeeded);
        Assert.Contains("DNS_UPDATE_KEYSECRET", refused.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(standIn.Calls(), c => Argv(c).FirstOrDefault() == "up" && Argv(c).Contains(without.Stack));
    }

    [Fact]
    public async Task A_preview_lists_the_steps_a_change_would_make()
    {
        using var standIn = new PulumiStandInHarness();
        var publisher = new PulumiPublisher(new PulumiCli(standIn.Executable));
        var workspace = standIn.Workspace("preview");
        await publisher.ApplyAsync(Stack("preview", 2), workspace, CancellationToken.None);

        var preview = await publisher.PreviewAsync(Stack("preview", 2, dmarc: "quarantine"), workspace, CancellationToken.None);

        Assert.True(preview.Succeeded, preview.Reason);
        Assert.Equal(2, preview.Steps.Count);
        Assert.All(preview.Steps, s => Assert.Equal("update", s.Op));
        Assert.All(preview.Steps, s => Assert.StartsWith("dmarc-udmarc-d", s.Name, StringComparison.Ordinal));
        Assert.Equal("cloudflare:index/dnsRecord:DnsRecord", preview.Steps[0].Type);
    }

    [Fact]
    public async Task A_provider_error_is_exit_4_with_the_resource_and_its_diagnostic_in_the_reason()
    {
        using var standIn = new PulumiStandInHarness();
        standIn.FailMode = "resource";
        var workspace = standIn.Workspace("failing");

        var result = await new PulumiPublisher(new PulumiCli(standIn.Executable)).ApplyAsync(
            Stack("failing", 1),
            workspace,
            CancellationToken.None
        );

        Assert.Equal(4, result.ExitCode);
        Assert.StartsWith("a resource operation failed at the provider: ", result.Reason, StringComparison.Ordinal);
        Assert.Contains("400 Bad Request: record content is invalid", result.Reason);
        Assert.DoesNotContain("<{%", result.Reason, StringComparison.Ordinal);
        Assert.Single(result.Report.FailedResources);
    }

    [Fact]
    public async Task A_run_killed_midway_leaves_a_stale_lock_that_the_next_run_clears_then_refreshes_and_converges()
    {
        using var standIn = new PulumiStandInHarness();
        var publisher = new PulumiPublisher(new PulumiCli(standIn.Executable));
        var workspace = standIn.Workspace("killed");
        standIn.FailMode = "die";

        var killed = await publisher.ApplyAsync(Stack("killed", 2), workspace, CancellationToken.None);
        Assert.NotEqual(0, killed.ExitCode);
        Assert.Single(standIn.LockFiles("killed"));

        standIn.FailMode = null;
        var recovered = await publisher.ApplyAsync(Stack("killed", 2), workspace, CancellationToken.None);

        Assert.True(recovered.Succeeded, recovered.Reason);
        Assert.Empty(standIn.LockFiles("killed"));
        var verbs = standIn.Calls().Select(c => Argv(c)[0]).ToList();
        Assert.Equal(["stack", "up", "stack", "refresh", "cancel", "refresh", "up"], verbs);
        var again = await publisher.PreviewAsync(Stack("killed", 2), workspace, CancellationToken.None);
        Assert.Empty(again.Steps);
    }

    [Fact]
    public async Task A_lock_held_by_a_live_run_is_reported_and_never_broken()
    {
        using var standIn = new PulumiStandInHarness();
        var publisher = new PulumiPublisher(new PulumiCli(standIn.Executable));
        var workspace = standIn.Workspace("busy");
        await publisher.ApplyAsync(Stack("busy", 1), workspace, CancellationToken.None);
        var lockDir = Path.Combine(standIn.Backend, ".pulumi", "locks", "maildns", "busy");
        Directory.CreateDirectory(lockDir);
        File.WriteAllText(
            Path.Combine(lockDir, "live.json"),
            new JsonObject { ["pid"] = Environment.ProcessId, ["hostname"] = Environment.MachineName }.ToJsonString()
        );

        var result = await publisher.ApplyAsync(Stack("busy", 1), workspace, CancellationToken.None);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"locked by a running update (pid {Environment.ProcessId})", result.Reason);
        Assert.DoesNotContain(standIn.Calls(), c => Argv(c)[0] == "cancel");
        Assert.Single(standIn.LockFiles("busy"));
    }

    [Fact]
    public async Task A_run_past_its_timeout_is_killed_and_reported_as_exit_9()
    {
        using var standIn = new PulumiStandInHarness();
        var workspace = standIn.Workspace("slow");
        await new PulumiPublisher(new PulumiCli(standIn.Executable)).ApplyAsync(Stack("slow", 1), workspace, CancellationToken.None);
        standIn.FailMode = "hang";

        var result = await new PulumiPublisher(new PulumiCli(standIn.Executable, TimeSpan.FromSeconds(3))).ApplyAsync(
            Stack("slow", 2),
            workspace,
            CancellationToken.None
        );

        Assert.Equal(9, result.ExitCode);
        Assert.StartsWith("the operation timed out", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_thousand_domains_on_one_provider_become_a_handful_of_runs()
    {
        using var standIn = new PulumiStandInHarness();
        var publisher = new PulumiPublisher(new PulumiCli(standIn.Executable));
        var workspace = standIn.Workspace("bulk");
        var domains = new System.Collections.Concurrent.ConcurrentDictionary<int, bool>();
        var coalescer = new StackCoalescer(
            async (stack, ct) =>
            {
                var result = await publisher.ApplyAsync(Stack(stack, domains.Count), workspace, ct);
                Assert.True(result.Succeeded, result.Reason);
            },
            TimeSpan.FromMilliseconds(200),
            maxParallel: 4,
            TimeProvider.System
        );

        // 1,000 SendingDomains arriving as a watch would deliver them: each adds itself and asks for a publish.
        await Task.WhenAll(
            Enumerable
                .Range(0, 1000)
                .Select(async i =>
                {
                    await Task.Yield();
                    domains[i] = true;
                    await coalescer.RequestAsync("bulk");
                })
        );

        var ups = standIn.Calls().Count(c => Argv(c)[0] == "up");
        output.WriteLine($"1000 SendingDomains on one provider: {ups} pulumi up run(s)");
        Assert.InRange(ups, 1, 10);
        Assert.Equal(ups, coalescer.Runs);
        var final = await publisher.PreviewAsync(Stack("bulk", 1000), workspace, CancellationToken.None);
        Assert.Empty(final.Steps); // every domain's records were in some run
    }

    private static List<string> Argv(JsonObject call) => call["argv"]!.AsArray().Select(a => (string)a!).ToList();
}
