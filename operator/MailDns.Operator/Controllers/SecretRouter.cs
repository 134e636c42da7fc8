using MailDns.Core.Api;
using MailDns.Core.Dkim.Storage;
using MailDns.Operator.Kubernetes;

namespace MailDns.Operator.Controllers;

/// <summary>
/// Routes Secret changes to the objects that read them: a referenced Secret (TSIG key, Pulumi credentials or
/// passphrase) requeues the domains whose provider reads it and the provider's status; a DKIM key Secret that
/// someone else changed or deleted requeues its domain, so a damaged one is reported at once. The first sight of
/// a Secret (the initial LIST) routes nothing: the domains are queued by their own informer.
/// </summary>
public sealed class SecretRouter(ClusterCache cache, KeySecretWrites keySecretWrites)
{
    private readonly Dictionary<string, string> versions = new(StringComparer.Ordinal);

    /// <summary>A domain (key "namespace/name") whose inputs changed.</summary>
    public event Action<string>? DomainAffected;

    /// <summary>A provider (its cache key) whose Secrets changed.</summary>
    public event Action<string>? ProviderAffected;

    public void SecretChanged(string key)
    {
        var exists = cache.Secrets.TryGetValue(key, out var secret);
        if (!IsNews(key, exists ? secret!.Metadata.ResourceVersion ?? "" : null))
        {
            return;
        }

        var ourWrite = exists && keySecretWrites.IsOwnWrite(key, secret!.Metadata.ResourceVersion);
        if (!ourWrite && KeySecret.OwnerKey(key) is { } owner && cache.Domains.ContainsKey(owner))
        {
            DomainAffected?.Invoke(owner);
        }

        // Looked up rather than scanned: the operator writes a key Secret for every domain, and scanning every domain
        // for each of those writes made a fleet's first reconcile quadratic. Only a provider's Secret is worth a scan.
        var providers = ProvidersReading(key).ToList();
        if (providers.Count > 0)
        {
            foreach (var (domainKey, sd) in cache.Domains)
            {
                var ns = sd.Metadata.NamespaceProperty ?? "default";
                if (cache.ResolveProvider(sd) is { } provider && ProviderSecrets.Referenced(provider, ns).Contains(key))
                {
                    DomainAffected?.Invoke(domainKey);
                }
            }
        }

        foreach (var providerKey in providers)
        {
            ProviderAffected?.Invoke(providerKey);
        }
    }

    /// <summary>True for a new version of a known Secret, a Secret created after the first LIST, or a deletion.</summary>
    private bool IsNews(string key, string? version)
    {
        lock (versions)
        {
            var known = versions.TryGetValue(key, out var was);
            if (version is null)
            {
                return versions.Remove(key);
            }

            versions[key] = version;
            return known ? was != version : cache.SecretsSynced;
        }
    }

    private IEnumerable<string> ProvidersReading(string secretKey)
    {
        foreach (var (key, provider) in cache.Providers)
        {
            if (ProviderSecrets.Referenced(provider.Spec, provider.Metadata.NamespaceProperty ?? "default").Contains(secretKey))
            {
                yield return key;
            }
        }

        foreach (var (key, provider) in cache.ClusterProviders)
        {
            if (ProviderSecrets.Referenced(provider.Spec, "default").Contains(secretKey))
            {
                yield return key;
            }
        }
    }
}
