using k8s;
using MailDns.Core.Api;
using MailDns.Testing;

namespace MailDns.Operator.Tests.Kubernetes;

/// <summary>
/// `maildns operator` as a process: leader-elected, the quick-start manifests applied with kubectl, metrics and
/// probes served, JSON logs, and a graceful stop on SIGTERM.
/// </summary>
public class OperatorProcessTests
{
    [Fact]
    public async Task The_operator_process_leads_reconciles_the_quick_start_serves_metrics_and_probes_logs_json_and_stops_on_sigterm()
    {
        await using var api = await ApiServer.StartAsync();
        using var data = new TempDir();
        var (applied, output) = api.Kubectl("apply", "-f", Repo.PathOf("examples", "quickstart"));
        Assert.True(applied == 0, output);
        using var process = OperatorProcess.Start(
            api.Host.BaseAddress,
            data.Path,
            "--leader-elect",
            "--leader-election-namespace",
            "default"
        );
        try
        {
            var domains = new GenericClient(api.Client, "maildns.io", "v1alpha1", "sendingdomains", disposeClient: false);
            var deadline = DateTime.UtcNow.AddSeconds(60);
            SendingDomain sd;
            while (true)
            {
                sd = await domains.ReadNamespacedAsync<SendingDomain>("default", "mail-example-com");
                if (sd.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true)
                {
                    break;
                }

                Assert.True(DateTime.UtcNow < deadline, $"not Ready within 60 s: {process.Log}");
                await Task.Delay(100); // polling for the outcome; the deadline fails the test
            }

            using var http = new HttpClient { BaseAddress = process.Metrics };
            Assert.Equal("ok", (await http.GetStringAsync("healthz")).Trim());
            Assert.Equal("ready", (await http.GetStringAsync("readyz")).Trim());
            var metrics = await http.GetStringAsync("metrics");
            Assert.Contains("maildns_domain_ready{domain=\"default/mail-example-com\"} 1", metrics);
            Assert.Contains("maildns_reconcile_total", metrics);
            Assert.True(File.Exists(Path.Combine(data.Path, "zones", "example.com.zone")));
            Assert.DoesNotContain("PRIVATE KEY", process.Log, StringComparison.Ordinal);
            var lease = await api.Client.CoordinationV1.ReadNamespacedLeaseAsync("maildns-operator", "default");
            Assert.EndsWith($"-{process.Id}", lease.Spec.HolderIdentity, StringComparison.Ordinal);
        }
        finally
        {
            process.Signal(15);
            Assert.True(process.Process.WaitForExit(30_000), "the operator did not stop on SIGTERM");
        }

        process.Process.WaitForExit(); // the output readers drain
        Assert.Equal(0, process.Process.ExitCode); // stopped cleanly, within the termination timeout
        var lines = process.Log.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var entries = lines.Select(l => System.Text.Json.Nodes.JsonNode.Parse(l)!.AsObject()).ToList(); // every line is one JSON object
        Assert.All(
            entries,
            e => Assert.True(e.ContainsKey("Timestamp") && e.ContainsKey("LogLevel") && e.ContainsKey("Message"), e.ToJsonString())
        );
        Assert.Contains(entries, e => ((string)e["Message"]!).StartsWith("leading: ", StringComparison.Ordinal));
        Assert.Contains(
            entries,
            e =>
                ((string)e["Message"]!).StartsWith("default/mail-example-com Ready=True", StringComparison.Ordinal)
                && e["Scopes"]!.AsArray().Any(scope => (string?)scope?["key"] == "default/mail-example-com")
        );
        Assert.Contains(entries, e => ((string)e["Message"]!).StartsWith("stopping: ", StringComparison.Ordinal));
        var scopes = entries
            .Where(e => e.ContainsKey("Scopes"))
            .SelectMany(e => e["Scopes"]!.AsArray())
            .OfType<System.Text.Json.Nodes.JsonObject>()
            .ToList();
        Assert.NotEmpty(scopes);
        // a readable scope
        Assert.All(scopes, s => Assert.DoesNotContain("System.Collections", (string?)s["Message"] ?? "", StringComparison.Ordinal));
        Assert.Equal("operator stopped", (string)entries[^1]["Message"]!);
    }
}
