using System.Collections.Concurrent;
using System.Net;
using k8s;
using k8s.Autorest;

namespace MailDns.Operator.Kubernetes;

/// <summary>
/// A provider's Secrets (TSIG keys, Pulumi credentials and passphrases): read once, then again only when the Secret
/// informer shows a new resourceVersion (it keeps metadata only, so the values are read here), instead of one GET
/// per reconcile.
/// </summary>
public sealed class ProviderSecretCache(IKubernetes client, ClusterCache cache)
{
    private readonly ConcurrentDictionary<string, (string Version, Dictionary<string, string> Data)> read = new(StringComparer.Ordinal);

    /// <summary>A new term of leadership reads again.</summary>
    public void Clear() => read.Clear();

    public Dictionary<string, string>? Read(string ns, string name)
    {
        var key = $"{ns}/{name}";
        var current = cache.Secrets.GetValueOrDefault(key)?.Metadata.ResourceVersion;
        if (current is not null && read.TryGetValue(key, out var known) && known.Version == current)
        {
            return known.Data;
        }

        try
        {
            var secret = client.CoreV1.ReadNamespacedSecret(name, ns);
            var data = (secret.Data ?? new Dictionary<string, byte[]>()).ToDictionary(
                p => p.Key,
                p => System.Text.Encoding.UTF8.GetString(p.Value),
                StringComparer.Ordinal
            );
            read[key] = (secret.Metadata.ResourceVersion, data);
            return data;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            read.TryRemove(key, out _);
            return null;
        }
    }
}
