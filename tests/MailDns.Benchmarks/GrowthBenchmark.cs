using System.Diagnostics;
using k8s;
using MailDns.Core.Api;
using MailDns.Testing;

namespace MailDns.Benchmarks;

/// <summary>
/// The operator process over a long run of scheduled checks: 1,000 Ready SendingDomains publishing with RFC 2136
/// to BIND, each checked every 10 seconds against it, run as the image runs it. Resident memory is sampled every
/// 10 s after a warm-up of 60 s (the caches full and every domain checked a few times). Growth is the mean of the
/// last minute's samples over the mean of the first minute's: one sample alone swings with where the garbage
/// collector is in its cycle (the managed heap moves between about 35 and 60 MB between collections), which is
/// several percent by itself. The single first and last samples, the managed heap and one line a minute are
/// printed too, so a climb and where it levels off can be seen.
/// </summary>
public static class GrowthBenchmark
{
    public static Dictionary<string, double> Run(int domains, TimeSpan duration) => RunAsync(domains, duration).GetAwaiter().GetResult();

    private static async Task<Dictionary<string, double>> RunAsync(int domains, TimeSpan duration)
    {
        using var bind = new BindServer([(Fleet.Zone, $"_spf.{Fleet.Zone}. 300 IN TXT \"v=spf1 -all\"")]);
        using var data = new TempDir();
        await using var api = await ApiServer.StartAsync();
        await ReconcileBenchmark.SetUpAsync(api, bind);
        var sds = new GenericClient(api.Client, "maildns.io", "v1alpha1", "sendingdomains", disposeClient: false);
        await Parallel.ForEachAsync(
            Enumerable.Range(0, domains),
            new ParallelOptions { MaxDegreeOfParallelism = 32 },
            async (i, token) =>
            {
                var domain = Fleet.Domain(i);
                domain.Spec.HealthCheck = new HealthCheckSpec { Schedule = "0/10 * * * * ?" };
                await sds.CreateNamespacedAsync(domain, "mail", token);
            }
        );

        using var process = OperatorProcess.Start(api.Host.BaseAddress, data.Path, "--nameserver", bind.Endpoint.ToString());
        var watch = Stopwatch.StartNew();
        while (await ReconcileBenchmark.ReadyAsync(api) < domains && watch.Elapsed < TimeSpan.FromMinutes(10))
        {
            await Task.Delay(1000);
        }

        await Task.Delay(TimeSpan.FromSeconds(60)); // warm-up
        var checksBefore = await process.ScrapeAsync("maildns_health_checks_total");
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
        var (first, last) = (samples.Take(6).Average(), samples.TakeLast(6).Average());
        return new Dictionary<string, double>
        {
            ["growth_domains"] = domains,
            ["growth_minutes"] = Math.Round(running.Elapsed.TotalMinutes, 1),
            ["growth_health_checks_run"] = checks,
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

    private static async Task<double> ManagedMegabytesAsync(OperatorProcess process) =>
        await process.ScrapeAsync("dotnet_total_memory_bytes") / 1024 / 1024;
}
