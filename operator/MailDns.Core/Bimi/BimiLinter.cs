using MailDns.Core.Findings;
using MailDns.Core.MtaSts;
using MailDns.Core.TagLists;

namespace MailDns.Core.Bimi;

/// <summary>Lints a BIMI assertion record (draft-brand-indicators-for-message-identification).</summary>
public static class BimiLinter
{
    public static TagLintResult Lint(string record) => Lint([record]);

    public static TagLintResult Lint(IReadOnlyList<string> strings)
    {
        var (findings, tags, versioned) = TagList.ParseRecord(strings, "bimi", "BIMI1");
        if (!versioned)
        {
            return new TagLintResult(findings, tags);
        }

        var l = tags.Find("l");
        if (l is null)
        {
            findings.Add(Finding.Error("bimi.missing-logo", "the record has no l= tag (an empty l= declines to show a logo)"));
        }
        else if (l.Value.Length == 0)
        {
            findings.Add(Finding.Info("bimi.declined", "l= is empty: the domain declines to show a logo"));
        }
        else if (!IsHttps(l.Value))
        {
            findings.Add(Finding.Error("bimi.logo-not-https", $"l={TagList.Shorten(l.Value)} must be an https URL"));
        }
        else if (!new Uri(l.Value).AbsolutePath.EndsWith(".svg", StringComparison.OrdinalIgnoreCase))
        {
            findings.Add(
                Finding.Warning("bimi.logo-not-svg", $"l={TagList.Shorten(l.Value)} does not end in .svg; the logo must be SVG Tiny PS")
            );
        }

        var a = tags.Find("a");
        if (a is null || a.Value.Length == 0)
        {
            if (l is { Value.Length: > 0 })
            {
                findings.Add(
                    Finding.Warning(
                        "bimi.no-authority",
                        "no a= tag: the largest mailbox providers show logos only with a Verified Mark Certificate"
                    )
                );
            }
        }
        else if (!IsHttps(a.Value))
        {
            findings.Add(Finding.Error("bimi.authority-not-https", $"a={TagList.Shorten(a.Value)} must be an https URL"));
        }

        foreach (var extra in tags.Where(t => t.Name is not ("v" or "l" or "a")))
        {
            findings.Add(Finding.Info("bimi.unknown-tag", $"tag {extra.Name}= is not a BIMI tag and is ignored"));
        }

        return new TagLintResult(findings, tags);
    }

    private static bool IsHttps(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri)
        && uri.Scheme == Uri.UriSchemeHttps
        && uri.Host.Length > 0
        && !value.Any(char.IsWhiteSpace);
}
