using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using DnsClient;
using DnsClient.Protocol;
using MailDns.Core.Health;
using MailDns.Core.Names;
using MailDns.Core.Records;
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
            DnsType.Srv => QueryType.SRV,
            _ => QueryType.TXT,
        };
        try
        {
            var response = await client.QueryAsync(question.Name, type, QueryClass.IN, cancellationToken).ConfigureAwait(false);
            var code = response.Header.ResponseCode;
            var (owner, chain, loops) = FollowCnames(question.Name, response.Answers);
            if (loops)
            {
                return DnsAnswer.Loop(question.Name, chain);
            }

            if (code == DnsHeaderResponseCode.NotExistentDomain)
            {
                // With a chain, RCODE describes the last name (RFC 6604): the target does not exist.
                return DnsAnswer.NxDomain with { Chain = chain };
            }

            if (code != DnsHeaderResponseCode.NoError)
            {
                return DnsAnswer.Failed($"{server}: {Rcode(code)}");
            }

            var records = response.Answers.Where(r => DomainName.Normalize(r.DomainName.Value) == owner).ToList();
            var answer = question.Type switch
            {
                DnsType.Txt => DnsAnswer.OfTxt(records.TxtRecords().Select(r => (IReadOnlyList<string>)r.Text.ToList()).ToArray()),
                DnsType.Mx => DnsAnswer.OfHosts(records.MxRecords().Select(r => r.Exchange.Value.TrimEnd('.')).ToArray()),
                DnsType.Srv => DnsAnswer.OfSrv(
                    records.SrvRecords().Select(r => new SrvValue(r.Priority, r.Weight, r.Port, r.Target.Value).ToString()).ToArray()
                ),
                DnsType.A => DnsAnswer.OfAddresses(records.ARecords().Count()),
                _ => DnsAnswer.OfAddresses(records.AaaaRecords().Count()),
            };

            if (chain.Count == 0)
            {
                return answer;
            }

            // A chain that ends in an empty answer from a server that is not authoritative for the target's zone
            // (no SOA for it in the authority section) and that does not recurse says nothing about the target: it must be asked elsewhere.
            var targetZoneKnown = response.Authorities.SoaRecords().Any(r => DomainName.IsInZone(owner, r.DomainName.Value));
            return answer.IsVoid && !response.Header.RecursionAvailable && !targetZoneKnown
                ? DnsAnswer.AliasTo(chain)
                : answer with { Chain = chain };
        }
        catch (Exception e) when (e is DnsResponseException or SocketException or IOException or TimeoutException)
        {
            return DnsAnswer.Failed($"{server}: {Reason(e)}");
        }
    }

    /// <summary>
    /// The CNAME chain in an answer section starting at <paramref name="asked"/>: the name the records must be
    /// owned by, the targets in order, and whether the chain loops or runs past <see cref="CnameChain.MaxLength"/>.
    /// </summary>
    public static (string Owner, List<string> Chain, bool Loops) FollowCnames(string asked, IEnumerable<DnsResourceRecord> answers)
    {
        // Most answers hold no CNAME: no grouping, no dictionary (every answer of every check comes through here).
        if (!answers.OfType<CNameRecord>().Any())
        {
            return (DomainName.Normalize(asked), [], false);
        }

        var aliases = answers
            .CnameRecords()
            .GroupBy(r => DomainName.Normalize(r.DomainName.Value))
            .ToDictionary(g => g.Key, g => DomainName.Normalize(g.First().CanonicalName.Value));
        var owner = DomainName.Normalize(asked);
        var chain = new List<string>();
        while (aliases.TryGetValue(owner, out var target))
        {
            if (target == DomainName.Normalize(asked) || chain.Contains(target) || chain.Count >= CnameChain.MaxLength)
            {
                chain.Add(target);
                return (target, chain, true);
            }

            chain.Add(target);
            owner = target;
        }

        return (owner, chain, false);
    }

    /// <summary>The response codes a resolver or server answers with, named as operators know them.</summary>
    private static string Rcode(DnsHeaderResponseCode code) =>
        code switch
        {
            DnsHeaderResponseCode.Refused => "REFUSED (the server does not answer for this name: not authoritative, or recursion denied)",
            DnsHeaderResponseCode.ServerFailure => "SERVFAIL (the server could not get an answer: broken delegation or DNSSEC failure)",
            DnsHeaderResponseCode.NotImplemented => "NOTIMP",
            DnsHeaderResponseCode.FormatError => "FORMERR",
            _ => code.ToString(),
        };

    private static string Reason(Exception e) =>
        e switch
        {
            DnsResponseException { Code: DnsResponseCode.ConnectionTimeout } => "timed out (no reply; the server may be down or filtered)",
            SocketException { SocketErrorCode: SocketError.ConnectionRefused } => "unreachable (connection refused: nothing listens there)",
            SocketException { SocketErrorCode: SocketError.NetworkUnreachable or SocketError.HostUnreachable } => "unreachable (no route)",
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
