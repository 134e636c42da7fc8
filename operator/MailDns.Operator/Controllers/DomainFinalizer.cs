using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using MailDns.Core.Api;
using MailDns.Core.Dkim.Storage;
using MailDns.Core.Names;
using MailDns.Core.Publishing;
using MailDns.Operator.Kubernetes;
using MailDns.Operator.Publishing;
using MailDns.Operator.Reconcile;
using Microsoft.Extensions.Logging;

namespace MailDns.Operator.Controllers;

/// <summary>
/// The finalizer of SendingDomains (KubeOps' finalizer handler): added before anything is published, and on deletion
/// it removes what the domain published and its keys (deletionPolicy Delete) or releases the key Secret from its
/// owner so it outlives the domain (Retain), then lets go.
/// </summary>
public sealed class DomainFinalizer(IKubernetes client, DomainStatusWriter writer, EventRecorder events, ILogger<DomainFinalizer> logger)
{
    public const string Name = "maildns.io/records";

    public static bool Has(SendingDomain domain) => (domain.Metadata.Finalizers ?? []).Contains(Name);

    /// <summary>Adds the finalizer; the caller goes on with the returned copy.</summary>
    public Task<SendingDomain> AddAsync(SendingDomain domain, CancellationToken cancellationToken) =>
        writer.PatchMetadataAsync(domain, Finalizers([.. domain.Metadata.Finalizers ?? [], Name]), cancellationToken);

    public async Task FinalizeAsync(
        SendingDomain domain,
        DnsProviderSpec? provider,
        ProviderStores stores,
        CancellationToken cancellationToken
    )
    {
        if (!Has(domain))
        {
            return;
        }

        var ns = domain.Metadata.NamespaceProperty ?? "default";
        var delete = domain.Spec.DeletionPolicy == "Delete";
        if (delete)
        {
            await RemoveRecordsAsync(domain, provider, stores, cancellationToken).ConfigureAwait(false);
            await IgnoreNotFound(() =>
                    client.CoreV1.DeleteNamespacedSecretAsync(KeySecret.NameFor(domain), ns, cancellationToken: cancellationToken)
                )
                .ConfigureAwait(false);
        }
        else
        {
            // Retain: the keys outlive the SendingDomain, so the Secret must not be garbage-collected with it.
            var release = new V1Patch("""{"metadata":{"ownerReferences":null}}""", V1Patch.PatchType.MergePatch);
            await IgnoreNotFound(() =>
                    client.CoreV1.PatchNamespacedSecretAsync(release, KeySecret.NameFor(domain), ns, cancellationToken: cancellationToken)
                )
                .ConfigureAwait(false);
        }

        await writer
            .PatchMetadataAsync(domain, Finalizers(domain.Metadata.Finalizers!.Where(f => f != Name)), cancellationToken)
            .ConfigureAwait(false);
        logger.LogInformation(
            "{Key} finalized (deletionPolicy {Policy})",
            domain.Key,
            domain.Spec.DeletionPolicy ?? Defaults.DeletionPolicy
        );
        var message = delete ? "removed the records and keys it published" : "left its records and keys in place (deletionPolicy Retain)";
        await events.RecordAsync(domain, EventRecorder.Normal, "Finalized", message, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>What the domain published, as its status records it: what a later reconcile may replace or delete.</summary>
    public static List<OwnedRecord> OwnedBy(SendingDomain domain) =>
        (domain.Status?.Records ?? []).Select(r => new OwnedRecord(DomainName.Normalize(r.Name), r.Value, domain.Key)).ToList();

    private static async Task RemoveRecordsAsync(
        SendingDomain domain,
        DnsProviderSpec? provider,
        ProviderStores stores,
        CancellationToken cancellationToken
    )
    {
        if (provider is null)
        {
            throw new InvalidOperationException(
                $"{domain.Key}: deletionPolicy Delete needs its provider to remove the records, and it was not found"
            );
        }

        var (store, _) = stores.For(domain, provider);
        var removed = await new RecordPublisher(store)
            .ApplyAsync([], OwnedBy(domain), adopt: false, cancellationToken)
            .ConfigureAwait(false);
        if (!removed.Succeeded)
        {
            throw new PublishException($"{domain.Key}: removing its records: {string.Join("; ", removed.Failures.Select(f => f.Error))}");
        }
    }

    private static JsonObject Finalizers(IEnumerable<string> finalizers) =>
        new() { ["finalizers"] = new JsonArray(finalizers.Select(f => (JsonNode)f).ToArray()) };

    private static async Task IgnoreNotFound(Func<Task> call)
    {
        try
        {
            await call().ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound) { }
    }
}
