using System.Net;
using DnsClient;
using MailDns.Core.Names;
using MailDns.Operator.Dns;

namespace MailDns.Operator.Health;

/// <summary>Turns configured nameservers (host or host:port) into endpoints, or discovers the zone's own servers.</summary>
public static class HealthTargetsResolver
{
    public const int DnsPort = 53;

    /// <summary>
    /// Two views. The authoritative one: the configured nameservers, or the zone's NS set found through the resolvers.
    /// The recursive one, for names outside the zone (an ESP's SPF include, a report destination, the DMARC tree walk):
    /// <paramref name="resolvers"/>, by default the system's; <paramref name="nameserversResolve"/> makes configured
    /// nameservers the resolvers too when none are given (the operator's split-horizon mode).
    /// </summary>
    public static async Task<(HealthTargets Targets, string? Error)> ResolveAsync(
        string domain,
        IReadOnlyList<string> nameservers,
        TimeSpan timeout,
        CancellationToken cancellationToken,
        IReadOnlyList<IPEndPoint>? resolvers = null,
        bool nameserversResolve = false
    )
    {
        if (nameservers.Count > 0)
        {
            var endpoints = new List<IPEndPoint>();
            foreach (var text in nameservers)
            {
                if (!HostPort.TryParse(text, DnsPort, out var host, out var port))
                {
                    return (new HealthTargets([], []), $"nameserver '{text}' is not host or host:port");
                }

                IPAddress[] addresses;
                try
                {
                    addresses = IPAddress.TryParse(host, out var ip)
                        ? [ip]
                        : await System.Net.Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
                }
                catch (System.Net.Sockets.SocketException e)
                {
                    return (new HealthTargets([], []), $"nameserver '{text}' does not resolve: {e.Message}");
                }

                endpoints.AddRange(addresses.Select(a => new IPEndPoint(a, port)));
            }

            var recursive = resolvers?.ToList() ?? (nameserversResolve ? endpoints : SystemResolvers());
            return (new HealthTargets(endpoints, recursive), null);
        }

        var system = resolvers?.ToList() ?? SystemResolvers();
        var (_, servers, error) = await DnsClientQuery
            .DiscoverAsync(domain, system, DnsPort, timeout, cancellationToken)
            .ConfigureAwait(false);
        return (new HealthTargets(servers, system), error);
    }

    /// <summary>The resolvers of /etc/resolv.conf, with no public fallback.</summary>
    public static List<IPEndPoint> SystemResolvers() =>
        NameServer
            .ResolveNameServers(skipIPv6SiteLocal: true, fallbackToGooglePublicDns: false)
            .Select(n => new IPEndPoint(IPAddress.Parse(n.Address), n.Port))
            .ToList();
}
