using System.Net;
using MailDns.Core.Api;
using MailDns.Core.Dkim;
using MailDns.Core.Dkim.Rotation;
using MailDns.Core.Dkim.Storage;
using MailDns.Core.Health;
using MailDns.Core.Names;
using MailDns.Core.Publishing;
using MailDns.Core.Records;
using MailDns.Operator.Dkim;
using MailDns.Operator.Health;
using MailDns.Operator.Publishing;

namespace MailDns.Operator.Reconcile;

/// <summary>What one reconcile of a domain produced: its status, the records it owns, and when to look again.</summary>
public sealed record DomainReconcileResult(SendingDomainStatus Status, IReadOnlyList<OwnedRecord> Owned, DateTimeOffset? RequeueAt);

/// <summary>
/// One reconcile of one SendingDomain, the same in standalone mode and in the operator: DKIM rotation steps (keys
/// saved before anything publishes them), the whole record set published through the provider, the records
/// verified (against nameservers, or the zone file that is the authoritative data), and the status with its
/// conditions. A failing domain gets Ready=False with the reason; nothing throws but cancellation.
/// </summary>
public sealed class DomainReconciler(IReadOnlyList<IPEndPoint> nameservers, TimeProvider time, bool checkHealth = true)
{
    /// <summary>How many rotation steps one reconcile takes at most: enough to generate, publish and verify a key.</summary>
    private const int StepsPerRun = 4;

    public async Task<DomainReconcileResult> ReconcileAsync(SendingDomain domain, DnsProviderSpec? provider, ProviderStores stores, IKeyStore keyStore, IReadOnlyList<OwnedRecord> owned, SendingDomainStatus? previous, CancellationToken cancellationToken)
    {
        var status = previous ?? new SendingDomainStatus();
        var generation = domain.Metadata.Generation ?? 1;
        var now = time.GetUtcNow();
        var conditions = status.Conditions?.ToList() ?? [];
        DomainRecordsPublisher? recordsPublisher = null;
        DateTimeOffset? nextRotation = null;
        try
        {
            if (provider is null)
            {
                throw new ReconcileException("ProviderNotFound", $"spec.providerRef: {domain.Spec.ProviderRef.Kind ?? Defaults.ProviderKind} '{domain.Spec.ProviderRef.Name}' was not found");
            }

            var (store, storeName) = stores.For(domain, provider);
            recordsPublisher = new DomainRecordsPublisher(domain, new RecordPublisher(store), owned);
            var name = DomainName.Normalize(domain.Spec.Domain);
            var keys = (await keyStore.LoadAsync(domain.Key, cancellationToken).ConfigureAwait(false))?.State.Keys ?? [];
            if (domain.Spec.Dkim is not null)
            {
                ISelectorObserver observer = nameservers.Count > 0 ? new DnsSelectorObserver(nameservers, time) : new StoreSelectorObserver(store, storeName, time);
                var runner = new DkimRotationRunner(keyStore, recordsPublisher, observer, time);
                for (var i = 0; i < StepsPerRun; i++)
                {
                    var step = await runner.StepAsync(domain.Key, name, RotationSettings.From(domain.Spec.Dkim), cancellationToken).ConfigureAwait(false);
                    keys = step.Keys.State.Keys;
                    nextRotation = step.Decision.NextDecisionAt;
                    if (step.Decision.Actions.Count == 0)
                    {
                        break;
                    }
                }
            }

            // The whole set, every run: a spec change (SPF, DMARC) needs no DKIM step to reach DNS.
            await recordsPublisher.PublishAsync(name, keys, cancellationToken).ConfigureAwait(false);
            var desired = recordsPublisher.Desired;
            var missing = await VerifyAsync(store, desired, cancellationToken).ConfigureAwait(false);
            var health = checkHealth && nameservers.Count > 0
                ? await new HealthGatherer(new DnsClientQuery()).CheckAsync(name, [], new HealthExpectation(desired, domain.Spec.Dmarc?.Policy), new HealthTargets(nameservers, nameservers), cancellationToken).ConfigureAwait(false)
                : null;

            status.Records = recordsPublisher.Owned.Select(o => desired.FirstOrDefault(d => d.Name == o.Name && d.Value == o.Value) is { } d
                ? new RecordStatus { Name = DomainName.Fqdn(d.Name), Ttl = d.Ttl, Value = d.Value, Purpose = DesiredRecord.PurposeText(d.Purpose) }
                : new RecordStatus { Name = DomainName.Fqdn(o.Name), Value = o.Value }).ToList();
            status.Dkim = DkimStatusOf(keys, nextRotation);
            var result = recordsPublisher.LastResult!;
            status.Publish = new PublishStatus { Provider = provider.Pulumi is not null ? "pulumi" : provider.Rfc2136 is not null ? "rfc2136" : "zoneFile", LastRunTime = now, Created = result.Created, Updated = result.Updated, Deleted = result.Deleted, Unchanged = result.Unchanged };
            if (health is not null)
            {
                status.Health = HealthOutcome.Status(health, now, null);
                Conditions.Upsert(conditions, HealthOutcome.Conditions(health, generation, now, conditions));
            }
            else
            {
                Conditions.Upsert(conditions, [Conditions.Make("RecordsVerified", missing.Count == 0 ? "True" : "False", missing.Count == 0 ? "RecordsServed" : "RecordsNotServed",
                    missing.Count == 0 ? $"{storeName} serves the {desired.Count} expected record(s)" : $"{storeName} does not serve: {string.Join(", ", missing)}", generation, now, conditions)]);
            }

            var recordsOk = conditions.First(c => c.Type == "RecordsVerified").Status == "True";
            var active = keys.Where(k => k.Phase == KeyPhase.Active).Select(k => k.Selector).ToList();
            Conditions.Upsert(conditions, [Conditions.Make("Ready", recordsOk ? "True" : "False", recordsOk ? "Published" : "NotVerified",
                recordsOk ? $"{desired.Count} record(s) published and verified; {(active.Count > 0 ? $"signing with {string.Join(", ", active)}" : domain.Spec.Dkim is null ? "no DKIM" : $"first key activates after {nextRotation:u}")}" : "published records are not all served yet", generation, now, conditions)]);
        }
        catch (ReconcileException e)
        {
            Conditions.Upsert(conditions, [Conditions.Make("Ready", "False", e.Reason, e.Message, generation, now, conditions)]);
        }
        catch (PublishException e)
        {
            Conditions.Upsert(conditions, [Conditions.Make("Ready", "False", e.Reason, e.Message, generation, now, conditions)]);
        }

        status.Conditions = conditions;
        status.ObservedGeneration = generation;
        return new DomainReconcileResult(status, recordsPublisher?.Owned ?? owned, nextRotation);
    }

    private static async Task<List<string>> VerifyAsync(IRecordStore store, IReadOnlyList<DesiredRecord> desired, CancellationToken cancellationToken)
    {
        var served = await store.ReadAsync(desired.Select(d => DomainName.Normalize(d.Name)).Distinct().ToList(), cancellationToken).ConfigureAwait(false);
        return desired.Where(d => !(served.TryGetValue(DomainName.Normalize(d.Name), out var v) && v.Contains(d.Value, StringComparer.Ordinal))).Select(d => d.Name).ToList();
    }

    private static DkimStatus DkimStatusOf(IReadOnlyList<DkimKey> keys, DateTimeOffset? next) => new()
    {
        ActiveSelectors = keys.Where(k => k.Phase == KeyPhase.Active).Select(k => k.Selector).ToList(),
        NextRotationTime = next,
        Keys = keys.Select(k => new DkimKeyStatus
        {
            Selector = k.Selector,
            Algorithm = k.Algorithm.ToText(),
            Size = k.Algorithm == DkimAlgorithm.RsaSha256 ? k.Bits : null,
            Phase = k.Phase.ToString(),
            Fingerprint = k.Fingerprint,
            CreatedAt = k.CreatedAt,
            PublishedAt = k.PublishedAt,
            VerifiedAt = k.VerifiedAt,
            ActivatedAt = k.ActivatedAt,
            RetiringAt = k.RetiringAt,
            RevokedAt = k.RevokedAt,
        }).ToList(),
    };
}
