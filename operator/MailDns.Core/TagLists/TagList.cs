using MailDns.Core.Findings;

namespace MailDns.Core.TagLists;

public sealed record Tag(string Name, string Value, int Index);

/// <summary>
/// The tag=value; list syntax shared by DKIM (RFC 6376 §3.2), DMARC, MTA-STS, TLS-RPT and BIMI records.
/// Parsing never throws: malformed pieces become findings with the caller's code prefix.
/// </summary>
public static class TagList
{
    public static (IReadOnlyList<Tag> Tags, IReadOnlyList<Finding> Findings) Parse(
        string record,
        string codePrefix,
        bool lowerCaseNames = false
    )
    {
        var tags = new List<Tag>();
        var findings = new List<Finding>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pieces = record.Split(';');
        for (var i = 0; i < pieces.Length; i++)
        {
            var piece = pieces[i].Trim(' ', '\t', '\r', '\n');
            if (piece.Length == 0)
            {
                // An empty piece is allowed only as the trailing ';' (or between ';;', which receivers tolerate).
                continue;
            }

            var eq = piece.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                findings.Add(Finding.Error($"{codePrefix}.syntax", $"'{Shorten(piece)}' is not a tag=value pair"));
                continue;
            }

            var name = piece[..eq].Trim(' ', '\t', '\r', '\n');
            if (lowerCaseNames)
            {
                name = name.ToLowerInvariant();
            }

            if (!IsTagName(name))
            {
                findings.Add(Finding.Error($"{codePrefix}.syntax", $"'{Shorten(name)}' is not a valid tag name"));
                continue;
            }

            var value = piece[(eq + 1)..].Trim(' ', '\t', '\r', '\n');
            if (!seen.Add(name))
            {
                findings.Add(
                    Finding.Error($"{codePrefix}.duplicate-tag", $"tag {name}= appears more than once; receivers reject the record")
                );
                continue;
            }

            tags.Add(new Tag(name, value, tags.Count));
        }

        return (tags, findings);
    }

    /// <summary>
    /// The preamble every tag=value record shares: each character-string within 255 octets, the tags parsed, and
    /// the version tag first. Versioned is false when the record does not start with it.
    /// </summary>
    public static (List<Finding> Findings, IReadOnlyList<Tag> Tags, bool Versioned) ParseRecord(
        IReadOnlyList<string> strings,
        string codePrefix,
        string version,
        bool lowerCaseNames = false
    )
    {
        var findings = new List<Finding>(Txt.StringLengths.Check(strings, codePrefix));
        var (tags, tagFindings) = Parse(Txt.TxtStrings.Join(strings), codePrefix, lowerCaseNames);
        findings.AddRange(tagFindings);
        var versioned = tags.Count > 0 && tags[0].Name == "v" && tags[0].Value == version;
        if (!versioned)
        {
            findings.Add(Finding.Error($"{codePrefix}.not-{codePrefix}", $"the record must begin with 'v={version}' as its first tag"));
        }

        return (findings, tags, versioned);
    }

    private static bool IsTagName(string name) =>
        name.Length > 0 && char.IsAsciiLetter(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    internal static string Shorten(string s) => s.Length <= 60 ? s : s[..57] + "...";

    public static Tag? Find(this IReadOnlyList<Tag> tags, string name) => tags.FirstOrDefault(t => t.Name == name);
}
