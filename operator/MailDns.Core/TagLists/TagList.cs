using MailDns.Core.Findings;
using MailDns.Core.Names;

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
        // Spans over the record rather than split strings: every health check parses several of these per round, and
        // only the names and values it keeps are worth allocating.
        var tags = new List<Tag>();
        List<Finding>? findings = null;
        HashSet<string>? seen = null;
        var text = record.AsSpan();
        foreach (var range in text.Split(';'))
        {
            var piece = text[range].Trim(Blanks);
            if (piece.IsEmpty)
            {
                // An empty piece is allowed only as the trailing ';' (or between ';;', which receivers tolerate).
                continue;
            }

            var eq = piece.IndexOf('=');
            if (eq <= 0)
            {
                (findings ??= []).Add(Finding.Error($"{codePrefix}.syntax", $"'{Shorten(piece.ToString())}' is not a tag=value pair"));
                continue;
            }

            var name = piece[..eq].Trim(Blanks).ToString();
            if (lowerCaseNames)
            {
                name = LowerCase.Of(name);
            }

            if (!IsTagName(name))
            {
                (findings ??= []).Add(Finding.Error($"{codePrefix}.syntax", $"'{Shorten(name)}' is not a valid tag name"));
                continue;
            }

            if (Seen(tags, ref seen, name))
            {
                (findings ??= []).Add(
                    Finding.Error($"{codePrefix}.duplicate-tag", $"tag {name}= appears more than once; receivers reject the record")
                );
                continue;
            }

            tags.Add(new Tag(name, piece[(eq + 1)..].Trim(Blanks).ToString(), tags.Count));
        }

        return (tags, (IReadOnlyList<Finding>?)findings ?? []);
    }

    private const string Blanks = " \t\r\n";

    /// <summary>
    /// Whether a tag of this name was already kept: a scan of the few tags real records carry, and a set only for a
    /// record with many (a hostile one must not make the scan quadratic).
    /// </summary>
    private static bool Seen(List<Tag> tags, ref HashSet<string>? seen, string name)
    {
        const int ScanLimit = 16;
        if (seen is null && tags.Count < ScanLimit)
        {
            foreach (var tag in tags)
            {
                if (tag.Name == name)
                {
                    return true;
                }
            }

            return false;
        }

        seen ??= new HashSet<string>(tags.Select(t => t.Name), StringComparer.Ordinal);
        return !seen.Add(name);
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
        name.Length > 0 && char.IsAsciiLetter(name[0]) && !name.AsSpan().ContainsAnyExcept(TagNameCharacters);

    private static readonly System.Buffers.SearchValues<char> TagNameCharacters = System.Buffers.SearchValues.Create(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_"
    );

    internal static string Shorten(string s) => s.Length <= 60 ? s : s[..57] + "...";

    public static Tag? Find(this IReadOnlyList<Tag> tags, string name)
    {
        // A loop rather than FirstOrDefault with a lambda: each health check looks tags up dozens of times, and the
        // lambda capturing the name was a delegate allocated per call.
        for (var i = 0; i < tags.Count; i++)
        {
            if (tags[i].Name == name)
            {
                return tags[i];
            }
        }

        return null;
    }
}
