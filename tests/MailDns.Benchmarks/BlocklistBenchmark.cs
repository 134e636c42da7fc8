using System.Diagnostics;
using DnsClient;
using MailDns.Core.Reputation;
using MailDns.Operator.Reputation;
using MailDns.Testing;

namespace MailDns.Benchmarks;

/// <summary>
/// Blocklist checks against a real BIND on loopback serving three lists (one address in a hundred listed on each): the
/// product's <see cref="ReputationGatherer"/> (cache, budget and verdicts; the budget set wide open, as a private mirror
/// of the lists allows) asking about N addresses on the three lists, beside a raw DnsClient loop asking exactly the same
/// questions with the same number in flight. Each is the median of several runs, with a fresh cache every run.
/// </summary>
public static class BlocklistBenchmark
{
    private static readonly string[] Zones = ["zen.bl.test", "b.bl.test", "c.bl.test"];

    public static Dictionary<string, double> Run(int addresses, int runs, int parallel = 64)
    {
        var ips = Enumerable.Range(0, addresses).Select(i => $"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}").ToList();
        var listed = ips.Where((_, i) => i % 100 == 7).ToList();
        using var bind = new BindServer(
            Zones.Select(zone => (zone, string.Concat(listed.Select(ip => $"{Reversed(ip)} A 127.0.0.2\n")))).ToList()
        );
        var lists = Zones.Select(z => BlocklistCatalog.Parse($"{z}:ip").List!).ToList();
        var figures = new Dictionary<string, double>
        {
            ["blocklist_addresses"] = addresses,
            ["blocklist_lists"] = lists.Count,
            ["blocklist_parallel"] = parallel,
        };

        var questions = ips.SelectMany(ip => Zones.Select(zone => $"{Reversed(ip)}.{zone}")).ToList();
        // Alternated, one of each per round, so neither side always runs on a colder or warmer server.
        var (raw, product) = Samples.Paired(
            runs,
            () => Raw(bind, questions, parallel, listed.Count * Zones.Length),
            () => Product(bind, ips, lists, parallel, listed.Count * Zones.Length)
        );
        raw.AddTo(figures, "blocklist_raw_dnsclient_seconds");
        product.AddTo(figures, "blocklist_product_seconds");
        figures["blocklist_product_ratio_to_raw"] = Math.Round(raw.Median / product.Median, 3);
        figures["blocklist_product_queries_per_second"] = Math.Round(questions.Count / product.Median);
        return figures;
    }

    private static string Reversed(string ip) => string.Join('.', ip.Split('.').Reverse());

    private static double Product(BindServer bind, List<string> ips, List<Blocklist> lists, int parallel, int expected)
    {
        var lookups = new ReputationLookups(
            new DnsClientReputationDns([bind.Endpoint]),
            TimeProvider.System,
            new BudgetLimits(int.MaxValue, 1_000_000)
        );
        var gatherer = new ReputationGatherer(lookups, parallel);
        var watch = Stopwatch.StartNew();
        var results = gatherer.CheckAsync(ips, lists, reverseDns: false, CancellationToken.None).GetAwaiter().GetResult();
        var seconds = watch.Elapsed.TotalSeconds;
        var hits = results.Sum(r => r.Results.Count(l => l.IsListing));
        if (hits != expected)
        {
            throw new InvalidOperationException($"the product found {hits} listings, {expected} are in the zones");
        }

        return seconds;
    }

    private static double Raw(BindServer bind, List<string> questions, int parallel, int expected)
    {
        var client = new LookupClient(new LookupClientOptions(bind.Endpoint) { UseCache = false, Timeout = TimeSpan.FromSeconds(2) });
        var hits = 0;
        var watch = Stopwatch.StartNew();
        Parallel
            .ForEachAsync(
                questions,
                new ParallelOptions { MaxDegreeOfParallelism = parallel },
                async (name, token) =>
                {
                    var response = await client.QueryAsync(name, QueryType.A, QueryClass.IN, token);
                    if (response.Answers.ARecords().Any())
                    {
                        Interlocked.Increment(ref hits);
                    }
                }
            )
            .GetAwaiter()
            .GetResult();
        var seconds = watch.Elapsed.TotalSeconds;
        if (hits != expected)
        {
            throw new InvalidOperationException($"raw DnsClient found {hits} listings, {expected} are in the zones");
        }

        return seconds;
    }
}
