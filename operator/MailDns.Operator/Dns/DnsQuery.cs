using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using DnsClient;
using MailDns.Core.Health;
using DnsQuestion = MailDns.Core.Health.DnsQuestion;

namespace MailDns.Operator.Dns;

/// <summary>Asks one server one question. The seam between the health gatherer and the network.</summary>
public interface IDnsQuery
{
    Task<DnsAnswer> AskAsync(IPEndPoint server, DnsQuestion question, bool recursive, CancellationToken cancellationToken);
}

/// <summary>
/// DnsClient.NET without a cache (every check sees what the servers serve now), TCP when a UDP answer is
/// truncated, and every failure (timeout, SERVFAIL, REFUSED, a closed port) turned into a Failed answer that
/// names the reason, never an exception and never a void answer.
/// </summary>
public sealed class DnsClientQuery(TimeSpan? timeout = null, int retries = 1) : IDnsQuery
{
    private readonly ConcurrentDictionary<(IPEndPoint, bool), LookupClient> clients = new();

    public async Task<DnsAnswer> AskAsync(IPEndPoint server, DnsQuestion question, bool recursive, CancellationToken cancellationToken)
    {
        var client = clients.GetOrAdd(
            (server, recursive),
            key => new LookupClient(
                new LookupClientOptions(key.Item1)
                {
                    UseCache = false,
                    Recursion = key.Item2,
                    Timeout = timeout ?? TimeSpan.FromSeconds(2),
                    Retries = retries,
                    UseTcpFallback = true,
                    ThrowDnsErrors = false,
                    ContinueOnDnsError = false,
                    ContinueOnEmptyResponse = false,
                }
            )
        );
        var type = question.Type switch
        {
            DnsType.A => QueryType.A,
            DnsType.Aaaa => QueryType.AAAA,
            DnsType.Mx => QueryType.MX,
            _ => QueryType.TXT,
        };
        try
        {
            var response = await client.QueryAsync(question.Name, type, QueryClass.IN, cancellationToken).ConfigureAwait(false);
            var code = response.Header.ResponseCode;
            if (code == DnsHeaderResponseCode.NotExistentDomain)
            {
                return DnsAnswer.NxDomain;
            }

            if (code != DnsHeaderResponseCode.NoError)
            {
                return DnsAnswer.Failed($"{server}: {code}");
            }

            return question.Type switch
            {
                DnsType.Txt => DnsAnswer.OfTxt(response.Answers.TxtRecords().Select(r => (IReadOnlyList<string>)r.Text.ToList()).ToArray()),
                DnsType.Mx => DnsAnswer.OfHosts(response.Answers.MxRecords().Select(r => r.Exchange.Value.TrimEnd('.')).ToArray()),
                DnsType.A => DnsAnswer.OfAddresses(response.Answers.ARecords().Count()),
                _ => DnsAnswer.OfAddresses(response.Answers.AaaaRecords().Count()),
            };
        }
        catch (Exception e) when (e is DnsResponseException or SocketException or IOException or TimeoutException)
        {
            return DnsAnswer.Failed($"{server}: {Reason(e)}");
        }
    }

    private static string Reason(Exception e) =>
        e switch
        {
            DnsResponseException { Code: DnsResponseCode.ConnectionTimeout } => "timed out",
            DnsResponseException d => d.DnsError,
            _ => e.Message,
        };

    /// <summary>The zone and its authoritative servers, found through a resolver: SOA walking up, then NS, then addresses.</summary>
    public static async Task<(string? Zone, IReadOnlyList<IPEndPoint> Servers, string? Error)> DiscoverAsync(
        string domain,
        IReadOnlyList<IPEndPoint> resolvers,
        int port,
        TimeSpan timeout,
        CancellationToken cancellationToken
    )
    {
        var options = resolvers.Count > 0 ? new LookupClientOptions(resolvers.ToArray()) : new LookupClientOptions();
        options.UseCache = false;
        options.Timeout = timeout;
        options.ThrowDnsErrors = false;
        var client = new LookupClient(options);
        try
        {
            string? zone = null;
            for (
                var name = domain;
                zone is null && name.Length > 0;
                name = name.Contains('.', StringComparison.Ordinal) ? name[(name.IndexOf('.', StringComparison.Ordinal) + 1)..] : ""
            )
            {
                var soa = await client.QueryAsync(name, QueryType.SOA, QueryClass.IN, cancellationToken).ConfigureAwait(false);
                if (soa.HasError && soa.Header.ResponseCode != DnsHeaderResponseCode.NotExistentDomain)
                {
                    return (null, [], $"SOA {name}: {soa.Header.ResponseCode}");
                }

                zone =
                    soa.Answers.SoaRecords().Select(r => r.DomainName.Value.TrimEnd('.')).FirstOrDefault()
                    ?? soa.Authorities.SoaRecords().Select(r => r.DomainName.Value.TrimEnd('.')).FirstOrDefault();
            }

            if (zone is null)
            {
                return (null, [], $"no SOA found above {domain}");
            }

            var ns = await client.QueryAsync(zone, QueryType.NS, QueryClass.IN, cancellationToken).ConfigureAwait(false);
            var servers = new List<IPEndPoint>();
            foreach (var host in ns.Answers.NsRecords().Select(r => r.NSDName.Value).Distinct())
            {
                var entry = await client.GetHostEntryAsync(host).ConfigureAwait(false);
                servers.AddRange(entry.AddressList.Select(a => new IPEndPoint(a, port)));
            }

            return (zone, servers.Distinct().ToList(), servers.Count == 0 ? $"no addresses for the nameservers of {zone}" : null);
        }
        catch (Exception e) when (e is DnsResponseException or SocketException or IOException or TimeoutException)
        {
            return (null, [], Reason(e));
        }
    }
}
