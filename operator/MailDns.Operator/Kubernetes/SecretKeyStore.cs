using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using MailDns.Core.Api;
using MailDns.Core.Dkim.Storage;
using MailDns.Core.Readiness;

namespace MailDns.Operator.Kubernetes;

/// <summary>
/// DKIM keys in the Secret the MTAs mount (&lt;name&gt;-dkim, owned by its SendingDomain). Every save replaces the
/// whole Secret in one API write guarded by its resourceVersion, so after a crash either the old or the new set
/// is there, and two writers can never interleave: the loser gets 409 and its reconcile is retried. One store
/// serves one reconcile: after the first read it answers from what it read or wrote last, since any change by
/// someone else would make its next write fail on the resourceVersion anyway. When the informer's cache vouches that
/// the Secret does not exist (<paramref name="knownAbsent"/>), the read is skipped: a new domain's first reconcile
/// only creates, and a Secret created by someone else meanwhile makes that create fail rather than be overwritten.
/// </summary>
public sealed class SecretKeyStore(
    IKubernetes client,
    Func<string, SendingDomain> ownerOf,
    KeySecretWrites? writes = null,
    Func<string, bool>? knownAbsent = null
) : IKeyStore
{
    private readonly Dictionary<string, string> versions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, KeySet?> known = new(StringComparer.Ordinal); // null: read, and not there

    public async Task<KeySet?> LoadAsync(string owner, CancellationToken cancellationToken)
    {
        lock (versions)
        {
            if (known.TryGetValue(owner, out var keys))
            {
                return keys;
            }
        }

        if (knownAbsent?.Invoke(owner) == true)
        {
            lock (versions)
            {
                versions.Remove(owner);
                known[owner] = null;
            }

            return null;
        }

        var domain = ownerOf(owner);
        try
        {
            var secret = await client
                .CoreV1.ReadNamespacedSecretAsync(
                    KeySecret.NameFor(domain),
                    domain.Metadata.NamespaceProperty ?? "default",
                    cancellationToken: cancellationToken
                )
                .ConfigureAwait(false);
            KeySet read;
            try
            {
                read = KeySecret.Read(secret);
            }
            catch (FormatException e)
            {
                // Never overwritten: its keys may still sign mail. The status says what to mend; retries pick up the fix.
                throw new ReconcileException(
                    ConditionReasons.InvalidKeySecret,
                    $"Secret {secret.Metadata.NamespaceProperty}/{secret.Metadata.Name}: {e.Message}; the operator leaves it untouched "
                        + $"until it is mended"
                );
            }

            lock (versions)
            {
                versions[owner] = secret.Metadata.ResourceVersion;
                known[owner] = read;
            }

            return read;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            lock (versions)
            {
                versions.Remove(owner);
                // the first save creates it; if someone else does first, that create fails and the reconcile is retried
                known[owner] = null;
            }

            return null;
        }
    }

    public async Task SaveAsync(string owner, KeySet keys, CancellationToken cancellationToken)
    {
        var domain = ownerOf(owner);
        var secret = KeySecret.Build(domain, keys);
        string? version;
        lock (versions)
        {
            version = versions.GetValueOrDefault(owner);
        }

        var ns = domain.Metadata.NamespaceProperty ?? "default";
        var key = $"{ns}/{secret.Metadata.Name}";
        V1Secret written;
        using (writes?.Writing(key))
        {
            if (version is null)
            {
                written = await client
                    .CoreV1.CreateNamespacedSecretAsync(secret, ns, cancellationToken: cancellationToken)
                    .ConfigureAwait(false);
            }
            else
            {
                secret.Metadata.ResourceVersion = version;
                written = await client
                    .CoreV1.ReplaceNamespacedSecretAsync(secret, secret.Metadata.Name, ns, cancellationToken: cancellationToken)
                    .ConfigureAwait(false);
            }

            writes?.Wrote(key, written.Metadata.ResourceVersion);
        }

        lock (versions)
        {
            versions[owner] = written.Metadata.ResourceVersion;
            known[owner] = keys;
        }
    }
}
