using System.Diagnostics;
using k8s;
using k8s.Models;
using MailDns.Testing;

namespace MailDns.Benchmarks;

/// <summary>
/// The operator process watching 10,000 SendingDomains, idle: resident memory (VmRSS) once every domain has a
/// status. The domains name a provider that does not exist, so each is reconciled once (Ready=False
/// ProviderNotFound, which waits for a change) and then stays in the caches, queue and scheduler untouched.
/// </summary>
public static class MemoryBenchmark
{
    public static Dictionary<string, double> Run(int domains) => RunAsync(domains).GetAwaiter().GetResult();

    private static async Task<Dictionary<string, double>> RunAsync(int domains)
    {
        await using var api = await ApiServer.StartAsync();
        using var data = new TempDir();
        await api.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "mail" } });
        var sds = new GenericClient(api.Client, "maildns.io", "v1alpha1", "sendingdomains", disposeClient: false);
        await Parallel.ForEachAsync(Enumerable.Range(0, domains), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, token) =>
            await sds.CreateNamespacedAsync(Fleet.Domain(i, provider: "absent"), "mail", token));

        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "maildns.dll"), "operator", "--server", api.Host.BaseAddress.ToString(), "--data-dir", data.Path, "--metrics-address", "" })
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var watch = Stopwatch.StartNew();
            int withStatus;
            do
            {
                await Task.Delay(1000);
                var list = await api.Client.CustomObjects.ListNamespacedCustomObjectAsync("maildns.io", "v1alpha1", "mail", "sendingdomains");
                withStatus = ((System.Text.Json.JsonElement)list).GetProperty("items").EnumerateArray().Count(i => i.TryGetProperty("status", out _));
            }
            while (withStatus < domains && watch.Elapsed < TimeSpan.FromMinutes(10));

            var settled = watch.Elapsed.TotalSeconds;
            await Task.Delay(TimeSpan.FromSeconds(5)); // idle
            var rss = ResidentMegabytes(process.Id);
            return new Dictionary<string, double>
            {
                ["memory_domains_watched"] = domains,
                ["memory_domains_with_status"] = withStatus,
                ["memory_seconds_until_all_reconciled"] = Math.Round(settled, 1),
                ["memory_operator_rss_megabytes_idle"] = Math.Round(rss, 1),
            };
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    private static double ResidentMegabytes(int pid) =>
        File.ReadLines($"/proc/{pid}/status").Where(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
            .Select(l => double.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024).Single();
}
