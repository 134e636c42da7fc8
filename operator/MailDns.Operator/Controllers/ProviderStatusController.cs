using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using MailDns.Core.Api;
using MailDns.Core.Findings;
using MailDns.Core.Validation;
using MailDns.Operator.Kubernetes;

namespace MailDns.Operator.Controllers;

/// <summary>
/// Writes the status of DnsProviders and ClusterDnsProviders (the READY column the CRDs declare): Ready when the
/// settings pass the provider rules and every Secret they name exists; False with InvalidSpec or SecretNotFound
/// and the field otherwise. It is the only writer of provider status.
/// </summary>
public sealed class ProviderStatusController(IKubernetes client, ClusterCache cache, TimeProvider time)
{
    public async Task<ReconcileOutcome> ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        if (cache.Provider(key) is not { } provider)
        {
            return ReconcileOutcome.Done;
        }

        var generation = provider.Metadata.Generation ?? 1;
        var previous = provider.Status?.Conditions?.ToList() ?? [];
        var (status, reason, message) = Verdict(provider);
        var ready = Conditions.Make(ConditionTypes.Ready, status, reason, message, generation, time.GetUtcNow(), previous);
        var was = previous.FirstOrDefault(c => c.Type == ConditionTypes.Ready);
        if (
            provider.Status?.ObservedGeneration == generation
            && was is not null
            && (was.Status, was.Reason, was.Message) == (ready.Status, ready.Reason, ready.Message)
        )
        {
            return ReconcileOutcome.Done; // unchanged: no write
        }

        var conditions = previous;
        Conditions.Upsert(conditions, [ready]);
        var body = new JsonObject
        {
            ["status"] = new JsonObject
            {
                ["observedGeneration"] = generation,
                ["conditions"] = JsonNode.Parse(KubernetesJson.Serialize(conditions)),
            },
        };
        var patch = new V1Patch(body.ToJsonString(), V1Patch.PatchType.MergePatch);
        if (provider is ClusterDnsProvider)
        {
            await client
                .CustomObjects.PatchClusterCustomObjectStatusAsync(
                    patch,
                    ApiGroup.Name,
                    ApiGroup.Version,
                    "clusterdnsproviders",
                    provider.Metadata.Name,
                    cancellationToken: cancellationToken
                )
                .ConfigureAwait(false);
        }
        else
        {
            await client
                .CustomObjects.PatchNamespacedCustomObjectStatusAsync(
                    patch,
                    ApiGroup.Name,
                    ApiGroup.Version,
                    provider.Metadata.NamespaceProperty,
                    "dnsproviders",
                    provider.Metadata.Name,
                    cancellationToken: cancellationToken
                )
                .ConfigureAwait(false);
        }

        return ReconcileOutcome.Done;
    }

    /// <summary>The provider's Ready verdict: its rules first, then the Secrets it names.</summary>
    private (string Status, string Reason, string Message) Verdict(DnsProviderResource provider)
    {
        var clusterScoped = provider is ClusterDnsProvider;
        var errors = DnsProviderValidator
            .Validate(provider.Metadata.Name, provider.Spec, clusterScoped)
            .Where(f => f.Severity == Severity.Error)
            .ToList();
        if (errors.Count > 0)
        {
            return (
                ConditionStatus.False,
                ConditionReasons.InvalidSpec,
                string.Join("; ", errors.Select(f => $"{f.Path}: {f.Message} ({f.Code})"))
            );
        }

        // A cluster provider's reference without a namespace points into each SendingDomain's own namespace:
        // only the domains can check those.
        var ns = provider.Metadata.NamespaceProperty;
        var named = ProviderSecrets.Referenced(provider.Spec, ns ?? "").Where(k => !k.StartsWith('/')).ToList();
        var missing = named.Where(k => !cache.Secrets.ContainsKey(k)).ToList();
        return missing.Count > 0
            ? (ConditionStatus.False, ConditionReasons.SecretNotFound, $"Secret(s) not found: {string.Join(", ", missing)}")
            : (
                ConditionStatus.True,
                ConditionReasons.ProviderUsable,
                $"zone {provider.Spec.Zone} through {KindOf(provider.Spec)}; {named.Count} Secret(s) found"
            );
    }

    private static string KindOf(DnsProviderSpec spec) =>
        spec.Pulumi is not null ? $"pulumi ({spec.Pulumi.Package})"
        : spec.Rfc2136 is not null ? $"rfc2136 ({spec.Rfc2136.Server})"
        : "a zone file";
}
