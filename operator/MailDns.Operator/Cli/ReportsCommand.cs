using System.CommandLine;
using System.Globalization;
using MailDns.Core.Reports;
using MailDns.Operator.Reports;

namespace MailDns.Operator.Cli;

/// <summary>
/// <c>maildns reports parse|import|summary</c>: the DMARC aggregate, TLS and failure reports in files, read offline
/// (parse), kept in the report store once each (import), and what they say about one domain (summary). A directory is
/// read recursively. Exit 0 when every input parsed, 1 when any report was rejected, 2 usage, 3 the store unreachable.
/// </summary>
public static class ReportsCommand
{
    /// <summary>The contract names every field, null included (`"error": null` for a report that parsed).</summary>
    private static readonly System.Text.Json.JsonSerializerOptions WithNulls = new(JsonOutput.Options)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.Never,
    };

    private static readonly System.Text.Json.JsonSerializerOptions Contract = new(WithNulls)
    {
        TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver { Modifiers = { DropNullOutcome } },
    };

    private static void DropNullOutcome(System.Text.Json.Serialization.Metadata.JsonTypeInfo info)
    {
        foreach (var property in info.Properties.Where(p => p.Name == "outcome"))
        {
            property.ShouldSerialize = (_, value) => value is not null;
        }
    }

    public static Command Create(Console2 console)
    {
        var paths = ReportPaths();
        var output = CommonOptions.Output();
        var parse = new Command("parse", "Summarise the DMARC aggregate, TLS and failure reports in files.") { paths, output };
        parse.SetAction(p => Parse(p.GetValue(paths)!, p.GetValue(output) == "json", console));

        var importPaths = ReportPaths();
        var db = Database();
        var importOutput = CommonOptions.Output();
        var importNow = Now("the time the reports are stamped as received");
        var import = new Command("import", "Store the reports in files, once each (by reporting organisation and report id).")
        {
            importPaths,
            db,
            importOutput,
            importNow,
        };
        import.SetAction(p =>
            Import(p.GetValue(importPaths)!, p.GetValue(db)!, p.GetValue(importOutput) == "json", console, Clock(p.GetValue(importNow)))
        );

        var summaryDb = Database();
        var domain = new Option<string>("--domain") { Description = "The domain the reports are about.", Required = true };
        var days = new Option<int>("--days")
        {
            Description = "The window: reports whose period ended in the last N days.",
            DefaultValueFactory = _ => 7,
        };
        days.Validators.Add(r =>
        {
            if (r.GetValue(days) is < 1 or > 3650)
            {
                r.AddError("--days must be a whole number of days from 1 to 3650");
            }
        });
        var top = new Option<int>("--top")
        {
            Description = "How many reporters, sources and selectors to list.",
            DefaultValueFactory = _ => 10,
        };
        top.Validators.Add(r =>
        {
            if (r.GetValue(top) is < 1 or > 1000)
            {
                r.AddError("--top must be from 1 to 1000");
            }
        });
        var summaryOutput = CommonOptions.Output();
        var summaryNow = Now("the end of the window");
        var summary = new Command("summary", "What receivers reported about one domain over a window.")
        {
            summaryDb,
            domain,
            days,
            top,
            summaryOutput,
            summaryNow,
        };
        summary.SetAction(
            (p, ct) =>
                Summary(
                    ReportDatabase.Parse(p.GetValue(summaryDb)!),
                    p.GetValue(domain)!,
                    TimeSpan.FromDays(p.GetValue(days)),
                    p.GetValue(top),
                    p.GetValue(summaryOutput) == "json",
                    console,
                    Clock(p.GetValue(summaryNow)),
                    ct
                )
        );
        return new Command(
            "reports",
            "What receivers report back: DMARC aggregate (RFC 7489, RFC 9990), TLS (RFC 8460) and failure reports."
        )
        {
            parse,
            import,
            summary,
        };
    }

    private static Option<string?> Now(string what)
    {
        var option = new Option<string?>("--now") { Description = $"An ISO-8601 time to use as now ({what}); the clock by default." };
        option.Validators.Add(r =>
        {
            if (r.GetValue(option) is { } text && FixedClock.Parse(text) is null)
            {
                r.AddError($"--now '{text}' is not an ISO-8601 time such as 2026-03-01T09:00:00Z");
            }
        });
        return option;
    }

    private static TimeProvider Clock(string? now) => now is null ? TimeProvider.System : new FixedClock(FixedClock.Parse(now)!.Value);

    private static Argument<string[]> ReportPaths() =>
        new("paths")
        {
            Arity = ArgumentArity.OneOrMore,
            Description = "Report files (.xml, .xml.gz, .zip, .json, .json.gz, .eml, mbox) or directories of them.",
        };

    private static Option<string> Database()
    {
        var option = new Option<string>("--db")
        {
            Description =
                "A SQLite file path, or a PostgreSQL connection string (Host=...;Database=...) or postgresql:// URI; default: "
                + $"${ReportDatabase.EnvironmentVariable}, which keeps a password out of the command line (as does PGPASSWORD).",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable(ReportDatabase.EnvironmentVariable) ?? "",
        };
        option.Validators.Add(r =>
        {
            try
            {
                ReportDatabase.Parse(r.GetValue(option) ?? "");
            }
            catch (ArgumentException e)
            {
                r.AddError($"--db: {e.Message}");
            }
        });
        return option;
    }

    public static int Parse(IReadOnlyList<string> paths, bool json, Console2 console) =>
        ReadAll("reports parse", paths, console, (file, stream) => ReportReader.Read(file, stream)) is { } found
            ? Print(found, json, console)
            : ExitCodes.Usage;

    public static int Import(IReadOnlyList<string> paths, string location, bool json, Console2 console, TimeProvider time)
    {
        var database = ReportDatabase.Parse(location);
        try
        {
            var store = new ReportStore(database);
            store.MigrateAsync().GetAwaiter().GetResult();
            using var sink = store.BeginImport(time.GetUtcNow());
            return ReadAll("reports import", paths, console, (file, stream) => ReportReader.Read(file, stream, sink: sink)) is { } found
                ? Print(found, json, console)
                : ExitCodes.Usage;
        }
        catch (System.Data.Common.DbException e)
        {
            console.Error.WriteLine($"maildns reports import: {database.Description}: {e.Message}");
            return CheckCommand.Unreachable;
        }
    }

    /// <summary>
    /// Every file under the paths, read in name order; null (usage) when a path does not exist, before anything is read.
    /// Shared by the commands that read report files (<paramref name="option"/> names the option the paths came from).
    /// </summary>
    internal static List<FoundReport>? ReadAll(
        string command,
        IReadOnlyList<string> paths,
        Console2 console,
        Func<string, Stream, IReadOnlyList<FoundReport>> read,
        string option = ""
    )
    {
        var files = new List<string>();
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                files.AddRange(Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal));
            }
            else if (File.Exists(path))
            {
                files.Add(path);
            }
            else
            {
                console.Error.WriteLine($"maildns {command}: {option}{path}: no such file or directory");
                return null;
            }
        }

        var found = new List<FoundReport>();
        foreach (var file in files)
        {
            try
            {
                using var stream = File.OpenRead(file);
                found.AddRange(read(file, stream));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                found.Add(new FoundReport(file, ReportSummary.Rejected(ReportKind.Aggregate, e.Message), ReportOutcome.Rejected));
            }
        }

        return found;
    }

    private static int Print(List<FoundReport> found, bool json, Console2 console)
    {
        if (json)
        {
            console.Out.WriteLine(
                System.Text.Json.JsonSerializer.Serialize(
                    found.Select(f => new
                    {
                        file = f.Source,
                        kind = f.Summary.Kind.ToString().ToLowerInvariant(),
                        orgName = f.Summary.OrgName,
                        reportId = f.Summary.ReportId,
                        policyDomain = f.Summary.PolicyDomain,
                        begin = Iso(f.Summary.Begin),
                        end = Iso(f.Summary.End),
                        records = f.Summary.Records,
                        messages = f.Summary.Messages,
                        dmarcPass = f.Summary.DmarcPass,
                        error = f.Summary.Error,
                        // import adds what became of each report; parse keeps to the contract's fields
                        outcome = f.Outcome == ReportOutcome.Parsed ? null : f.Outcome.ToString().ToLowerInvariant(),
                    }),
                    Contract
                )
            );
        }
        else
        {
            foreach (var (source, s, outcome) in found)
            {
                var what = outcome switch
                {
                    ReportOutcome.Stored => "stored ",
                    ReportOutcome.Duplicate => "already stored ",
                    _ => "",
                };
                console.Out.WriteLine(
                    s.Error is { } error
                        ? $"{source}: REJECTED: {error}"
                        : $"{source}: {what}{s.Kind.ToString().ToLowerInvariant()} report {s.ReportId} from {s.OrgName} "
                            + $"for {s.PolicyDomain}, {Iso(s.Begin)} to {Iso(s.End)}: {s.Records} row(s), {s.Messages} message(s)"
                            + (s.DmarcPass is { } pass ? $", {pass} passing DMARC" : "")
                );
            }
        }

        return found.Any(f => f.Summary.Error is not null) ? ExitCodes.Invalid : ExitCodes.Ok;
    }

    public static async Task<int> Summary(
        ReportDatabase database,
        string domain,
        TimeSpan window,
        int top,
        bool json,
        Console2 console,
        TimeProvider time,
        CancellationToken cancellationToken
    )
    {
        var now = time.GetUtcNow();
        ReportWindow view;
        try
        {
            var store = new ReportStore(database);
            await store.MigrateAsync(cancellationToken);
            view = await store.WindowAsync(domain, now - window, now, top, cancellationToken);
        }
        catch (System.Data.Common.DbException e)
        {
            console.Error.WriteLine($"maildns reports summary: {database.Description}: {e.Message}");
            return CheckCommand.Unreachable;
        }

        if (json)
        {
            console.Out.WriteLine(System.Text.Json.JsonSerializer.Serialize(ReportWindowJson.From(view), WithNulls));
            return ExitCodes.Ok;
        }

        console.Out.Write(ReportWindowJson.Text(view));
        return ExitCodes.Ok;
    }

    private static string? Iso(DateTimeOffset? time) =>
        time?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
