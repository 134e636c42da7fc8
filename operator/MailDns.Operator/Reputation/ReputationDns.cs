using System.Net;
using DnsClient;
using DnsClient.Protocol;
using MailDns.Core.Names;
using MailDns.Core.Reputation;

namespace MailDns.Operator.Reputation;

/// <summary>The question types a reputation check asks.</summary>
public enum ReputationQuestion
{
    A,
    Aaaa,
    Ptr,
}

/// <summary>Asks a recursive resolver one question; the seam between the reputation gatherer and the network.</summary>
public interface IReputationDns
{
    Task<LookupAnswer> AskAsync(string name, ReputationQuestion type, CancellationToken cancellationToken);
}

/// <summary>
/// DnsClient.NET through the given recursive resolvers, without its cache (<see cref="ReputationLookups"/> keeps answers
/// for their TTL on the operator's clock). Every failure is an answer that names it (REFUSED apart, since a list's
/// resolver refusing is worth saying), never an exception: a receiver's DNSBL lookup treats them all as "no answer".
/// </summary>
public sealed class DnsClientReputationDns(IReadOnlyList<IPEndPoint> resolvers, TimeSpan? timeout = null) : IReputationDns
{
    private readonly LookupClient client = Dns.RecursiveResolvers.Client(resolvers, timeout);

    public async Task<LookupAnswer> AskAsync(string name, ReputationQuestion type, CancellationToken cancellationToken)
    {
        var queryType = type switch
        {
            ReputationQuestion.A => QueryType.A,
            ReputationQuestion.Aaaa => QueryType.AAAA,
            _ => QueryType.PTR,
        };
        IDnsQueryResponse response;
        try
        {
            response = await client.QueryAsync(name, queryType, QueryClass.IN, cancellationToken).ConfigureAwait(false);
        }
        catch (DnsResponseException e)
        {
            return LookupAnswer.Failed(e.Code == DnsResponseCode.ConnectionTimeout ? "timed out" : e.DnsError);
        }

        var code = response.Header.ResponseCode;
        if (code == DnsHeaderResponseCode.Refused)
        {
            return LookupAnswer.Refused($"{response.NameServer}: REFUSED");
        }

        if (code == DnsHeaderResponseCode.NotExistentDomain)
        {
            return LookupAnswer.NxDomain(NegativeTtl(response));
        }

        if (code != DnsHeaderResponseCode.NoError)
        {
            return LookupAnswer.Failed($"{response.NameServer}: {code.ToString().ToUpperInvariant()}");
        }

        var records = response.Answers.Where(r => r.RecordType == (ResourceRecordType)queryType).ToList();
        if (records.Count == 0)
        {
            return LookupAnswer.NoData(NegativeTtl(response));
        }

        var values = records
            .Select(r =>
                r switch
                {
                    ARecord a => a.Address.ToString(),
                    AaaaRecord aaaa => aaaa.Address.ToString(),
                    PtrRecord ptr => DomainName.Normalize(ptr.PtrDomainName.Value),
                    _ => "",
                }
            )
            .Where(v => v.Length > 0)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        return LookupAnswer.Of(values, TimeSpan.FromSeconds(records.Min(r => r.InitialTimeToLive)));
    }

    /// <summary>RFC 2308 §5: a negative answer is kept for the smaller of the SOA's TTL and its MINIMUM field.</summary>
    private static TimeSpan NegativeTtl(IDnsQueryResponse response) =>
        response.Authorities.SoaRecords().FirstOrDefault() is { } soa
            ? TimeSpan.FromSeconds(Math.Min(soa.InitialTimeToLive, (long)soa.Minimum))
            : TimeSpan.Zero;
}
