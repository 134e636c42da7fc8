using System.Diagnostics;
using k8s;
using k8s.Models;
using MailDns.Testing;

namespace MailDns.Benchmarks;

/// <summary>
/// The operator process watching 10,000 SendingDomains, idle: resident memory (VmRSS) once every domain has a
/// status, next to the same process watching none, and the managed heap from its own /metrics. The domains name
/// a provider that does not exist, so each is reconciled once (Ready=False ProviderNotFound, which waits for a
/// change) and then stays in the caches, queue and scheduler untouched.
/// </summary>
public static class MemoryBenchmark
{
    public static Dictionary<string, double> Run(int domains) => RunAsync(domains).GetAwaiter().GetResult();

    private static async Task<Dictionary<string, double>> RunAsync(int domains)
    {
        await using var api = await ApiServer.StartAsync();
        using var data = new TempDir();
        await api.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "mail" } });
        var (emptyRss, emptyManaged) = await IdleAsync(api, data.Path, () => Task.FromResult(true));

        var sds = new GenericClient(api.Client, "maildns.io", "v1alpha1", "sendingdomains", disposeClient: false);
        await Parallel.ForEachAsync(
            Enumerable.Range(0, domains),
            new ParallelOptions { MaxDegreeOfParallelism = 32 },
            async (i, token) => await sds.CreateNamespacedAsync(Fleet.Domain(i, provider: "absent"), "mail", token)
        );
        var watch = Stopwatch.StartNew();
        var withStatus = 0;
        var (rss, managed) = await IdleAsync(
            api,
            data.Path,
            async () =>
            {
                var list = await api.Client.CustomObjects.ListNamespacedCustomObjectAsync(
                    "maildns.io",
                    "v1alpha1",
                    "mail",
                    "sendingdomains"
                );
                withStatus = ((System.Text.Json.JsonElement)list)
                    .GetProperty("items")
                    .EnumerateArray()
                    .Count(i => i.TryGetProperty("status", out _));
                return withStatus >= domains || watch.Elapsed > TimeSpan.FromMinutes(10);
            }
        );

        return new Dictionary<string, double>
        {
            ["memory_domains_watched"] = domains,
            ["memory_domains_with_status"] = withStatus,
            ["memory_seconds_until_all_reconciled"] = Math.Round(watch.Elapsed.TotalSeconds, 1),
            ["memory_operator_rss_megabytes_idle"] = Math.Round(rss, 1),
            ["memory_operator_managed_heap_megabytes_idle"] = Math.Round(managed, 1),
            ["memory_operator_rss_megabytes_no_domains"] = Math.Round(emptyRss, 1),
            ["memory_operator_managed_heap_megabytes_no_domains"] = Math.Round(emptyManaged, 1),
        };
    }

    /// <summary>Starts an operator, polls <paramref name="settled"/> each second, idles 5 s, and reads its memory.</summary>
    private static async Task<(double Rss, double Managed)> IdleAsync(ApiServer api, string data, Func<Task<bool>> settled)
    {
        using var process = OperatorProcess.Start(api.Host.BaseAddress, data);
        do
        {
            await Task.Delay(1000);
        } while (!await settled());

        await Task.Delay(TimeSpan.FromSeconds(5)); // idle
        return (process.ResidentMegabytes(), await process.ScrapeAsync("dotnet_total_memory_bytes") / 1024 / 1024);
    }
}
