using System.Globalization;
using System.Text.Json;
using MailDns.Benchmarks;

// Usage: dotnet run -c Release --project tests/MailDns.Benchmarks [-- --quick]
var quick = args.Contains("--quick");
var figures = new SortedDictionary<string, double>(StringComparer.Ordinal) { ["cores"] = Environment.ProcessorCount };
foreach (var (name, value) in KeygenBenchmark.Run(quick ? 9 : 101))
{
    figures[name] = value;
}

foreach (var (name, value) in figures)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-45} {value}"));
}

Console.WriteLine(JsonSerializer.Serialize(figures));
