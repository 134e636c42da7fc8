using System.CommandLine;
using System.Globalization;
using MailDns.Core.Reports;
using MailDns.Operator.Reports;

namespace MailDns.Operator.Cli;

/// <summary>
/// <c>maildns reports parse PATH...</c>: the DMARC aggregate and TLS reports in files, offline, no database. A directory
/// is read recursively. Exit 0 when every input parsed, 1 when any report was rejected, 2 usage.
/// </summary>
public static class ReportsCommand
{
    /// <summary>The contract names every field, null included (`"error": null` for a report that parsed).</summary>
    private static readonly System.Text.Json.JsonSerializerOptions WithNulls = new(JsonOutput.Options)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.Never,
    };

    public static Command Create(Console2 console)
    {
        var paths = new Argument<string[]>("paths")
        {
            Arity = ArgumentArity.OneOrMore,
            Description = "Report files (.xml, .xml.gz, .zip, .json, .json.gz, .eml, mbox) or directories of them.",
        };
        var output = CommonOptions.Output();
        var parse = new Command("parse", "Summarise the DMARC aggregate and TLS reports in files.") { paths, output };
        parse.SetAction(p => Parse(p.GetValue(paths)!, p.GetValue(output) == "json", console));
        return new Command("reports", "What receivers report back: DMARC aggregate (RFC 7489, RFC 9990) and TLS (RFC 8460).") { parse };
    }

    public static int Parse(IReadOnlyList<string> paths, bool json, Console2 console)
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
                console.Error.WriteLine($"maildns reports parse: {path}: no such file or directory");
                return ExitCodes.Usage;
            }
        }

        var found = new List<FoundReport>();
        foreach (var file in files)
        {
            try
            {
                found.AddRange(ReportReader.Read(file));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                found.Add(new FoundReport(file, ReportSummary.Rejected(ReportKind.Aggregate, e.Message)));
            }
        }

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
                    }),
                    WithNulls
                )
            );
        }
        else
        {
            foreach (var (source, s) in found)
            {
                console.Out.WriteLine(
                    s.Error is { } error
                        ? $"{source}: REJECTED: {error}"
                        : $"{source}: {s.Kind.ToString().ToLowerInvariant()} report {s.ReportId} from {s.OrgName} for {s.PolicyDomain}, "
                            + $"{Iso(s.Begin)} to {Iso(s.End)}: {s.Records} row(s), {s.Messages} message(s)"
                            + (s.DmarcPass is { } pass ? $", {pass} passing DMARC" : "")
                );
            }
        }

        return found.Any(f => f.Summary.Error is not null) ? ExitCodes.Invalid : ExitCodes.Ok;
    }

    private static string? Iso(DateTimeOffset? time) =>
        time?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
