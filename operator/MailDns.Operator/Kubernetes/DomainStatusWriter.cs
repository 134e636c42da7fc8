using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using MailDns.Core.Api;
using Microsoft.Extensions.Logging;

namespace MailDns.Operator.Kubernetes;

/// <summary>
/// Every write the controllers make to a SendingDomain: metadata patches (the finalizer) and the status subresource,
/// written only when it changed, with an event when Ready changes. It remembers its own writes so a reader sees
/// them before the watch brings them back (<see cref="Freshest"/>).
/// </summary>
public sealed class DomainStatusWriter(IKubernetes client, ClusterCache cache, EventRecorder events, ILogger<DomainStatusWriter> logger)
{
    private const string Plural = "sendingdomains";
    private readonly OwnWrites<SendingDomain> ownWrites = new();

    /// <summary>The cached copy, or this operator's own later write of it while the watch has not caught up.</summary>
    public SendingDomain Freshest(string key, SendingDomain cached) => ownWrites.Freshest(key, cached);

    /// <summary>The freshest copy of a domain still in the cache, or null when it is gone.</summary>
    public SendingDomain? Current(string key) => cache.Domains.TryGetValue(key, out var cached) ? Freshest(key, cached) : null;

    /// <summary>Called for every watch event of a domain, so writes the watch has caught up with are forgotten.</summary>
    public void Observed(string key) => ownWrites.Observed(key, cache.Domains.GetValueOrDefault(key));

    public async Task<SendingDomain> PatchMetadataAsync(SendingDomain domain, JsonObject metadata, CancellationToken cancellationToken)
    {
        metadata["resourceVersion"] = domain.Metadata.ResourceVersion;
        var patch = new V1Patch(new JsonObject { ["metadata"] = metadata }.ToJsonString(), V1Patch.PatchType.MergePatch);
        var result = await client
            .CustomObjects.PatchNamespacedCustomObjectAsync(
                patch,
                ApiGroup.Name,
                ApiGroup.Version,
                domain.Metadata.NamespaceProperty,
                Plural,
                domain.Metadata.Name,
                cancellationToken: cancellationToken
            )
            .ConfigureAwait(false);
        return Wrote(domain, result);
    }

    /// <summary>Writes the status when it differs from <paramref name="previous"/> beyond the times that move every run.</summary>
    public async Task WriteAsync(
        SendingDomain domain,
        SendingDomainStatus? previous,
        SendingDomainStatus status,
        CancellationToken cancellationToken
    )
    {
        if (Comparable(previous) == Comparable(status))
        {
            return; // unchanged: no write, so no watch event and no reconcile loop
        }

        // A merge patch keeps what it does not name: a field the new status drops (status.reputation once checks are off)
        // is named with null, which deletes it (RFC 7386).
        var body = JsonNode.Parse(KubernetesJson.Serialize(status))!.AsObject();
        if (previous is not null)
        {
            foreach (
                var (name, _) in JsonNode
                    .Parse(KubernetesJson.Serialize(previous))!
                    .AsObject()
                    .Where(p => !body.ContainsKey(p.Key))
                    .ToList()
            )
            {
                body[name] = null;
            }
        }

        var patch = new V1Patch(new JsonObject { ["status"] = body }.ToJsonString(), V1Patch.PatchType.MergePatch);
        var written = await client
            .CustomObjects.PatchNamespacedCustomObjectStatusAsync(
                patch,
                ApiGroup.Name,
                ApiGroup.Version,
                domain.Metadata.NamespaceProperty,
                Plural,
                domain.Metadata.Name,
                cancellationToken: cancellationToken
            )
            .ConfigureAwait(false);
        Wrote(domain, written);
        var before = previous?.Conditions?.FirstOrDefault(c => c.Type == ConditionTypes.Ready);
        var after = status.Conditions?.FirstOrDefault(c => c.Type == ConditionTypes.Ready);
        if (after is not null && (before?.Status != after.Status || before?.Reason != after.Reason))
        {
            logger.LogInformation("{Key} Ready={Ready} ({Reason}): {Message}", domain.Key, after.Status, after.Reason, after.Message);
            var type = after.Status == ConditionStatus.True ? EventRecorder.Normal : EventRecorder.Warning;
            await events.RecordAsync(domain, type, after.Reason, after.Message, cancellationToken).ConfigureAwait(false);
        }
    }

    public static SendingDomainStatus? Clone(SendingDomainStatus? status) =>
        status is null ? null : KubernetesJson.Deserialize<SendingDomainStatus>(KubernetesJson.Serialize(status));

    /// <summary>Status without the times that move on every run, so an unchanged domain is recognised as unchanged.</summary>
    private static string Comparable(SendingDomainStatus? status)
    {
        var json = JsonNode.Parse(KubernetesJson.Serialize(status ?? new SendingDomainStatus()))!;
        json["publish"]?.AsObject().Remove("lastRunTime");
        json["health"]?.AsObject().Remove("lastCheckTime");
        json["health"]?.AsObject().Remove("nextCheckTime");
        return json.ToJsonString();
    }

    private SendingDomain Wrote(SendingDomain from, object response)
    {
        var written = KubernetesJson.Deserialize<SendingDomain>(((System.Text.Json.JsonElement)response).GetRawText());
        ownWrites.Wrote(from.Key, from, written, () => cache.Domains.GetValueOrDefault(from.Key));
        return written;
    }
}
