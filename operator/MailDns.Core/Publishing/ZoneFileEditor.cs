using System.Globalization;
using System.Text;
using MailDns.Core.Api;
using MailDns.Core.Names;
using MailDns.Core.Records;
using MailDns.Core.Txt;

namespace MailDns.Core.Publishing;

/// <summary>
/// Edits a zone file as text, so everything the product does not own (other records, comments, $INCLUDE,
/// formatting) is kept byte for byte. It understands what it must: $ORIGIN and $TTL, owner names (absolute,
/// relative, @, and a blank owner that repeats the previous one), one-line TXT records, and one-line SRV records at the
/// submission names (the only ones it reads or removes; a record spread over several lines with parentheses is kept but
/// not read), and the SOA serial, which every change bumps (RFC 1982 arithmetic).
/// </summary>
public static class ZoneFileEditor
{
    public const string ManagedMarker = "; maildns: records below are managed by MailDnsOperator";

    private sealed record RecordLine(int Index, string Name, string Type, string Value);

    /// <summary>
    /// The values served at each name, for one-line records of the type the product publishes there: TXT joined, SRV in
    /// <see cref="SrvValue"/> form.
    /// </summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> Read(string text, string zone)
    {
        var result = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var record in ProductLines(Lines(text), zone))
        {
            if (!result.TryGetValue(record.Name, out var list))
            {
                result[record.Name] = list = [];
            }

            list.Add(record.Value);
        }

        return result.ToDictionary(p => p.Key, p => (IReadOnlyList<string>)p.Value, StringComparer.Ordinal);
    }

    /// <summary>Applies the changes; returns the new text and the changes that could not be applied, with why.</summary>
    public static (string Text, IReadOnlyList<(RecordChange Change, string Error)> Failures) Apply(
        string text,
        string zone,
        IReadOnlyList<RecordChange> changes
    )
    {
        var lines = Lines(text);
        var failures = new List<(RecordChange, string)>();
        var remove = new HashSet<int>();
        var add = new List<string>();
        var owned = ProductLines(lines, zone).ToList();
        var aliases = RecordLines(lines, zone, "CNAME").ToDictionary(c => c.Name, c => c.Value, StringComparer.Ordinal);
        foreach (var change in changes)
        {
            if (change.NewValue is not null && aliases.TryGetValue(DomainName.Normalize(change.Name), out var target))
            {
                // RFC 1034 §3.6.2: no other data beside a CNAME; BIND refuses to load such a zone.
                failures.Add(
                    (
                        change,
                        $"{change.Name} is a CNAME to {target.TrimEnd('.')}: a {RecordTypes.At(change.Name)} record cannot be "
                            + "published beside it "
                            + "(RFC 1034 §3.6.2)"
                    )
                );
                continue;
            }

            if (change.OldValue is { } old)
            {
                var line = owned.FirstOrDefault(t =>
                    t.Name == DomainName.Normalize(change.Name) && t.Value == old && !remove.Contains(t.Index)
                );
                if (line is null)
                {
                    failures.Add((change, $"{change.Name}: the value to replace is no longer in the zone file"));
                    continue;
                }

                remove.Add(line.Index);
            }

            if (change.NewValue is { } value)
            {
                add.Add(
                    ZoneFragment.AbsoluteLine(
                        new DesiredRecord(change.Name, change.Ttl, value, change.Purpose ?? RecordPurpose.Spf, change.Owner)
                    )
                );
            }
        }

        if (remove.Count == 0 && add.Count == 0)
        {
            return (text, failures);
        }

        var kept = lines.Where((_, i) => !remove.Contains(i)).ToList();
        while (kept.Count > 0 && kept[^1].Length == 0)
        {
            kept.RemoveAt(kept.Count - 1);
        }

        if (add.Count > 0 && !kept.Contains(ManagedMarker))
        {
            kept.Add(ManagedMarker);
        }

        kept.AddRange(add);
        var edited = string.Join('\n', kept) + "\n";
        return (BumpSerial(edited), failures);
    }

    /// <summary>
    /// A new zone's text: an SOA and an NS, so a zone file that did not exist loads in BIND. The NS is
    /// localhost. (out of the zone, so it needs no address record) until the user writes their own servers.
    /// </summary>
    public static string NewZone(string zone) =>
        $"; created by MailDnsOperator: replace the SOA and NS with your own servers\n$ORIGIN {DomainName.Fqdn(zone)}\n$TTL "
        + $"{Defaults.Ttl}\n@\tIN\tSOA\tlocalhost. hostmaster.{DomainName.Fqdn(zone)} 1 3600 600 1209600 300\n@\tIN\tNS\tlocalhost.\n";

    public static string BumpSerial(string text)
    {
        var tokens = Tokens(text).ToList();
        var soa = tokens.FindIndex(t => !t.Quoted && t.Text.Equals("SOA", StringComparison.OrdinalIgnoreCase));
        if (soa < 0 || soa + 3 >= tokens.Count)
        {
            return text;
        }

        var serialToken = tokens[soa + 3];
        if (!uint.TryParse(serialToken.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var serial))
        {
            return text;
        }

        var next = unchecked(serial + 1); // RFC 1982: wraps, and 0 is as good as any other value after the wrap
        return string.Concat(
            text.AsSpan(0, serialToken.Position),
            next.ToString(CultureInfo.InvariantCulture),
            text.AsSpan(serialToken.Position + serialToken.Text.Length)
        );
    }

    public static uint? Serial(string text)
    {
        var tokens = Tokens(text).ToList();
        var soa = tokens.FindIndex(t => !t.Quoted && t.Text.Equals("SOA", StringComparison.OrdinalIgnoreCase));
        return
            soa >= 0
            && soa + 3 < tokens.Count
            && uint.TryParse(tokens[soa + 3].Text, NumberStyles.None, CultureInfo.InvariantCulture, out var s)
            ? s
            : null;
    }

    private static List<string> Lines(string text) =>
        text.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n').Split('\n').ToList();

    /// <summary>TXT records at TXT names and SRV records at SRV names (<see cref="RecordTypes.At"/>), in one pass.</summary>
    private static IEnumerable<RecordLine> ProductLines(List<string> lines, string zone) =>
        RecordLines(lines, zone, RecordTypes.Txt, RecordTypes.Srv).Where(r => r.Type == RecordTypes.At(r.Name));

    /// <summary>
    /// The records of the given types, one line each (multi-line records in parentheses are skipped). TXT values are
    /// joined; an SRV target relative to $ORIGIN is made absolute, as the server loading the file would.
    /// </summary>
    private static IEnumerable<RecordLine> RecordLines(List<string> lines, string zone, params string[] types)
    {
        var origin = DomainName.Normalize(zone);
        string? owner = null;
        var depth = 0;
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            var tokens = Tokens(line).ToList();
            var wasInside = depth > 0;
            // parentheses inside quotes are rare in zone files we edit
            depth = Math.Max(0, depth + line.Count(c => c == '(') - line.Count(c => c == ')'));
            if (tokens.Count == 0 || wasInside)
            {
                continue;
            }

            if (tokens[0].Text.StartsWith('$'))
            {
                if (tokens[0].Text.Equals("$ORIGIN", StringComparison.OrdinalIgnoreCase) && tokens.Count > 1)
                {
                    origin = Absolute(tokens[1].Text, origin);
                }

                continue;
            }

            var index = 0;
            if (!char.IsWhiteSpace(line[0]))
            {
                owner = Absolute(tokens[0].Text, origin);
                index = 1;
            }

            while (
                index < tokens.Count
                && !tokens[index].Quoted
                && (IsTtl(tokens[index].Text) || tokens[index].Text.Equals("IN", StringComparison.OrdinalIgnoreCase))
            )
            {
                index++;
            }

            if (
                owner is null
                || index >= tokens.Count
                || types.FirstOrDefault(t => tokens[index].Text.Equals(t, StringComparison.OrdinalIgnoreCase)) is not { } type
                || line.Contains('(')
            )
            {
                continue;
            }

            var data = tokens.Skip(index + 1).Select(t => t.Text).ToList();
            yield return new RecordLine(
                i,
                owner,
                type,
                type == RecordTypes.Srv && data.Count == 4 && data[3] != "."
                        ? SrvValue.Canonical(string.Join(' ', data.Take(3).Append(Absolute(data[3], origin) + ".")))
                    : type == RecordTypes.Srv ? SrvValue.Canonical(string.Join(' ', data))
                    : TxtStrings.Join(data)
            );
        }
    }

    private static string Absolute(string name, string origin) =>
        name == "@" ? origin
        : name.EndsWith('.') ? DomainName.Normalize(name)
        : DomainName.Normalize(origin.Length == 0 ? name : $"{name}.{origin}");

    private static bool IsTtl(string token) =>
        token.Length > 0 && char.IsAsciiDigit(token[0]) && token.All(c => char.IsAsciiDigit(c) || "smhdwSMHDW".Contains(c));

    private readonly record struct Token(string Text, int Position, bool Quoted);

    /// <summary>Presentation-format tokens: quoted strings unescaped (\X and \DDD), comments and parentheses dropped.</summary>
    private static IEnumerable<Token> Tokens(string text)
    {
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == ';')
            {
                while (i < text.Length && text[i] != '\n')
                {
                    i++;
                }
            }
            else if (char.IsWhiteSpace(c) || c is '(' or ')')
            {
                i++;
            }
            else if (c == '"')
            {
                var start = i++;
                var bytes = new List<byte>();
                while (i < text.Length && text[i] != '"')
                {
                    if (
                        text[i] == '\\'
                        && i + 3 < text.Length
                        && char.IsAsciiDigit(text[i + 1])
                        && char.IsAsciiDigit(text[i + 2])
                        && char.IsAsciiDigit(text[i + 3])
                    )
                    {
                        bytes.Add((byte)int.Parse(text.AsSpan(i + 1, 3), CultureInfo.InvariantCulture));
                        i += 4;
                    }
                    else
                    {
                        if (text[i] == '\\' && i + 1 < text.Length)
                        {
                            i++;
                        }

                        bytes.AddRange(Encoding.UTF8.GetBytes(text[i].ToString()));
                        i++;
                    }
                }

                i++;
                yield return new Token(Encoding.UTF8.GetString(bytes.ToArray()), start, true);
            }
            else
            {
                var start = i;
                while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] is not (';' or '(' or ')' or '"'))
                {
                    i++;
                }

                yield return new Token(text[start..i], start, false);
            }
        }
    }
}
