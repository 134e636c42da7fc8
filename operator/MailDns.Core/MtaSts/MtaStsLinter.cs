using System.Text.RegularExpressions;
using MailDns.Core.Findings;
using MailDns.Core.TagLists;
using MailDns.Core.Txt;

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
        var findings = new List<Finding>(StringLengths.Check(strings, "mta-sts"));
        var (tags, tagFindings) = TagList.Parse(TxtStrings.Join(strings), "mta-sts");
        findings.AddRange(tagFindings);
        if (tags.Count == 0 || tags[0].Name != "v" || tags[0].Value != "STSv1")
        {
            findings.Add(Finding.Error("mta-sts.not-mta-sts", "the record must begin with 'v=STSv1'"));
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
