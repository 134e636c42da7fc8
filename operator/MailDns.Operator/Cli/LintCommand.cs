using System.CommandLine;
using MailDns.Core.Bimi;
using MailDns.Core.Dkim;
using MailDns.Core.Dmarc;
using MailDns.Core.Findings;
using MailDns.Core.MtaSts;
using MailDns.Core.Spf;
using MailDns.Core.TlsRpt;
using MailDns.Core.Txt;

namespace MailDns.Operator.Cli;

/// <summary><c>maildns lint KIND "RECORD"</c>: one record, bare or in presentation form ("part1" "part2").</summary>
public static class LintCommand
{
    public static readonly string[] Kinds = ["spf", "dmarc", "dkim", "mta-sts", "tls-rpt", "bimi"];

    public static Command Create(Console2 console)
    {
        var kind = new Argument<string>("kind") { Description = string.Join(", ", Kinds) };
        kind.AcceptOnlyFromAmong(Kinds);
        var record = new Argument<string>("record")
        {
            Description = "The TXT value: bare, as quoted strings (\"part1\" \"part2\"), or dig +short output (one record per line).",
        };
        var output = CommonOptions.Output();
        var command = new Command("lint", "Lint one SPF, DMARC, DKIM key, MTA-STS, TLS-RPT or BIMI record.") { kind, record, output };
        command.SetAction(parse => Run(parse.GetValue(kind)!, parse.GetValue(record)!, parse.GetValue(output) == "json", console));
        return command;
    }

    public static int Run(string kind, string record, bool json, Console2 console)
    {
        var records = RecordInput.Parse(record);
        int? lookups = null;
        var findings = new List<Finding>();
        for (var i = 0; i < records.Count; i++)
        {
            var (one, count) = Lint(kind, records[i].Strings);
            lookups = count ?? lookups;
            var prefix = records.Count > 1 ? $"record {i + 1}: " : "";
            findings.AddRange(one.Select(f => f with { Message = prefix + f.Message }));
            if (RecordInput.SplitNote(records[i], kind) is { } note)
            {
                findings.Add(note);
            }
        }

        // Several records of one kind at one name: receivers use none of them.
        if (records.Count > 1 && kind is "spf" or "dmarc")
        {
            var rule = kind == "spf" ? "receivers return permerror (RFC 7208 §4.5)" : "receivers ignore them all (RFC 9989 §4.10.1)";
            findings.Insert(0, Finding.Error($"{kind}.multiple-records", $"{records.Count} records given, one per line: {rule}"));
        }

        var valid = !findings.HasErrors();
        if (json)
        {
            console.Out.WriteLine(
                JsonOutput.Serialize(
                    new
                    {
                        valid,
                        findings = findings.Select(JsonOutput.ToJson),
                        lookups,
                    }
                )
            );
        }
        else
        {
            console.Out.WriteLine(
                $"{kind} record: {(valid ? "valid" : "INVALID")}{(lookups is { } n ? $", {n} DNS-querying term(s) in this record" : "")}"
            );
            foreach (var f in findings)
            {
                console.Out.WriteLine(HumanOutput.Line(f));
            }
        }

        return valid ? ExitCodes.Ok : ExitCodes.Invalid;
    }

    private static (IReadOnlyList<Finding> Findings, int? Lookups) Lint(string kind, IReadOnlyList<string> strings)
    {
        switch (kind)
        {
            case "spf":
                var spf = SpfLinter.Lint(strings);
                return (spf.Findings, spf.Lookups);
            case "dmarc":
                return (DmarcLinter.Lint(strings).Findings, null);
            case "dkim":
                return (DkimKeyRecordLinter.Lint(strings).Findings, null);
            case "mta-sts":
                return (MtaStsLinter.Lint(strings).Findings, null);
            case "tls-rpt":
                return (TlsRptLinter.Lint(strings).Findings, null);
            default:
                return (BimiLinter.Lint(strings).Findings, null);
        }
    }
}
