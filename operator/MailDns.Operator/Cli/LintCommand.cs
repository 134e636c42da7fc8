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
        var record = new Argument<string>("record") { Description = "The TXT value, bare or as quoted strings (\"part1\" \"part2\")." };
        var output = CommonOptions.Output();
        var command = new Command("lint", "Lint one SPF, DMARC, DKIM key, MTA-STS, TLS-RPT or BIMI record.") { kind, record, output };
        command.SetAction(parse => Run(parse.GetValue(kind)!, parse.GetValue(record)!, parse.GetValue(output) == "json", console));
        return command;
    }

    public static int Run(string kind, string record, bool json, Console2 console)
    {
        var strings = TxtStrings.ParsePresentation(record);
        int? lookups = null;
        IReadOnlyList<Finding> findings;
        switch (kind)
        {
            case "spf":
                var spf = SpfLinter.Lint(strings);
                findings = spf.Findings;
                lookups = spf.Lookups;
                break;
            case "dmarc":
                findings = DmarcLinter.Lint(strings).Findings;
                break;
            case "dkim":
                findings = DkimKeyRecordLinter.Lint(strings).Findings;
                break;
            case "mta-sts":
                findings = MtaStsLinter.Lint(strings).Findings;
                break;
            case "tls-rpt":
                findings = TlsRptLinter.Lint(strings).Findings;
                break;
            default:
                findings = BimiLinter.Lint(strings).Findings;
                break;
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
}
