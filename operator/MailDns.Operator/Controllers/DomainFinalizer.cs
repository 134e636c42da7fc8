using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using MailDns.Core.Api;
using MailDns.Core.Dkim.Storage;
using MailDns.Core.MtaSts;
using MailDns.Core.Names;
using MailDns.Core.Publishing;
using MailDns.Core.Records;
using MailDns.Operator.Kubernetes;
using MailDns.Operator.Publishing;
using MailDns.Operator.Reconcile;
using Microsoft.Extensions.Logging;

namespace MailDns.Operator.Controllers;

/// <summary>
/// The finalizer of SendingDomains (KubeOps' finalizer handler): added before anything is published, and on deletion
/// it removes what the domain published and its keys (deletionPolicy Delete) or releases the key Secret from its
/// owner so it outlives the domain (Retain), then lets go. A managed MTA-STS policy is withdrawn first
/// (<see cref="MtaStsWithdrawal"/>): the records stay until senders have let the previous policy expire.
/// </summary>
public sealed class DomainFinalizer(
    IKubernetes client,
    DomainStatusWriter writer,
    EventRecorder events,
    ControllerOptions options,
    TimeProvider time,
    ILogger<DomainFinalizer> logger
)
{
    public const string Name = "maildns.io/records";

    public static bool Has(SendingDomain domain) => (domain.Metadata.Finalizers ?? []).Contains(Name);

    /// <summary>Adds the finalizer; the caller goes on with the returned copy.</summary>
    public Task<SendingDomain> AddAsync(SendingDomain domain, CancellationToken cancellationToken) =>
        writer.PatchMetadataAsync(domain, Finalizers([.. domain.Metadata.Finalizers ?? [], Name]), cancellationToken);

    /// <summary>Finalizes the domain, or says when to come back while its MTA-STS policy is being withdrawn.</summary>
    public async Task<ReconcileOutcome> FinalizeAsync(
        SendingDomain domain,
        DnsProviderSpec? provider,
        ProviderStores stores,
        CancellationToken cancellationToken
    )
    {
        if (!Has(domain))
        {
            return ReconcileOutcome.Done;
        }

        var ns = domain.Metadata.NamespaceProperty ?? "default";
        var delete = domain.Spec.DeletionPolicy == "Delete";
        if (delete && await WithdrawMtaStsAsync(domain, provider, stores, cancellationToken).ConfigureAwait(false) is { } later)
        {
            return later;
        }

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
        return ReconcileOutcome.Done;
    }

    /// <summary>
    /// One step of withdrawing a managed MTA-STS policy (RFC 8461 §8.3), or null when it is done or there is none: the
    /// step is <see cref="MtaStsWithdrawal.Next"/>'s; this writes the none policy where the listeners serve it, moves the
    /// _mta-sts record to its id, and says when to look again.
    /// </summary>
    private async Task<ReconcileOutcome?> WithdrawMtaStsAsync(
        SendingDomain domain,
        DnsProviderSpec? provider,
        ProviderStores stores,
        CancellationToken cancellationToken
    )
    {
        var records = domain.Status?.Records ?? [];
        if (domain.Spec.MtaSts?.Mode is null || !records.Any(r => r.Purpose == MtaStsPurpose))
        {
            return null; // a policy the user hosts, or no _mta-sts record in DNS: nothing the operator can withdraw
        }

        var mtaSts = domain.Status!.MtaSts;
        var name = DomainName.Normalize(domain.Spec.Domain);
        var served =
            mtaSts?.Withdrawal is not null && mtaSts.PublishedId != mtaSts.PolicyId
                ? (await options.MtaStsFetcher.FetchAsync(name, cancellationToken).ConfigureAwait(false)).Text
                : null;
        var now = time.GetUtcNow();
        var step = MtaStsWithdrawal.Next(mtaSts, served, now, ServeRetry);
        var status = DomainStatusWriter.Clone(domain.Status)!;
        switch (step)
        {
            case WithdrawalStep.Serve serve:
                status.MtaSts = serve.Status;
                await writer.WriteAsync(domain, domain.Status, status, cancellationToken).ConfigureAwait(false);
                await events
                    .RecordAsync(domain, EventRecorder.Normal, "MtaStsWithdrawing", serve.Message, cancellationToken)
                    .ConfigureAwait(false);
                return ReconcileOutcome.At(now + ServeRetry);
            case WithdrawalStep.Publish publish:
                await PublishIdAsync(domain, provider, stores, publish.Id, cancellationToken).ConfigureAwait(false);
                foreach (var record in status.Records!.Where(r => r.Purpose == MtaStsPurpose))
                {
                    record.Value = RecordSynthesis.MtaStsValue(publish.Id);
                }

                status.MtaSts!.PublishedId = publish.Id;
                status.MtaSts.Current = true;
                status.MtaSts.Withdrawal!.PublishedAt = now;
                var after = MtaStsWithdrawal.Next(status.MtaSts, null, now, ServeRetry);
                status.MtaSts.Message = after.Message;
                await writer.WriteAsync(domain, domain.Status, status, cancellationToken).ConfigureAwait(false);
                await events
                    .RecordAsync(
                        domain,
                        EventRecorder.Normal,
                        "MtaStsIdPublished",
                        $"_mta-sts.{name} id={publish.Id}: {after.Message}",
                        cancellationToken
                    )
                    .ConfigureAwait(false);
                return after is WithdrawalStep.Wait later ? ReconcileOutcome.At(later.Until) : ReconcileOutcome.At(now);
            case WithdrawalStep.Wait wait:
                return ReconcileOutcome.At(wait.Until);
            default:
                return null;
        }
    }

    private static readonly string MtaStsPurpose = DesiredRecord.PurposeText(RecordPurpose.MtaSts);

    /// <summary>How soon to read the policy URL again while the none policy is not served: the listeners serve it from
    /// their watch within moments, so at most 5 s, sooner when the policy pass is quicker.</summary>
    private TimeSpan ServeRetry => options.MtaStsRefresh < TimeSpan.FromSeconds(5) ? options.MtaStsRefresh : TimeSpan.FromSeconds(5);

    /// <summary>Moves the _mta-sts record to the none policy's id; every other record stays exactly as published.</summary>
    private static async Task PublishIdAsync(
        SendingDomain domain,
        DnsProviderSpec? provider,
        ProviderStores stores,
        string id,
        CancellationToken cancellationToken
    )
    {
        if (provider is null)
        {
            throw new InvalidOperationException($"{domain.Key}: withdrawing its MTA-STS policy needs its provider, and it was not found");
        }

        var desired = domain
            .Status!.Records!.Select(r => new DesiredRecord(
                DomainName.Normalize(r.Name),
                r.Ttl,
                r.Purpose == MtaStsPurpose ? RecordSynthesis.MtaStsValue(id) : r.Value,
                DesiredRecord.PurposeFromText(r.Purpose),
                domain.Key
            ))
            .ToList();
        var (store, _) = stores.For(domain, provider);
        var result = await new RecordPublisher(store)
            .ApplyAsync(desired, OwnedBy(domain), adopt: false, cancellationToken)
            .ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new PublishException(
                $"{domain.Key}: publishing the mode none MTA-STS id: {string.Join("; ", result.Failures.Select(f => f.Error))}"
            );
        }
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
