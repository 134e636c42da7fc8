using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MailDns.Core.Api;
using MailDns.Core.Dmarc.Rollout;
using MailDns.Core.Findings;
using MailDns.Core.Names;
using MailDns.Operator.Manifests;
using MailDns.Operator.Reports;

namespace MailDns.Operator.Cli;

/// <summary>
/// <c>maildns rollout plan PATH... --reports PATH... [--now TIME]</c>: for each SendingDomain with spec.dmarc.rollout,
/// what the planner would decide on these reports, without writing anything. The stage and its times come from the
/// manifest's status.dmarc (a manifest exported from the cluster carries it); without one, the rollout starts now.
/// </summary>
public static class RolloutCommand
{
    public static Command Create(Console2 console)
    {
        var paths = new Argument<string[]>("paths") { Arity = ArgumentArity.OneOrMore, Description = "Manifest files or directories." };
        var reports = new Option<string[]>("--reports")
        {
            Required = true,
            AllowMultipleArgumentsPerToken = true,
            Description = "Report files or directories (as `reports parse` reads them), read into a temporary store.",
        };
        var now = new Option<string?>("--now") { Description = "The time to plan at (ISO 8601); default: now." };
        now.Validators.Add(r =>
        {
            if (r.GetValue(now) is { } text && FixedClock.Parse(text) is null)
            {
                r.AddError("--now must be an ISO 8601 time such as 2026-12-01T12:00:00Z");
            }
        });
        var output = CommonOptions.Output();
        var plan = new Command("plan", "Preview each rollout's next decision on the given reports; nothing is written.")
        {
            paths,
            reports,
            now,
            output,
        };
        plan.SetAction(p =>
            Plan(
                p.GetValue(paths)!,
                p.GetValue(reports)!,
                p.GetValue(now) is { } at ? FixedClock.Parse(at)!.Value : DateTimeOffset.UtcNow,
                p.GetValue(output) == "json",
                console
            )
        );
        return new Command("rollout", "DMARC rollouts driven by the aggregate reports.") { plan };
    }

    public sealed record PlanJson(
        string Name,
        string Domain,
        string Stage,
        string EffectivePolicy,
        bool Testing,
        string Decision,
        string NextStage,
        string Reason,
        long Messages,
        double? PassRate
    );

    public static int Plan(IReadOnlyList<string> paths, IReadOnlyList<string> reportPaths, DateTimeOffset now, bool json, Console2 console)
    {
        IReadOnlyList<ValidatedDocument> results;
        try
        {
            results = ManifestValidation.Default.Validate(ManifestLoader.Load(paths));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            console.Error.WriteLine($"maildns rollout plan: {e.Message}");
            return ExitCodes.Usage;
        }

        foreach (
            var (result, finding) in results
                .Where(r => !r.Valid)
                .SelectMany(r => r.Findings.Where(f => f.Severity == Severity.Error).Select(f => (r, f)))
        )
        {
            console.Error.WriteLine($"maildns rollout plan: {result.Document.File}: {finding.Path}: {finding.Message}");
        }

        var domains = results.Where(r => r.Valid).Select(r => r.Resource).OfType<SendingDomain>().ToList();
        var dir = Directory.CreateTempSubdirectory("maildns-rollout-");
        try
        {
            var store = new ReportStore(ReportDatabase.Parse(Path.Combine(dir.FullName, "reports.db")));
            store.MigrateAsync().GetAwaiter().GetResult();
            if (!Import(store, reportPaths, now, console, "rollout plan"))
            {
                return ExitCodes.Usage;
            }

            var plans = domains.Where(sd => RolloutSettings.Of(sd.Spec.Dmarc) is not null).Select(sd => PlanOne(sd, store, now)).ToList();
            if (json)
            {
                console.Out.WriteLine(JsonSerializer.Serialize(plans, new JsonSerializerOptions(JsonSerializerDefaults.Web)));
            }
            else
            {
                foreach (var p in plans)
                {
                    var rate = p.PassRate is { } r ? r.ToString("0.##%", CultureInfo.InvariantCulture) : "n/a";
                    console.Out.WriteLine(
                        $"{p.Name} ({p.Domain}): {p.Stage} -> {p.Decision} -> {p.NextStage}: {p.Messages} message(s), {rate}"
                    );
                    console.Out.WriteLine($"  {p.Reason}");
                }
            }

            return results.Any(r => !r.Valid) ? ExitCodes.Invalid : ExitCodes.Ok;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools(); // the file is closed before the directory goes
            dir.Delete(recursive: true);
        }
    }

    private static PlanJson PlanOne(SendingDomain sd, ReportStore store, DateTimeOffset now)
    {
        var step = RolloutEvaluation.WeighAsync(sd, store, now, CancellationToken.None).GetAwaiter().GetResult()!;
        return new PlanJson(
            sd.Metadata.Name,
            DomainName.Normalize(sd.Spec.Domain),
            step.From.Name,
            step.From.Policy,
            step.From.Testing,
            step.Decision.Name,
            step.Decision.Stage.Name,
            step.Decision.Reason,
            step.Evidence.Messages,
            step.Evidence.PassRate is { } rate ? Math.Round(rate, 4) : null
        );
    }

    /// <summary>Reads report files and directories into the store; false (a usage error) when a path does not exist.</summary>
    public static bool Import(ReportStore store, IReadOnlyList<string> paths, DateTimeOffset now, Console2 console, string command)
    {
        using var sink = store.BeginImport(now);
        var found = ReportsCommand.ReadAll(
            command,
            paths,
            console,
            (file, stream) => ReportReader.Read(file, stream, sink: sink),
            "--reports "
        );
        foreach (var rejected in found?.Where(f => f.Summary.Error is not null) ?? [])
        {
            console.Error.WriteLine($"maildns {command}: {rejected.Source}: not used: {rejected.Summary.Error}");
        }

        return found is not null;
    }
}
