namespace MailDns.Core.Reputation;

/// <summary>What a list is asked about: an address (DNSBL, RFC 5782 §2.1) or a domain name (RHSBL, RFC 5782 §2.2).</summary>
public enum ListKind
{
    Ip,
    Domain,
}

/// <summary>
/// One DNS list: the zone its entries live under, what it is asked about, how its answers are read, and whether it is an
/// allowlist (a hit there is good news, shown as such, never a listing). <see cref="QueryZone"/> is where queries go: the
/// zone itself, or a Spamhaus DQS zone that carries the customer key, which is why <see cref="ToString"/> names only
/// <see cref="Zone"/> (the key never reaches a log, an event or a status).
/// </summary>
public sealed record Blocklist(string Zone, ListKind Kind, string Name, ListCodes Codes, bool Allowlist = false)
{
    /// <summary>Where queries are sent; differs from <see cref="Zone"/> only for a keyed (DQS) zone.</summary>
    public string QueryZone { get; init; } = Zone;

    public override string ToString() => Zone;

    /// <summary>The name to ask for: the target under the query zone (see <see cref="ListQueryName"/>).</summary>
    public string QueryFor(string target) => ListQueryName.Of(target, QueryZone);
}
