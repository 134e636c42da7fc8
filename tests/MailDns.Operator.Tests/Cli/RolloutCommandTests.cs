using System.Text.Json.Nodes;
using MailDns.Testing;
using MailDns.Testing.Reports;

namespace MailDns.Operator.Tests.Cli;

/// <summary>
/// The rollout without a cluster: `maildns rollout plan` previews, and `maildns reconcile --reports --now` walks a
/// domain's DMARC record through the stages (RFC 9989: quarantine with t=y before quarantine) in a state directory,
/// the way a GitOps user watches it on disk.
/// </summary>
public sealed class RolloutCommandTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    private const string Manifests = """
        apiVersion: maildns.io/v1alpha1
        kind: DnsProvider
        metadata: {name: local-zone, namespace: default}
        spec: {zone: example.com, zoneFile: {path: example.com.zone}}
        ---
        apiVersion: maildns.io/v1alpha1
        kind: SendingDomain
        metadata: {name: news, namespace: default}
        spec:
          domain: news.example.com
          providerRef: {name: local-zone}
          spf: {ip4: [192.0.2.0/24]}
          dmarc:
            policy: none
            aggregateReportUris: [mailto:dmarc@example.com]
            rollout: {target: quarantine, minMessages: 1000, window: 14d, stepAfter: 7d}
        """;

    /// <summary>A day of reports ending at <paramref name="end"/>: 2,000 messages, of which the share given pass.</summary>
    private string Reports(string name, DateTimeOffset end, double rate)
    {
        var folder = Path.Combine(dir.Path, name);
        Directory.CreateDirectory(folder);
        var passing = (long)(2000 * rate);
        TestRow[] rows = [new("192.0.2.10", passing, true, true), new("198.51.100.7", 2000 - passing, false, false)];
        var xml = ReportFiles.Aggregate("google.com", name, "news.example.com", end.AddDays(-1), rows.Where(r => r.Count > 0));
        File.WriteAllBytes(Path.Combine(folder, "report.xml.gz"), ReportFiles.Gzip(xml));
        return folder;
    }

    private string Reconcile(string manifest, string state, string reports, DateTimeOffset now)
    {
        var result = MailDns.Testing.Cli.Run("reconcile", manifest, "--state", state, "--reports", reports, "--now", now.ToString("O"));
        Assert.True(result.Exit == 0, result.Out + result.Error);
        return File.ReadAllLines(Path.Combine(state, "zones", "example.com.zone"))
            .Single(l => l.StartsWith("_dmarc.news", StringComparison.Ordinal));
    }

    [Fact]
    public void Reconcile_with_reports_walks_the_dmarc_record_through_testing_to_quarantine_a_stage_at_a_time_on_disk()
    {
        var manifest = Path.Combine(dir.Path, "news.yaml");
        File.WriteAllText(manifest, Manifests);
        var state = Path.Combine(dir.Path, "state");

        var start = Reconcile(manifest, state, Reports("d0", T0, 0.995), T0);
        var early = Reconcile(manifest, state, Reports("d10", T0.AddDays(10), 0.995), T0.AddDays(10)); // 10 of 14 days watched
        var testing = Reconcile(manifest, state, Reports("d15", T0.AddDays(15), 0.995), T0.AddDays(15));
        var soon = Reconcile(manifest, state, Reports("d20", T0.AddDays(20), 0.995), T0.AddDays(20)); // 5 of 7 days in the stage
        var quarantine = Reconcile(manifest, state, Reports("d23", T0.AddDays(23), 0.995), T0.AddDays(23));

        Assert.Contains("\"v=DMARC1; p=none; rua=mailto:dmarc@example.com\"", start);
        Assert.Contains("p=none;", early);
        Assert.Contains("\"v=DMARC1; p=quarantine; t=y; rua=mailto:dmarc@example.com\"", testing);
        Assert.Contains("t=y", soon);
        Assert.Contains("\"v=DMARC1; p=quarantine; rua=mailto:dmarc@example.com\"", quarantine);
    }

    [Fact]
    public void Rollout_plan_prints_the_contract_fields_and_writes_nothing()
    {
        var manifest = Path.Combine(dir.Path, "news.yaml");
        File.WriteAllText(manifest, Manifests);
        var reports = Reports("failing", T0, 0.9);

        var result = MailDns.Testing.Cli.Run(
            "rollout",
            "plan",
            manifest,
            "--reports",
            reports,
            "--now",
            T0.ToString("O"),
            "--output",
            "json"
        );

        Assert.Equal(0, result.Exit);
        var plan = Assert.Single(JsonNode.Parse(result.Out)!.AsArray())!;
        Assert.Equal(
            ["name", "domain", "stage", "effectivePolicy", "testing", "decision", "nextStage", "reason", "messages", "passRate"],
            plan.AsObject().Select(p => p.Key)
        );
        Assert.Equal(
            ("news", "news.example.com", "none", "hold", 2000L, 0.9),
            (
                (string?)plan["name"],
                (string?)plan["domain"],
                (string?)plan["stage"],
                (string?)plan["decision"],
                (long)plan["messages"]!,
                (double)plan["passRate"]!
            )
        );
        Assert.Contains("under the threshold; failing most: 198.51.100.7", (string?)plan["reason"]);
        Assert.Equal(["failing", "news.yaml"], Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName).Order());
    }
}
