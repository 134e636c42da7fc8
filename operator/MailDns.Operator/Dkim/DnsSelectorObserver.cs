using System.Net;
using DnsClient;
using DnsClient.Protocol;
using MailDns.Core.Dkim.Rotation;

namespace MailDns.Operator.Dkim;

/// <summary>
/// Asks each given authoritative nameserver directly (no recursion, no cache) what it serves at each key's
/// selector. A server that times out or fails makes the observation Unknown, never Absent.
/// </summary>
public sealed class DnsSelectorObserver : ISelectorObserver
{
    private readonly IReadOnlyList<(string Name, LookupClient Client)> servers;
    private readonly TimeProvider time;

    public DnsSelectorObserver(IEnumerable<IPEndPoint> nameservers, TimeProvider time, TimeSpan? timeout = null)
    {
        this.time = time;
        servers = nameservers.Select(endpoint => (endpoint.ToString(), new LookupClient(new LookupClientOptions(endpoint)
        {
            UseCache = false,
            Recursion = false,
            Timeout = timeout ?? TimeSpan.FromSeconds(2),
            Retries = 1,
            UseTcpFallback = true,
            ThrowDnsErrors = false,
            ContinueOnDnsError = false,
            ContinueOnEmptyResponse = false,
        }))).ToList();
    }

    public async Task<IReadOnlyDictionary<string, SelectorObservation>> ObserveAsync(string domain, IReadOnlyList<DkimKey> keys, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, SelectorObservation>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            var name = $"{key.Selector}._domainkey.{domain}";
            var answers = await Task.WhenAll(servers.Select(s => QueryAsync(s.Name, s.Client, name, cancellationToken))).ConfigureAwait(false);
            result[key.Selector] = new SelectorObservation(key.Selector, SelectorClassifier.Classify(key, answers), time.GetUtcNow());
        }

        return result;
    }

    public static async Task<ServerAnswer> QueryAsync(string server, ILookupClient client, string name, CancellationToken cancellationToken)
    {
        try
        {
            var response = await client.QueryAsync(name, QueryType.TXT, QueryClass.IN, cancellationToken).ConfigureAwait(false);
            if (response.HasError && response.Header.ResponseCode != DnsHeaderResponseCode.NotExistentDomain)
            {
                return new ServerAnswer(server, null, Failed: true);
            }

            var records = response.Answers.OfType<TxtRecord>().Select(r => (IReadOnlyList<string>)r.Text.ToList()).ToList();
            return new ServerAnswer(server, records);
        }
        catch (DnsResponseException)
        {
            return new ServerAnswer(server, null, Failed: true);
        }
    }
}
