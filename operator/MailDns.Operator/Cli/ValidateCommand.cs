using System.CommandLine;
using MailDns.Core.Findings;
using MailDns.Operator.Manifests;

namespace MailDns.Operator.Cli;

/// <summary><c>maildns validate PATH...</c>: every document checked against the CRD schema and the semantic rules.</summary>
public static class ValidateCommand
{
    public static Command Create(Console2 console)
    {
        var paths = new Argument<string[]>("paths")
        {
            Arity = ArgumentArity.OneOrMore,
            Description = "Manifest files or directories (searched recursively for .yaml, .yml, .json).",
        };
        var output = CommonOptions.Output();
        var command = new Command(
            "validate",
            "Check SendingDomain, DnsProvider and ClusterDnsProvider manifests against the schema and the semantic rules."
        )
        {
            paths,
            output,
        };
        command.SetAction(parse => Run(parse.GetValue(paths)!, parse.GetValue(output) == "json", console));
        return command;
    }

    public static int Run(IReadOnlyList<string> paths, bool json, Console2 console)
    {
        IReadOnlyList<ManifestDocument> docs;
        try
        {
            docs = ManifestLoader.Load(paths);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            console.Error.WriteLine($"maildns validate: {e.Message}");
            return ExitCodes.Usage;
        }

        var results = ManifestValidation.Default.Validate(docs);
        if (json)
        {
            console.Out.WriteLine(
                JsonOutput.Serialize(
                    results.Select(r => new
                    {
                        file = r.Document.File,
                        kind = r.Kind,
                        name = r.Name,
                        valid = r.Valid,
                        findings = r.Findings.Select(f => new
                        {
                            path = f.Path,
                            line = r.Document.LineOf(f.Path),
                            code = f.Code,
                            severity = f.Severity.ToText(),
                            message = f.Message,
                        }),
                    })
                )
            );
        }
        else
        {
            foreach (var r in results.Where(r => r.Resource is not null || r.Findings.HasErrors()))
            {
                var what = r.Kind is null
                    ? $"(document {r.Document.Index + 1})"
                    : $"{r.Kind} {(r.Kind == "ClusterDnsProvider" ? "" : r.Document.Namespace + "/")}{r.Name ?? "(no name)"}";
                console.Out.WriteLine($"{(r.Valid ? "ok     " : "INVALID")} {r.Document.File} {what}");
                foreach (var f in r.Findings)
                {
                    console.Out.WriteLine($"  {r.Document.File}:{r.Document.LineOf(f.Path)}:{HumanOutput.Line(f)[1..]}");
                }
            }

            var checkedCount = results.Count(r => r.Resource is not null || r.Findings.HasErrors());
            console.Out.WriteLine(
                $"{checkedCount} maildns.io document(s) checked, {results.Count(r => !r.Valid)} invalid, {results.Count - checkedCount} "
                    + $"other document(s) skipped"
            );
        }

        return results.Any(r => !r.Valid) ? ExitCodes.Invalid : ExitCodes.Ok;
    }
}
