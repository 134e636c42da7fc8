using System.Net;
using DnsClient;
using MailDns.Core.Names;

namespace MailDns.Operator.MtaSts;

/// <summary>A domain's MX hosts through the given resolvers, in preference order, or why they could not be had.</summary>
public sealed class MxHosts(IReadOnlyList<IPEndPoint> resolvers)
{
    private readonly LookupClient client = Dns.RecursiveResolvers.Client(resolvers);

    public async Task<(IReadOnlyList<string> Hosts, string? Error)> LookupAsync(string domain, CancellationToken cancellationToken)
    {
        try
        {
            var response = await client.QueryAsync(domain, QueryType.MX, QueryClass.IN, cancellationToken);
            if (response.HasError && response.Header.ResponseCode != DnsHeaderResponseCode.NotExistentDomain)
            {
                return ([], $"MX lookup of {domain} failed: {response.ErrorMessage}");
            }

            var hosts = response
                .Answers.MxRecords()
                .OrderBy(r => r.Preference)
                .Select(r => DomainName.Normalize(r.Exchange.Value))
                .Where(h => h.Length > 0) // a null MX (RFC 7505) accepts no mail
                .Distinct(StringComparer.Ordinal)
                .ToList();
            return hosts.Count == 0 ? ([], $"{domain} has no MX records to derive the policy from: set spec.mtaSts.mx") : (hosts, null);
        }
        catch (DnsResponseException e)
        {
            return ([], $"MX lookup of {domain} failed: {e.Message}");
        }
    }
}
