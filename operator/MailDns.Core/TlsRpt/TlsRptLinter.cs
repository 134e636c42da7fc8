using MailDns.Core.Findings;
using MailDns.Core.MtaSts;
using MailDns.Core.TagLists;

namespace MailDns.Core.TlsRpt;

/// <summary>Lints the _smtp._tls TXT record (RFC 8460 §3).</summary>
public static class TlsRptLinter
{
    public static TagLintResult Lint(string record) => Lint([record]);

    public static TagLintResult Lint(IReadOnlyList<string> strings)
    {
        var (findings, tags, versioned) = TagList.ParseRecord(strings, "tls-rpt", "TLSRPTv1");
        if (!versioned)
        {
            return new TagLintResult(findings, tags);
        }

        var rua = tags.Find("rua");
        if (rua is null)
        {
            findings.Add(Finding.Error("tls-rpt.missing-rua", "the record has no rua= tag saying where reports go"));
        }
        else
        {
            foreach (var uri in rua.Value.Split(',', StringSplitOptions.TrimEntries))
            {
                if (ReportUri.Parse(uri, allowSizeLimit: false) is null)
                {
                    findings.Add(
                        Finding.Error("tls-rpt.invalid-uri", $"rua=: '{TagList.Shorten(uri)}' is not a mailto: address or an https URI")
                    );
                }
            }
        }

        foreach (var extra in tags.Where(t => t.Name is not ("v" or "rua")))
        {
            findings.Add(Finding.Info("tls-rpt.unknown-tag", $"tag {extra.Name}= is an extension senders ignore"));
        }

        return new TagLintResult(findings, tags);
    }
}
