using MailDns.Core.Findings;

namespace MailDns.Core.Txt;

/// <summary>One TXT record as a user pastes it: its character-strings, and how it was given.</summary>
public sealed record PastedRecord(IReadOnlyList<string> Strings, bool Bare);

/// <summary>
/// What a user pastes into <c>lint</c>: a bare value (the record itself, however long: a provider's console or a
/// manifest splits it when publishing), one record in presentation form ("part1" "part2"), or the lines of
/// <c>dig +short TXT</c>, one record per line.
/// </summary>
public static class RecordInput
{
    public static IReadOnlyList<PastedRecord> Parse(string text)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal)
            .Split('\n')
            .Select(l => l.Trim())
            .Where(l => l.Length > 0)
            .ToList();
        if (lines.Count > 1 && lines.All(l => l.StartsWith('"') && l.EndsWith('"')))
        {
            return lines.Select(l => new PastedRecord(TxtStrings.ParsePresentation(l), Bare: false)).ToList();
        }

        var trimmed = text.Trim();
        var presentation = trimmed.StartsWith('"') && TxtStrings.ParsePresentation(trimmed) is { } parts && parts[0] != text;
        return presentation
            ? [new PastedRecord(TxtStrings.ParsePresentation(trimmed), Bare: false)]
            : [new PastedRecord(TxtStrings.Split(text), Bare: true)];
    }

    /// <summary>
    /// A bare value over 255 octets is not an error: it is published as several character-strings that receivers
    /// join before parsing (RFC 7208 §3.3, RFC 6376 §3.6.2.2). Says how, so the user knows what DNS will hold.
    /// </summary>
    public static Finding? SplitNote(PastedRecord record, string kind)
    {
        if (!record.Bare || record.Strings.Count < 2)
        {
            return null;
        }

        var octets = record.Strings.Sum(TxtStrings.Octets);
        return Finding.Info(
            $"{kind}.published-split",
            $"the value is {octets} octets, more than one 255-octet character-string: it is published as {record.Strings.Count} "
                + "strings that receivers join (RFC 7208 §3.3, RFC 6376 §3.6.2.2)"
        );
    }
}
