using System.Collections.Concurrent;
using System.Diagnostics;
using k8s;
using k8s.Models;
using MailDns.Core.Api;
using MailDns.Core.Dkim;
using MailDns.Operator.Controllers;
using MailDns.Operator.Kubernetes;
using MailDns.Testing;

namespace MailDns.Benchmarks;

/// <summary>
/// 1,000 SendingDomains applied at once to the test API server, reconciled by the operator (in-process, default
/// workers) publishing with RFC 2136 to a real BIND, until every one is Ready: wall seconds and the operator's API
/// requests per domain (the benchmark's own creates and polls are not counted).
/// </summary>
public static class ReconcileBenchmark
{
    public static Dictionary<string, double> Run(int domains, string algorithm, string prefix)
    {
        using var bind = new BindServer([(Fleet.Zone, $"_spf.{Fleet.Zone}. 300 IN TXT \"v=spf1 -all\"")]);
        using var data = new TempDir();
        var api = ApiServer.StartAsync().GetAwaiter().GetResult();
        try
        {
            return RunAsync(api, bind, data, domains, algorithm, prefix).GetAwaiter().GetResult();
        }
        finally
        {
            api.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>The namespace "mail", the TSIG Secret and the DnsProvider "bench" for <see cref="Fleet.Zone"/> on BIND.</summary>
    public static async Task SetUpAsync(ApiServer api, BindServer bind)
    {
        await api.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "mail" } });
        await api.Client.CoreV1.CreateNamespacedSecretAsync(
            new V1Secret
            {
                Metadata = new V1ObjectMeta { Name = "tsig" },
                StringData = new Dictionary<string, string> { ["secret"] = bind.Secret },
            },
            "mail"
        );
        await new GenericClient(api.Client, "maildns.io", "v1alpha1", "dnsproviders", disposeClient: false).CreateNamespacedAsync(
            new DnsProvider
            {
                Metadata = new V1ObjectMeta { Name = "bench", NamespaceProperty = "mail" },
                Spec = new DnsProviderSpec
                {
                    Zone = Fleet.Zone,
                    Rfc2136 = new Rfc2136ProviderSpec
                    {
                        Server = $"127.0.0.1:{bind.Port}",
                        TsigKeyName = bind.KeyName,
                        TsigAlgorithm = "hmac-sha256",
                        TsigSecretRef = new SecretKeyRef { Name = "tsig", Key = "secret" },
                    },
                },
            },
            "mail"
        );
    }

    /// <summary>Records BIND has added or deleted, from its log ("updating zone ... adding an RR / deleting").</summary>
    private static int RecordChangesLogged(BindServer bind)
    {
        lock (bind.Log)
        {
            return bind.Log.ToString().Split('\n').Count(l => l.Contains(": updating zone '", StringComparison.Ordinal));
        }
    }

    private static bool IsReady(SendingDomain sd) =>
        sd.Status?.Conditions?.Any(c => c.Type == ConditionTypes.Ready && c.Status == "True") == true;

    /// <summary>How many SendingDomains in "mail" are Ready.</summary>
    public static async Task<int> ReadyAsync(ApiServer api)
    {
        var list = await api.Client.CustomObjects.ListNamespacedCustomObjectAsync("maildns.io", "v1alpha1", "mail", "sendingdomains");
        return ((System.Text.Json.JsonElement)list)
            .GetProperty("items")
            .EnumerateArray()
            .Count(i =>
                i.TryGetProperty("status", out var s)
                && s.TryGetProperty("conditions", out var c)
                && c.EnumerateArray()
                    .Any(x => x.GetProperty("type").GetString() == "Ready" && x.GetProperty("status").GetString() == "True")
            );
    }

    private static async Task<Dictionary<string, double>> RunAsync(
        ApiServer api,
        BindServer bind,
        TempDir data,
        int domains,
        string algorithm,
        string prefix
    )
    {
        await SetUpAsync(api, bind);
        using var stop = new CancellationTokenSource();
        var controller = OperatorServices.Create(api.Client, new ControllerOptions(null, data.Path, [bind.Endpoint]), TimeProvider.System);
        var running = controller.RunAsync(stop.Token);
        var sds = new GenericClient(api.Client, "maildns.io", "v1alpha1", "sendingdomains", disposeClient: false);
        while (!controller.Synced)
        {
            await Task.Delay(50);
        }

        // Readiness as `kubectl get -w` sees it: one watch, started before counting, instead of LISTing 1,000 objects
        // every 250 ms (those lists cost the shared two cores more than a tenth of the run).
        var ready = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        Informer<SendingDomain>? seen = null;
        seen = new Informer<SendingDomain>(
            api.Client,
            "maildns.io",
            "v1alpha1",
            "sendingdomains",
            "mail",
            key => ready[key] = seen!.Cache.TryGetValue(key, out var sd) && IsReady(sd),
            TimeSpan.FromHours(1)
        );
        var watching = seen.RunAsync(stop.Token);
        await seen.Synced;

        var mark = api.Host.Requests.Count;
        var reconcilesBefore = controller.Queue.Reconciles;
        var serial = bind.Serial();
        var changesLogged = RecordChangesLogged(bind);
        var watch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, domains), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, token) =>
            await sds.CreateNamespacedAsync(Fleet.Domain(i, algorithm: algorithm), "mail", token)
        );
        while (ready.Values.Count(r => r) < domains && watch.Elapsed < TimeSpan.FromMinutes(10))
        {
            await Task.Delay(20);
        }

        var seconds = watch.Elapsed.TotalSeconds;
        var reconciles = controller.Queue.Reconciles - reconcilesBefore;
        var updates = bind.Serial() - serial;
        var recordChanges = RecordChangesLogged(bind) - changesLogged;
        var readyCount = ready.Values.Count(r => r);
        await stop.CancelAsync();
        await running;
        await watching;

        // Where the requests went, per domain, without the benchmark's own creates and polls.
        var breakdown = api
            .Host.Requests.Skip(mark)
            .GroupBy(r => $"{r.Verb.ToLowerInvariant()}_{r.Resource}{(r.Subresource is null ? "" : "_" + r.Subresource)}")
            .ToDictionary(g => g.Key, g => g.Count());
        breakdown["create_sendingdomains"] = breakdown.GetValueOrDefault("create_sendingdomains") - domains;
        var operatorRequests = breakdown.Values.Sum();

        // A domain's first health report comes after it is Ready (the check runs once the status lists its records) and
        // is written by a second reconcile: a status patch beyond the five a domain needs to get there. Counted apart,
        // from the statuses the watch saw, so the requests to Ready can be told from the reports that landed meanwhile.
        var healthWritten = seen.Cache.Values.Count(sd => sd.Status?.Health?.LastCheckTime is not null);
        var statusPatchesBeyondFirst = api
            .Host.Requests.Skip(mark)
            .Where(r => r is { Resource: "sendingdomains", Subresource: "status" })
            .Where(r => r.Verb.Equals("patch", StringComparison.OrdinalIgnoreCase))
            .GroupBy(r => r.Name)
            .Sum(g => g.Count() - 1);
        var figures = breakdown
            .Where(p => p.Value > 0)
            .ToDictionary(p => $"{prefix}_requests_per_domain_{p.Key}", p => Math.Round((double)p.Value / domains, 2));
        if (algorithm == "rsa-sha256")
        {
            // The floor: the same number of RSA-2048 keys generated alone, on every core, in the same process.
            var alone = Stopwatch.StartNew();
            Parallel.For(0, domains, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, _ =>
                DkimKeyMaterial.Generate(DkimAlgorithm.RsaSha256)
            );
            var keygen = alone.Elapsed.TotalSeconds;
            figures[$"{prefix}_keygen_alone_seconds"] = Math.Round(keygen, 1);
            figures[$"{prefix}_ratio_to_keygen_alone"] = Math.Round(seconds / keygen, 2);
        }

        return new Dictionary<string, double>(figures)
        {
            [$"{prefix}_domains"] = domains,
            [$"{prefix}_ready"] = readyCount,
            [$"{prefix}_seconds_until_all_ready"] = Math.Round(seconds, 1),
            [$"{prefix}_api_requests_per_domain"] = Math.Round((double)operatorRequests / domains, 2),
            [$"{prefix}_reconciles_per_domain"] = Math.Round((double)reconciles / domains, 2),
            [$"{prefix}_health_reports_written_per_domain"] = Math.Round((double)healthWritten / domains, 3),
            [$"{prefix}_status_patches_beyond_first_per_domain"] = Math.Round((double)statusPatchesBeyondFirst / domains, 3),
            [$"{prefix}_dns_updates_per_domain"] = Math.Round((double)updates / domains, 2),
            [$"{prefix}_dns_record_changes_per_domain"] = Math.Round((double)recordChanges / domains, 2),
        };
    }
}
