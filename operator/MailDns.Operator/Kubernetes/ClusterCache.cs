using k8s;
using k8s.Models;
using MailDns.Core.Api;
using MailDns.Core.Names;
using Microsoft.Extensions.Logging;

namespace MailDns.Operator.Kubernetes;

/// <summary>
/// The operator's view of the cluster: one informer each for SendingDomains, DnsProviders, ClusterDnsProviders
/// and Secrets (metadata only). Controllers read the caches and subscribe to the changes; nobody else lists.
/// </summary>
public sealed class ClusterCache
{
    private readonly Informer<SendingDomain> domains;
    private readonly Informer<DnsProvider> providers;
    private readonly Informer<ClusterDnsProvider> clusterProviders;
    private readonly Informer<V1Secret> secrets;
    private readonly InformerIndex<SendingDomain> domainsByName;

    public ClusterCache(IKubernetes client, ControllerOptions options, ILogger<ClusterCache> logger)
    {
        domains = new Informer<SendingDomain>(
            client,
            ApiGroup.Name,
            ApiGroup.Version,
            "sendingdomains",
            options.Namespace,
            key => DomainChanged?.Invoke(key),
            options.Resync
        );
        domainsByName = domains.AddIndex(d => DomainName.Normalize(d.Spec.Domain ?? ""));
        providers = new Informer<DnsProvider>(
            client,
            ApiGroup.Name,
            ApiGroup.Version,
            "dnsproviders",
            options.Namespace,
            key => ProviderChanged?.Invoke(key),
            options.Resync
        );
        clusterProviders = new Informer<ClusterDnsProvider>(
            client,
            ApiGroup.Name,
            ApiGroup.Version,
            "clusterdnsproviders",
            null,
            key => ProviderChanged?.Invoke(key),
            options.Resync
        );
        secrets = new Informer<V1Secret>(
            InformerSource.Secrets(client, options.Namespace),
            key => SecretChanged?.Invoke(key),
            options.Resync,
            InformerSource.MetadataOnly
        );
        void Failed(string resource, Exception e) =>
            logger.LogWarning("list/watch of {Resource} failed, listing again: {Error}", resource, e.Message);
        domains.Failed += e => Failed("sendingdomains", e);
        providers.Failed += e => Failed("dnsproviders", e);
        clusterProviders.Failed += e => Failed("clusterdnsproviders", e);
        secrets.Failed += e => Failed("secrets", e);
    }

    /// <summary>A SendingDomain was added, changed or deleted (key "namespace/name").</summary>
    public event Action<string>? DomainChanged;

    /// <summary>A DnsProvider ("namespace/name") or ClusterDnsProvider ("name") was added, changed or deleted.</summary>
    public event Action<string>? ProviderChanged;

    /// <summary>A Secret ("namespace/name") was added, changed or deleted.</summary>
    public event Action<string>? SecretChanged;

    public IReadOnlyDictionary<string, SendingDomain> Domains => domains.Cache;

    /// <summary>The SendingDomains whose spec.domain is <paramref name="domain"/> (normalized): an index kept with the cache.</summary>
    public IEnumerable<SendingDomain> DomainsNamed(string domain) =>
        domainsByName.KeysOf(domain).Select(domains.Cache.GetValueOrDefault).OfType<SendingDomain>();

    public IReadOnlyDictionary<string, DnsProvider> Providers => providers.Cache;

    public IReadOnlyDictionary<string, ClusterDnsProvider> ClusterProviders => clusterProviders.Cache;

    public IReadOnlyDictionary<string, V1Secret> Secrets => secrets.Cache;

    /// <summary>True once every cache has been filled by its first LIST (readiness).</summary>
    public bool Synced =>
        domains.Synced.IsCompleted && providers.Synced.IsCompleted && clusterProviders.Synced.IsCompleted && secrets.Synced.IsCompleted;

    public bool SecretsSynced => secrets.Synced.IsCompleted;

    /// <summary>Runs the informers; <paramref name="synced"/> completes once every cache is full.</summary>
    public Task RunAsync(TaskCompletionSource synced, CancellationToken cancellationToken)
    {
        var running = Task.WhenAll(
            providers.RunAsync(cancellationToken),
            clusterProviders.RunAsync(cancellationToken),
            secrets.RunAsync(cancellationToken),
            domains.RunAsync(cancellationToken)
        );
        _ = Task.WhenAll(providers.Synced, clusterProviders.Synced, secrets.Synced, domains.Synced)
            .ContinueWith(_ => synced.TrySetResult(), TaskScheduler.Default);
        return running;
    }

    /// <summary>The cache key of the provider a SendingDomain refers to.</summary>
    public static string ProviderKeyOf(SendingDomain domain)
    {
        var reference = domain.Spec.ProviderRef;
        return (reference.Kind ?? Defaults.ProviderKind) == ClusterDnsProvider.KindName
            ? reference.Name
            : $"{domain.Metadata.NamespaceProperty}/{reference.Name}";
    }

    public DnsProviderSpec? ResolveProvider(SendingDomain domain)
    {
        var key = ProviderKeyOf(domain);
        return (domain.Spec.ProviderRef.Kind ?? Defaults.ProviderKind) == ClusterDnsProvider.KindName
            ? clusterProviders.Cache.GetValueOrDefault(key)?.Spec
            : providers.Cache.GetValueOrDefault(key)?.Spec;
    }

    /// <summary>The provider resource behind a cache key, whichever kind it is.</summary>
    public DnsProviderResource? Provider(string key) =>
        key.Contains('/', StringComparison.Ordinal)
            ? providers.Cache.GetValueOrDefault(key)
            : clusterProviders.Cache.GetValueOrDefault(key);
}
