using System.Net;

namespace MailDns.Operator.Dns;

/// <summary>A zone and the addresses of its authoritative servers, or why they could not be found.</summary>
public sealed record ZoneServers(string? Zone, IReadOnlyList<IPEndPoint> Servers, string? Error);

/// <summary>Finds the authoritative servers of the zone a name lives in. The seam between verification and the resolvers.</summary>
public interface IZoneServerFinder
{
    Task<ZoneServers> FindAsync(string domain, CancellationToken cancellationToken);
}

/// <summary>
/// As the health checks find them: SOA walking up from the name, then the zone's NS set and their addresses, all
/// through the given resolvers (by default the system's, the cluster DNS in a pod).
/// </summary>
public sealed class ResolverZoneServerFinder(IReadOnlyList<IPEndPoint> resolvers, TimeSpan? timeout = null) : IZoneServerFinder
{
    public const int DnsPort = 53;

    public async Task<ZoneServers> FindAsync(string domain, CancellationToken cancellationToken)
    {
        var (zone, servers, error) = await DnsClientQuery
            .DiscoverAsync(domain, resolvers, DnsPort, timeout ?? TimeSpan.FromSeconds(2), cancellationToken)
            .ConfigureAwait(false);
        return new ZoneServers(zone, servers, error);
    }
}
