using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using MailDns.Core.Dmarc;
using MailDns.Core.Spf;

namespace MailDns.Benchmarks;

/// <summary>
/// Linting on one core (BenchmarkDotNet, in-process): each operation lints a batch of realistic SPF or DMARC
/// records, so records per second is the batch size over the mean time per operation.
/// </summary>
[MemoryDiagnoser]
public class LintBenchmarks
{
    public static readonly string[] Spf =
    [
        "v=spf1 -all",
        "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 include:_spf.esp.example.net -all",
        "v=spf1 a mx include:_spf.google.com include:sendgrid.net include:mailgun.org ~all",
        "v=spf1 ip4:198.51.100.10 ip4:198.51.100.11 ip4:198.51.100.12 ip4:203.0.113.0/25 -all",
        "v=spf1 exists:%{i}._spf.example.com redirect=_spf.example.net",
        "v=spf1 include:spf.protection.outlook.com include:servers.mcsv.net -all",
        "v=spf1 a:mail.example.org mx:example.org ptr -all",
        "v=spf1 +all",
    ];

    public static readonly string[] Dmarc =
    [
        "v=DMARC1; p=reject",
        "v=DMARC1; p=quarantine; pct=50; rua=mailto:dmarc@example.com; ruf=mailto:forensic@example.com; fo=1",
        "v=DMARC1; p=none; rua=mailto:dmarc@example.com,mailto:reports@esp.example.net!10m; adkim=s; aspf=s",
        "v=DMARC1; p=reject; sp=quarantine; np=reject; rua=mailto:d@example.org; ri=3600",
        "v=DMARC1; p=none",
        "v=DMARC1; p=reject; adkim=r; aspf=r; pct=100; rf=afrf; ri=86400; rua=mailto:a@example.com",
        "v=DMARC1;p=reject;rua=mailto:x@example.com",
        "v=DMARC1; p=bogus",
    ];

    [Benchmark]
    public int LintSpfBatch()
    {
        var findings = 0;
        foreach (var record in Spf)
        {
            findings += SpfLinter.Lint(record).Findings.Count;
        }

        return findings;
    }

    [Benchmark]
    public int LintDmarcBatch()
    {
        var findings = 0;
        foreach (var record in Dmarc)
        {
            findings += DmarcLinter.Lint(record).Findings.Count;
        }

        return findings;
    }

    /// <summary>Runs both benchmarks and returns records per second for each.</summary>
    public static Dictionary<string, double> Run(bool quick)
    {
        var job = (quick ? Job.ShortRun.WithIterationCount(3).WithWarmupCount(1) : Job.Default).WithToolchain(
            InProcessEmitToolchain.Instance
        );
        var config = ManualConfig
            .CreateMinimumViable()
            .AddJob(job)
            .WithArtifactsPath(Path.Combine(Path.GetTempPath(), "maildns-bench-artifacts"));
        var summary = BenchmarkRunner.Run<LintBenchmarks>(config);
        var figures = new Dictionary<string, double>();
        foreach (var report in summary.Reports)
        {
            var method = report.BenchmarkCase.Descriptor.WorkloadMethod.Name;
            var meanNs = report.ResultStatistics?.Mean ?? double.NaN;
            var batch = method == nameof(LintSpfBatch) ? Spf.Length : Dmarc.Length;
            figures[method == nameof(LintSpfBatch) ? "lint_spf_records_per_second" : "lint_dmarc_records_per_second"] = Math.Round(
                batch * 1e9 / meanNs
            );
            figures[method == nameof(LintSpfBatch) ? "lint_spf_bytes_allocated_per_record" : "lint_dmarc_bytes_allocated_per_record"] =
                Math.Round((double)(report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase) ?? 0) / batch);
        }

        return figures;
    }
}
