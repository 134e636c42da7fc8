using System.Net;
using DnsClient;

namespace MailDns.Operator.Reports;

/// <summary>
/// The PTR names of report source addresses, for the sources a status shows. Answers are cached for their TTL (DnsClient's
/// cache) so a refresh every few minutes does not ask again; a failure or a missing PTR is no name, never an error.
/// </summary>
public sealed class ReverseNames(IReadOnlyList<IPEndPoint> resolvers, TimeSpan? timeout = null)
{
    private readonly LookupClient client = new(
        new LookupClientOptions(resolvers.ToArray())
        {
            UseCache = true,
            Timeout = timeout ?? TimeSpan.FromSeconds(2),
            Retries = 1,
            ThrowDnsErrors = false,
            ContinueOnDnsError = false,
        }
    );

    public async Task<string?> NameOfAsync(string address, CancellationToken cancellationToken)
    {
        if (!IPAddress.TryParse(address, out var ip))
        {
            return null;
        }

        try
        {
            var response = await client.QueryReverseAsync(ip, cancellationToken);
            return response
                .Answers.PtrRecords()
                .Select(p => p.PtrDomainName.Value.TrimEnd('.'))
                .Order(StringComparer.Ordinal)
                .FirstOrDefault();
        }
        catch (DnsResponseException)
        {
            return null; // unreachable resolvers: the status shows the address alone
        }
    }
}
