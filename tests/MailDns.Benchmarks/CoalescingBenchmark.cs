using System.Diagnostics;
using MailDns.Core.Records;
using MailDns.Operator.Publishing;
using MailDns.Operator.Publishing.Pulumi;
using MailDns.Testing;

namespace MailDns.Benchmarks;

/// <summary>
/// 1,000 SendingDomains publishing at once to one Pulumi provider through the operator's stack store (plan, then
/// a coalesced `pulumi up` of the stand-in CLI): how many runs, and how long until every publish returned.
/// </summary>
public static class CoalescingBenchmark
{
    public static Dictionary<string, double> Run(int domains)
    {
        using var standIn = new PulumiStandInHarness();
        var stacks = new PulumiStacks(
            new PulumiPublisher(new PulumiCli(standIn.Executable)),
            _ => [],
            TimeSpan.FromSeconds(2),
            2,
            TimeProvider.System
        );
        var target = new PulumiStackTarget(
            "bench",
            "cloudflare",
            Fleet.Zone,
            new Dictionary<string, string> { ["zoneId"] = "023e105f4ecef8ad9ca31a8372d0c353" },
            standIn.Workspace("bench")
        );
        var keys = Fleet.Keys;
        var watch = Stopwatch.StartNew();
        var results = Task.WhenAll(
                Enumerable
                    .Range(0, domains)
                    .Select(i =>
                        Task.Run(() =>
                            new RecordPublisher(stacks.For(target)).ApplyAsync(
                                RecordSynthesis.Synthesize(Fleet.Domain(i), [keys[i % keys.Count]]),
                                [],
                                adopt: false,
                                CancellationToken.None
                            )
                        )
                    )
            )
            .GetAwaiter()
            .GetResult();
        var seconds = watch.Elapsed.TotalSeconds;
        return new Dictionary<string, double>
        {
            ["pulumi_domains"] = domains,
            ["pulumi_up_runs"] = standIn.Calls().Count(c => (string?)c["argv"]![0] == "up"),
            ["pulumi_publishes_failed"] = results.Count(r => !r.Succeeded),
            ["pulumi_seconds"] = Math.Round(seconds, 2),
        };
    }
}
