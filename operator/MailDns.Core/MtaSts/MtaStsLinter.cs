using System.Text.RegularExpressions;
using MailDns.Core.Findings;
using MailDns.Core.TagLists;

namespace MailDns.Core.MtaSts;

public sealed record TagLintResult(IReadOnlyList<Finding> Findings, IReadOnlyList<Tag> Tags)
{
    public bool Valid => !Findings.HasErrors();
}

/// <summary>Lints the _mta-sts TXT record (RFC 8461 §3.1).</summary>
public static partial class MtaStsLinter
{
    [GeneratedRegex("^[A-Za-z0-9]{1,32}$")]
    private static partial Regex IdRegex();

    public static TagLintResult Lint(string record) => Lint([record]);

    public static TagLintResult Lint(IReadOnlyList<string> strings)
    {
        var (findings, tags, versioned) = TagList.ParseRecord(strings, "mta-sts", "STSv1");
        if (!versioned)
        {
            return new TagLintResult(findings, tags);
        }

        var id = tags.Find("id");
        if (id is null)
        {
            findings.Add(Finding.Error("mta-sts.missing-id", "the record has no id= tag; senders cannot tell when the policy changes"));
        }
        else if (!IdRegex().IsMatch(id.Value))
        {
            findings.Add(Finding.Error("mta-sts.invalid-id", $"id={TagList.Shorten(id.Value)} must be 1 to 32 letters and digits"));
        }

        foreach (var extra in tags.Where(t => t.Name is not ("v" or "id")))
        {
            findings.Add(Finding.Info("mta-sts.unknown-tag", $"tag {extra.Name}= is an extension senders ignore"));
        }

        return new TagLintResult(findings, tags);
    }
}
