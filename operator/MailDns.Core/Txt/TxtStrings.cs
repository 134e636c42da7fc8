using System.Text;

namespace MailDns.Core.Txt;

/// <summary>
/// A TXT record's value is a sequence of character-strings of at most 255 octets each (RFC 1035 §3.3.14);
/// SPF, DKIM and DMARC readers join them without separators. The product compares joined values only, so a
/// provider that splits differently never looks like drift.
/// </summary>
public static class TxtStrings
{
    public const int MaxOctets = 255;

    /// <summary>Splits into strings of at most 255 UTF-8 octets, never inside a character. "" gives one empty string.</summary>
    public static IReadOnlyList<string> Split(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (Encoding.UTF8.GetByteCount(value) <= MaxOctets)
        {
            return [value];
        }

        var parts = new List<string>();
        var start = 0;
        var octets = 0;
        for (var i = 0; i < value.Length;)
        {
            var width = char.IsSurrogatePair(value, i) ? 2 : 1;
            var charOctets = Encoding.UTF8.GetByteCount(value.AsSpan(i, width));
            if (octets + charOctets > MaxOctets)
            {
                parts.Add(value[start..i]);
                start = i;
                octets = 0;
            }

            octets += charOctets;
            i += width;
        }

        parts.Add(value[start..]);
        return parts;
    }

    /// <summary>The strings as one value; a record of one string (most) is that string, without an enumerator.</summary>
    public static string Join(IEnumerable<string> strings) =>
        strings is IReadOnlyList<string> { Count: 1 } one ? one[0] : string.Concat(strings);

    public static int Octets(string s) => Encoding.UTF8.GetByteCount(s);

    /// <summary>Zone-file presentation: each string quoted, with backslash and quote escaped.</summary>
    public static string Quote(IEnumerable<string> strings) =>
        string.Join(
            ' ',
            strings.Select(s =>
                "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\""
            )
        );

    /// <summary>
    /// Reads a record given either bare (one string) or in presentation form ("part1" "part2", as dig and zone
    /// files show it), so a user can paste either into <c>maildns lint</c>.
    /// </summary>
    public static IReadOnlyList<string> ParsePresentation(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        if (!trimmed.StartsWith('"'))
        {
            return [text];
        }

        var parts = new List<string>();
        var i = 0;
        while (i < trimmed.Length)
        {
            while (i < trimmed.Length && char.IsWhiteSpace(trimmed[i]))
            {
                i++;
            }

            if (i >= trimmed.Length)
            {
                break;
            }

            if (trimmed[i] != '"')
            {
                // Not well-formed presentation: treat the whole text as one bare string.
                return [text];
            }

            i++;
            var current = new StringBuilder();
            var closed = false;
            while (i < trimmed.Length)
            {
                var c = trimmed[i++];
                if (c == '\\' && i < trimmed.Length)
                {
                    current.Append(trimmed[i++]);
                }
                else if (c == '"')
                {
                    closed = true;
                    break;
                }
                else
                {
                    current.Append(c);
                }
            }

            if (!closed)
            {
                return [text];
            }

            parts.Add(current.ToString());
        }

        return parts.Count == 0 ? [text] : parts;
    }
}
