using System.Diagnostics;
using k8s;
using k8s.Models;
using MailDns.Core.Api;
using MailDns.Testing;
using MailDns.Testing.Reports;

namespace MailDns.Benchmarks;

/// <summary>
/// The operator process over a long run of everything it does on its own: 1,000 Ready SendingDomains publishing with
/// RFC 2136 to BIND, each checked every 10 seconds against it; DMARC aggregate reports delivered to a real Dovecot every
/// 2 seconds and imported through a ReportSource (IMAP IDLE) into the SQLite store; and a DMARC rollout on 20 of the
/// domains driven by those reports, passing for the first third of the run, failing for the second (so the rollouts
/// step back) and passing again. Run as the image runs it. Resident memory is sampled every
/// 10 s after a warm-up of 60 s (the caches full and every domain checked a few times). Growth is the mean of the
/// last minute's samples over the mean of the first minute's: one sample alone swings with where the garbage
/// collector is in its cycle (the managed heap moves between about 35 and 60 MB between collections), which is
/// several percent by itself. The single first and last samples, the managed heap and one line a minute are
/// printed too, so a climb and where it levels off can be seen.
/// </summary>
public static class GrowthBenchmark
{
    public static Dictionary<string, double> Run(int domains, TimeSpan duration) => RunAsync(domains, duration).GetAwaiter().GetResult();

    private const int RolloutDomains = 20;

    private static async Task<Dictionary<string, double>> RunAsync(int domains, TimeSpan duration)
    {
        using var bind = new BindServer([(Fleet.Zone, $"_spf.{Fleet.Zone}. 300 IN TXT \"v=spf1 -all\"")]);
        using var data = new TempDir();
        using var certificates = new TestCertificates();
        using var dovecot = new DovecotServer(certificates);
        await using var api = await ApiServer.StartAsync();
        await ReconcileBenchmark.SetUpAsync(api, bind);
        await CreateReportSourceAsync(api, dovecot);
        var sds = new GenericClient(api.Client, "maildns.io", "v1alpha1", "sendingdomains", disposeClient: false);
        await Parallel.ForEachAsync(Enumerable.Range(0, domains), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, token) =>
        {
            var domain = Fleet.Domain(i);
            domain.Spec.HealthCheck = new HealthCheckSpec { Schedule = "0/10 * * * * ?" };
            if (i < RolloutDomains)
            {
                domain.Spec.Dmarc!.Policy = "none";
                domain.Spec.Dmarc.Rollout = new DmarcRolloutSpec
                {
                    Target = "reject",
                    MinMessages = 500,
                    Window = "2m",
                    StepAfter = "1m",
                    Rollback = true,
                };
            }

            await sds.CreateNamespacedAsync(domain, "mail", token);
        });

        using var process = OperatorProcess.Start(
            api.Host.BaseAddress,
            data.Path,
            "--nameserver",
            bind.Endpoint.ToString(),
            "--report-refresh",
            "1m" // the shortest allowed: the rollouts are evaluated every minute
        );
        try
        {
            return await MeasureAsync(api, dovecot, process, domains, duration);
        }
        catch (HttpRequestException e)
        {
            // The metrics endpoint stopped answering: say why, from the operator's own log.
            var state = process.Process.HasExited ? $"exited ({process.Process.ExitCode})" : "running";
            var log = process.Log;
            throw new InvalidOperationException(
                $"the operator's metrics stopped answering ({e.Message}); it is {state}: {log[^Math.Min(4000, log.Length)..]}"
            );
        }
    }

    private static async Task<Dictionary<string, double>> MeasureAsync(
        ApiServer api,
        DovecotServer dovecot,
        OperatorProcess process,
        int domains,
        TimeSpan duration
    )
    {
        var watch = Stopwatch.StartNew();
        while (await ReconcileBenchmark.ReadyAsync(api) < domains && watch.Elapsed < TimeSpan.FromMinutes(10))
        {
            await Task.Delay(1000);
        }

        using var stopDelivery = new CancellationTokenSource();
        var started = Stopwatch.StartNew();
        var delivering = DeliverReportsAsync(dovecot, () => started.Elapsed, duration, stopDelivery.Token);
        await Task.Delay(TimeSpan.FromSeconds(60)); // warm-up
        var checksBefore = await process.ScrapeAsync("maildns_health_checks_total");
        var reportsBefore = await process.ScrapeAsync("maildns_reports_ingested_total");
        var rolloutBefore = await process.ScrapeAsync("maildns_dmarc_rollout_changes_total");
        var samples = new List<double> { process.ResidentMegabytes() };
        var managed = new List<double> { await ManagedMegabytesAsync(process) };
        var running = Stopwatch.StartNew();
        while (running.Elapsed < duration)
        {
            await Task.Delay(TimeSpan.FromSeconds(10));
            samples.Add(process.ResidentMegabytes());
            managed.Add(await ManagedMegabytesAsync(process));
            if (samples.Count % 6 == 1)
            {
                Console.Error.WriteLine(
                    $"growth minute {(samples.Count - 1) / 6,2}: rss {samples[^1]:F1} MB (anon {process.StatusMegabytes("RssAnon"):F1}, "
                        + $"file {process.StatusMegabytes("RssFile"):F1}), managed heap {managed[^1]:F1} MB, "
                        + $"gen2 collections {await process.ScrapeAsync("dotnet_collection_count_total{generation=\"2\"}"):F0}"
                );
            }
        }

        var checks = await process.ScrapeAsync("maildns_health_checks_total") - checksBefore;
        var reports = await process.ScrapeAsync("maildns_reports_ingested_total") - reportsBefore;
        var rolloutChanges = await process.ScrapeAsync("maildns_dmarc_rollout_changes_total") - rolloutBefore;
        await stopDelivery.CancelAsync();
        var delivered = await delivering;
        var (first, last) = (samples.Take(6).Average(), samples.TakeLast(6).Average());
        return new Dictionary<string, double>
        {
            ["growth_domains"] = domains,
            ["growth_minutes"] = Math.Round(running.Elapsed.TotalMinutes, 1),
            ["growth_health_checks_run"] = checks,
            ["growth_reports_delivered"] = delivered,
            ["growth_reports_ingested"] = reports,
            ["growth_rollout_changes"] = rolloutChanges,
            ["growth_rss_megabytes_after_warmup"] = Math.Round(samples[0], 1),
            ["growth_rss_megabytes_at_half"] = Math.Round(samples[samples.Count / 2], 1),
            ["growth_rss_megabytes_at_end"] = Math.Round(samples[^1], 1),
            ["growth_rss_megabytes_max"] = Math.Round(samples.Max(), 1),
            ["growth_rss_megabytes_first_minute_mean"] = Math.Round(first, 1),
            ["growth_rss_megabytes_last_minute_mean"] = Math.Round(last, 1),
            ["growth_rss_percent"] = Math.Round((last - first) / first * 100, 1),
            ["growth_rss_percent_first_to_last_sample"] = Math.Round((samples[^1] - samples[0]) / samples[0] * 100, 1),
            ["growth_managed_heap_megabytes_after_warmup"] = Math.Round(managed[0], 1),
            ["growth_managed_heap_megabytes_at_end"] = Math.Round(managed[^1], 1),
            ["growth_managed_heap_megabytes_max"] = Math.Round(managed.Max(), 1),
        };
    }

    /// <summary>The mailbox the operator reads reports from, as a user sets it up: a Secret and a ReportSource.</summary>
    private static async Task CreateReportSourceAsync(ApiServer api, DovecotServer dovecot)
    {
        await api.Client.CoreV1.CreateNamespacedSecretAsync(
            new V1Secret
            {
                Metadata = new V1ObjectMeta { Name = "inbox-imap" },
                StringData = new Dictionary<string, string> { ["username"] = DovecotServer.User, ["password"] = DovecotServer.Password },
            },
            "mail"
        );
        var source = new ReportSource
        {
            Metadata = new V1ObjectMeta { Name = "inbox", NamespaceProperty = "mail" },
            Spec = new ReportSourceSpec
            {
                Imap = new ImapSourceSpec
                {
                    Host = "127.0.0.1",
                    Port = dovecot.Port,
                    Tls = ImapSourceSpec.None,
                    Idle = true,
                    CredentialsSecretRef = new MailboxCredentialsRef { Name = "inbox-imap" },
                },
            },
        };
        await new GenericClient(
            api.Client,
            ApiGroup.Name,
            ApiGroup.Version,
            ReportSource.Plural,
            disposeClient: false
        ).CreateNamespacedAsync(source, "mail");
    }

    /// <summary>
    /// One aggregate report every 2 seconds, for the rollout domains in turn (1,000 messages each): 99.5% passing in
    /// the first and last third of the run, 50% in the middle one. Returns how many were delivered.
    /// </summary>
    private static async Task<int> DeliverReportsAsync(
        DovecotServer dovecot,
        Func<TimeSpan> elapsed,
        TimeSpan duration,
        CancellationToken cancellationToken
    )
    {
        var delivered = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var third = (int)(elapsed() / (duration / 3));
            var passing = third == 1 ? 500 : 995;
            var domain = $"d{delivered % RolloutDomains}.{Fleet.Zone}";
            TestRow[] rows = [new("192.0.2.10", passing, true, true), new("198.51.100.7", 1000 - passing, false, false, "rogue")];
            var xml = ReportFiles.Aggregate("google.com", $"g-{delivered}", domain, DateTimeOffset.UtcNow.AddDays(-1), rows);
            dovecot.Deliver(ReportFiles.GzipMail($"Report {delivered}", xml, $"google.com!{domain}!{delivered}"));
            delivered++;
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return delivered;
    }

    private static async Task<double> ManagedMegabytesAsync(OperatorProcess process) =>
        await process.ScrapeAsync("dotnet_total_memory_bytes") / 1024 / 1024;
}
