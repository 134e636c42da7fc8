using System.Collections.Frozen;
using k8s;
using MailDns.Core.Api;
using MailDns.Core.Names;
using MailDns.Operator.Kubernetes;

namespace MailDns.Operator.Hosting;

/// <summary>
/// The MTA-STS policies the public listener serves, on every replica: its own informer of SendingDomains (keeping only
/// the domain name and status.mtaSts.policy), since a follower runs no controller cache, indexed by the policy host
/// "mta-sts.DOMAIN". The leader's MtaStsController writes the policies; every replica serves what the API holds.
/// </summary>
public sealed class PolicySource
{
    private readonly Informer<SendingDomain> domains;
    private volatile FrozenDictionary<string, string>? index;

    public PolicySource(IKubernetes client, string? ns, TimeSpan resync)
    {
        domains = new Informer<SendingDomain>(
            InformerSource.Custom<SendingDomain>(client, ApiGroup.Name, ApiGroup.Version, "sendingdomains", ns),
            _ => index = null,
            resync,
            Keep
        );
    }

    /// <summary>For tests and tools: a source over domains already at hand.</summary>
    public static Func<string, string?> Over(IEnumerable<SendingDomain> domains)
    {
        var built = Index(domains);
        return host => built.GetValueOrDefault(DomainName.Normalize(host));
    }

    public Task RunAsync(CancellationToken cancellationToken) => domains.RunAsync(cancellationToken);

    /// <summary>The policy text for a Host header, or null (404).</summary>
    public string? Find(string host) => (index ??= Index(domains.Cache.Values)).GetValueOrDefault(DomainName.Normalize(host));

    private static FrozenDictionary<string, string> Index(IEnumerable<SendingDomain> domains) =>
        domains
            // A domain being deleted still serves its policy: with deletionPolicy Delete that is the mode none policy it
            // withdraws with (RFC 8461 §8.3). A live domain claiming the same name comes first.
            .Where(d => d.Status?.MtaSts?.Policy is not null)
            .GroupBy(d => "mta-sts." + DomainName.Normalize(d.Spec.Domain))
            .ToFrozenDictionary(
                g => g.Key,
                g => g.OrderBy(d => d.Metadata.DeletionTimestamp is not null).First().Status!.MtaSts!.Policy!,
                StringComparer.Ordinal
            );

    private static SendingDomain Keep(SendingDomain d) =>
        new()
        {
            Metadata = new k8s.Models.V1ObjectMeta
            {
                Name = d.Metadata.Name,
                NamespaceProperty = d.Metadata.NamespaceProperty,
                ResourceVersion = d.Metadata.ResourceVersion,
                DeletionTimestamp = d.Metadata.DeletionTimestamp,
            },
            Spec = new SendingDomainSpec { Domain = d.Spec.Domain },
            Status = d.Status?.MtaSts is { } mtaSts ? new SendingDomainStatus { MtaSts = mtaSts } : null,
        };
}
