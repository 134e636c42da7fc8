using System.Globalization;
using System.Text.Json;
using MailDns.Benchmarks;
using MailDns.Operator.Kubernetes;

// Usage: tests/bench.sh [--quick] [--only NAME,...]
// (dotnet run -c Release --project tests/MailDns.Benchmarks -- the same). NAME is a Section below; the growth
// benchmark runs an hour (2 minutes with --quick, N with --growth-minutes N). Prints one line per figure as it goes, and one
// JSON object of every figure as the last line.
// The operator's serializer settings (as `maildns` sets them first thing) for the benchmarks that host it in-process.
KubernetesJsonMetadata.UseReflection();
var quick = args.Contains("--quick");
var only = args.SkipWhile(a => a != "--only").Skip(1).FirstOrDefault()?.Split(',').ToHashSet(StringComparer.Ordinal);
var figures = new SortedDictionary<string, double>(StringComparer.Ordinal)
{
    ["cores"] = Environment.ProcessorCount,
    ["quick"] = quick ? 1 : 0,
};

void Section(string name, Func<Dictionary<string, double>> run)
{
    if (only is not null && !only.Contains(name))
    {
        return;
    }

    Console.Error.WriteLine($"== {name}");
    foreach (var (key, value) in run())
    {
        figures[key] = value;
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{key,-48} {value}"));
    }
}

Section("keygen", () => KeygenBenchmark.Run(quick ? 9 : 101));
Section("lint", () => LintBenchmarks.Run(quick));
Section("render", () => RenderBenchmark.Run(10_000, quick ? 3 : 7));
Section("health", () => HealthBenchmark.Run(quick ? 2_000 : 10_000, 64));
Section("pulumi", () => CoalescingBenchmark.Run(1_000));
Section("reconcile-ed25519", () => ReconcileBenchmark.Run(quick ? 200 : 1_000, "ed25519-sha256", "reconcile_ed25519"));
Section("reconcile-rsa", () => ReconcileBenchmark.Run(quick ? 100 : 1_000, "rsa-sha256", "reconcile_rsa2048"));
Section("memory", () => MemoryBenchmark.Run(quick ? 2_000 : 10_000));
Section("reports", () => ReportBenchmark.Run(quick ? 100_000 : 1_000_000, quick ? 20_000 : 100_000));
Section("blocklist", () => BlocklistBenchmark.Run(quick ? 1_000 : 10_000, 3));
var growthMinutes = args.SkipWhile(a => a != "--growth-minutes").Skip(1).Select(int.Parse).FirstOrDefault(quick ? 2 : 60);
Section("growth", () => GrowthBenchmark.Run(1_000, TimeSpan.FromMinutes(growthMinutes)));

Console.WriteLine(JsonSerializer.Serialize(figures));
