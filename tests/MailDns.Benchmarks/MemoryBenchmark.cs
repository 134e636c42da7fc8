using System.Diagnostics;
using k8s;
using k8s.Models;
using MailDns.Testing;

namespace MailDns.Benchmarks;

/// <summary>
/// The operator process watching 10,000 SendingDomains, idle, next to the same process watching none: resident
/// memory (VmRSS) 5 s after its last first reconcile (the burst just over) and 30 s after (idle: IdleMemoryTrim
/// looks every 10 s), and the managed heap from its own /metrics. Twice: the framework-dependent maildns.dll the
/// tests run, and the image's build (self-contained, trimmed, ReadyToRun: the Dockerfile's publish). Each build
/// watches its own namespace of fresh domains, each carrying the last-applied annotation `kubectl apply` leaves (a
/// real API server adds managedFields too, which the test API server does not). The domains name a provider that
/// does not exist, so each is reconciled once (Ready=False ProviderNotFound, which waits for a change) and then
/// stays in the caches, queue and scheduler untouched.
/// </summary>
public static class MemoryBenchmark
{
    public static Dictionary<string, double> Run(int domains) => RunAsync(domains).GetAwaiter().GetResult();

    private static async Task<Dictionary<string, double>> RunAsync(int domains)
    {
        await using var api = await ApiServer.StartAsync();
        using var image = new ImagePublish(readyToRun: true);
        if (!image.Succeeded)
        {
            throw new InvalidOperationException($"the image's publish failed:\n{image.Log}");
        }

        var figures = new Dictionary<string, double> { ["memory_domains_watched"] = domains };
        foreach (var (build, executable) in new[] { ("dll", (string?)null), ("image", image.Maildns) })
        {
            var ns = $"mail-{build}";
            await api.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } });
            var empty = await IdleAsync(api, executable, ns, 0);
            figures[$"memory_{build}_rss_megabytes_no_domains"] = Math.Round(empty.Rss, 1);
            figures[$"memory_{build}_managed_heap_megabytes_no_domains"] = Math.Round(empty.Managed, 1);

            var sds = new GenericClient(api.Client, "maildns.io", "v1alpha1", "sendingdomains", disposeClient: false);
            await Parallel.ForEachAsync(
                Enumerable.Range(0, domains),
                new ParallelOptions { MaxDegreeOfParallelism = 32 },
                async (i, token) =>
                {
                    var domain = Fleet.Domain(i, provider: "absent");
                    domain.Metadata.NamespaceProperty = ns;
                    domain.Metadata.Annotations = new Dictionary<string, string>
                    {
                        // As `kubectl apply` (and GitOps tools built on it) leave every object: the applied JSON again.
                        ["kubectl.kubernetes.io/last-applied-configuration"] = KubernetesJson.Serialize(domain) + "\n",
                    };
                    await sds.CreateNamespacedAsync(domain, ns, token);
                }
            );
            var watched = await IdleAsync(api, executable, ns, domains);
            figures[$"memory_{build}_seconds_until_all_reconciled"] = Math.Round(watched.Seconds, 1);
            figures[$"memory_{build}_rss_megabytes_5s_after_last_reconcile"] = Math.Round(watched.AfterBurst, 1);
            figures[$"memory_{build}_rss_megabytes_idle"] = Math.Round(watched.Rss, 1);
            figures[$"memory_{build}_managed_heap_megabytes_idle"] = Math.Round(watched.Managed, 1);
        }

        return figures;
    }

    private sealed record Idle(double Seconds, double AfterBurst, double Rss, double Managed);

    /// <summary>
    /// Starts an operator watching <paramref name="ns"/>, waits until it has reconciled <paramref name="domains"/>
    /// (its own reconcile counter), and reads its memory 5 s and 30 s after.
    /// </summary>
    private static async Task<Idle> IdleAsync(ApiServer api, string? executable, string ns, int domains)
    {
        using var data = new TempDir();
        using var process = OperatorProcess.StartExecutable(executable, api.Host.BaseAddress, data.Path, "--namespace", ns);
        var watch = Stopwatch.StartNew();
        do
        {
            await Task.Delay(1000);
            if (watch.Elapsed > TimeSpan.FromMinutes(10))
            {
                throw new TimeoutException($"{domains} domains were not reconciled in 10 minutes:\n{process.Log}");
            }
        } while (!await ReconciledAsync(process, domains));

        var seconds = watch.Elapsed.TotalSeconds;
        await Task.Delay(TimeSpan.FromSeconds(5));
        var afterBurst = process.ResidentMegabytes();
        await Task.Delay(TimeSpan.FromSeconds(25)); // idle
        var managed = await process.ScrapeAsync("dotnet_total_memory_bytes") / 1024 / 1024;
        return new Idle(seconds, afterBurst, process.ResidentMegabytes(), managed);
    }

    private static async Task<bool> ReconciledAsync(OperatorProcess process, int domains)
    {
        try
        {
            return await process.ScrapeAsync("maildns_reconcile_total") >= domains;
        }
        catch (HttpRequestException)
        {
            return false; // the listener is starting
        }
    }
}
