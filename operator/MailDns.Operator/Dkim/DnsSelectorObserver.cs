using System.Net;
using MailDns.Core.Dkim.Rotation;
using MailDns.Core.Health;
using MailDns.Operator.Dns;
using DnsQuestion = MailDns.Core.Health.DnsQuestion;

namespace MailDns.Operator.Dkim;

/// <summary>
/// Asks each given authoritative nameserver directly (no recursion, no cache) what it serves at each key's
/// selector. A server that times out or fails makes the observation Unknown, never Absent.
/// </summary>
public sealed class DnsSelectorObserver(IEnumerable<IPEndPoint> nameservers, TimeProvider time, IDnsQuery? dns = null) : ISelectorObserver
{
    private readonly IReadOnlyList<IPEndPoint> servers = nameservers.ToList();
    private readonly IDnsQuery dns = dns ?? new DnsClientQuery();

    public async Task<IReadOnlyDictionary<string, SelectorObservation>> ObserveAsync(
        string domain,
        IReadOnlyList<DkimKey> keys,
        CancellationToken cancellationToken
    )
    {
        var result = new Dictionary<string, SelectorObservation>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            var question = new DnsQuestion($"{key.Selector}._domainkey.{domain}", DnsType.Txt);
            var answers = await Task.WhenAll(
                    servers.Select(async server =>
                    {
                        var answer = await dns.AskAsync(server, question, recursive: false, cancellationToken).ConfigureAwait(false);
                        return answer.IsUnanswered
                            ? new ServerAnswer(server.ToString(), null, Failed: true)
                            : new ServerAnswer(server.ToString(), answer.Txt);
                    })
                )
                .ConfigureAwait(false);
            result[key.Selector] = new SelectorObservation(key.Selector, SelectorClassifier.Classify(key, answers), time.GetUtcNow());
        }

        return result;
    }
}
