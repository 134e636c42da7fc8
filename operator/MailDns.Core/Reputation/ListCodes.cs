using System.Net;

namespace MailDns.Core.Reputation;

/// <summary>What one answer of a list says: listed (with its meaning), refused (an error code), or unknown.</summary>
public sealed record CodeMeaning(ListStatus Status, string Meaning);

/// <summary>
/// How a list's A answers are read. A list either names each return code (<see cref="Meanings"/>), or sets one bit per
/// sub-list in the last octet (<see cref="Bits"/>); a list known by its zone alone uses the generic rule of RFC 5782 §2.3
/// (127.0.0.2–127.0.0.254 listed). Error codes (<see cref="Errors"/>, and 127.255.255.0/24 for every list) mean the
/// query was refused (a public resolver, a rate limit, a wrong zone): never a listing.
/// </summary>
public sealed record ListCodes(
    IReadOnlyDictionary<string, string> Meanings,
    IReadOnlyDictionary<string, string> Errors,
    IReadOnlyDictionary<int, string>? Bits = null
)
{
    /// <summary>The rule for a list given only by its zone.</summary>
    public static ListCodes Generic { get; } = new(new Dictionary<string, string>(), new Dictionary<string, string>());

    public CodeMeaning Decode(IPAddress code)
    {
        var text = code.ToString();
        if (Errors.TryGetValue(text, out var error))
        {
            return new CodeMeaning(ListStatus.Refused, error);
        }

        var bytes = code.GetAddressBytes();
        if (bytes.Length != 4 || bytes[0] != 127)
        {
            // RFC 5782 §2.1: entries are 127.0.0.0/8; anything else is not the list speaking (a resolver that rewrites
            // NXDOMAIN to an advertising page answers like this).
            return new CodeMeaning(ListStatus.Unknown, $"{text} is not a DNSBL answer (outside 127.0.0.0/8)");
        }

        if (bytes[1] == 255 && bytes[2] == 255)
        {
            return new CodeMeaning(ListStatus.Refused, $"{text}: the list refused the query (127.255.255.0/24 error code)");
        }

        if (Meanings.TryGetValue(text, out var meaning))
        {
            return new CodeMeaning(ListStatus.Listed, meaning);
        }

        if (Bits is not null && bytes[1] == 0 && bytes[2] == 0)
        {
            var set = Enumerable.Range(0, 8).Select(b => 1 << b).Where(bit => (bytes[3] & bit) != 0).ToList();
            var named = set.Select(bit => Bits.TryGetValue(bit, out var name) ? name : $"bit {bit}").ToList();
            return set.Count == 0
                ? new CodeMeaning(ListStatus.Unknown, $"{text} sets no bit")
                : new CodeMeaning(ListStatus.Listed, string.Join(", ", named));
        }

        // RFC 5782 §5: 127.0.0.1 is never an entry (it is the "not listed" test point).
        return text == "127.0.0.1"
            ? new CodeMeaning(ListStatus.Unknown, "127.0.0.1 is not a listing (RFC 5782 §5)")
            : new CodeMeaning(ListStatus.Listed, Meanings.Count == 0 && Bits is null ? "listed" : $"listed (undocumented code {text})");
    }
}
