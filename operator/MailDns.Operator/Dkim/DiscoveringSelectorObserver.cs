using MailDns.Core.Dkim.Rotation;
using MailDns.Operator.Dns;

namespace MailDns.Operator.Dkim;

/// <summary>
/// Verification as receivers see it, whatever published the record (Pulumi, RFC 2136): the zone's authoritative
/// servers are found through the resolvers, and each is asked without recursion. A key counts as published only
/// when every one of them serves it (design invariant 1), so a lagging secondary holds activation back. When the
/// servers cannot be found, every selector is Unknown, which never activates anything.
/// </summary>
public sealed class DiscoveringSelectorObserver(IZoneServerFinder finder, TimeProvider time, IDnsQuery? dns = null) : ISelectorObserver
{
    public async Task<IReadOnlyDictionary<string, SelectorObservation>> ObserveAsync(
        string domain,
        IReadOnlyList<DkimKey> keys,
        CancellationToken cancellationToken
    )
    {
        var zone = await finder.FindAsync(domain, cancellationToken).ConfigureAwait(false);
        if (zone.Servers.Count == 0)
        {
            var now = time.GetUtcNow();
            return keys.ToDictionary(k => k.Selector, k => new SelectorObservation(k.Selector, SelectorDnsState.Unknown, now));
        }

        return await new DnsSelectorObserver(zone.Servers, time, dns).ObserveAsync(domain, keys, cancellationToken).ConfigureAwait(false);
    }
}
