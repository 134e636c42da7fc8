using System.Net;
using DnsClient;

namespace MailDns.Operator.Dns;

/// <summary>The DnsClient the receiver-view lookups share (reputation, MX, MTA-STS and transport records).</summary>
public static class RecursiveResolvers
{
    /// <summary>
    /// A client of recursive resolvers: no cache of its own (each caller decides what to keep, and for how long), DNS error
    /// codes as answers rather than exceptions, and the next resolver asked when one errs.
    /// </summary>
    public static LookupClient Client(IReadOnlyList<IPEndPoint> resolvers, TimeSpan? timeout = null) =>
        new(
            new LookupClientOptions(resolvers.ToArray())
            {
                UseCache = false,
                Recursion = true,
                Timeout = timeout ?? TimeSpan.FromSeconds(2),
                Retries = 1,
                UseTcpFallback = true,
                ThrowDnsErrors = false,
                ContinueOnDnsError = true,
                ContinueOnEmptyResponse = false,
            }
        );
}
