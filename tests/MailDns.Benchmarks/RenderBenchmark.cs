using System.Diagnostics;
using MailDns.Core.Publishing.Pulumi;
using MailDns.Core.Records;

namespace MailDns.Benchmarks;

/// <summary>
/// 10,000 SendingDomains (SPF, DMARC and an RSA-2048 DKIM key each) synthesized to records, then rendered to one
/// Pulumi program per provider (five providers, one per package family), timed end to end.
/// </summary>
public static class RenderBenchmark
{
    private static readonly string[] Packages = ["cloudflare", "aws", "gcp", "azure-native", "digitalocean"];

    public static Dictionary<string, double> Run(int domains, int runs)
    {
        var fleet = Enumerable.Range(0, domains).Select(i => Fleet.Domain(i)).ToList();
        var keys = Fleet.Keys;
        Render(fleet, keys); // warm-up (JIT)
        var samples = new List<double>();
        var records = 0;
        long programBytes = 0;
        for (var r = 0; r < runs; r++)
        {
            var watch = Stopwatch.StartNew();
            (records, programBytes) = Render(fleet, keys);
            samples.Add(watch.Elapsed.TotalMilliseconds);
        }

        samples.Sort();
        return new Dictionary<string, double>
        {
            ["render_domains"] = domains,
            ["render_records"] = records,
            ["render_program_megabytes"] = Math.Round(programBytes / 1e6, 1),
            ["render_median_seconds"] = Math.Round(samples[samples.Count / 2] / 1000, 3),
        };
    }

    private static (int Records, long ProgramBytes) Render(
        IReadOnlyList<Core.Api.SendingDomain> fleet,
        IReadOnlyList<Core.Dkim.DkimPublicKey> keys
    )
    {
        var byProvider = new List<DesiredRecord>[Packages.Length];
        for (var p = 0; p < Packages.Length; p++)
        {
            byProvider[p] = [];
        }

        for (var i = 0; i < fleet.Count; i++)
        {
            byProvider[i % Packages.Length].AddRange(RecordSynthesis.Synthesize(fleet[i], [keys[i % keys.Count]]));
        }

        long bytes = 0;
        var records = 0;
        for (var p = 0; p < Packages.Length; p++)
        {
            var config = new Dictionary<string, string>
            {
                ["zoneId"] = "023e105f4ecef8ad9ca31a8372d0c353",
                ["region"] = "eu-west-1",
                ["project"] = "bench",
                ["resourceGroupName"] = "dns",
                ["zoneName"] = Fleet.Zone,
                ["managedZone"] = "bench",
            };
            var (program, settings) = PulumiProgram.Render(
                new PulumiStack($"bench-{Packages[p]}", Packages[p], Fleet.Zone, config, byProvider[p])
            );
            bytes += program.Length + settings.Length;
            records += byProvider[p].Count;
        }

        return (records, bytes);
    }
}
