using System.Net;
using MailDns.Core.Api;
using MailDns.Core.Dkim;
using MailDns.Core.Dkim.Rotation;
using MailDns.Core.Dkim.Storage;
using MailDns.Core.Findings;
using MailDns.Core.Health;
using MailDns.Core.Names;
using MailDns.Core.Publishing;
using MailDns.Core.Readiness;
using MailDns.Core.Records;
using MailDns.Operator.Dkim;
using MailDns.Operator.Dns;
using MailDns.Operator.Health;
using MailDns.Operator.Publishing;

namespace MailDns.Operator.Reconcile;

/// <summary>What one reconcile of a domain produced: its status, the records it owns, and the policy's decision.</summary>
public sealed record DomainReconcileResult(SendingDomainStatus Status, IReadOnlyList<OwnedRecord> Owned, StatusDecision Decision)
{
    /// <summary>compromisedSelectors entries that name no key the domain holds (they revoke nothing).</summary>
    public IReadOnlyList<string> UnknownCompromised { get; init; } = [];

    /// <summary>True when this run changed DNS: the moment for a health check of the new records.</summary>
    public bool Published => Status.Publish is { } p && p.Created + p.Updated + p.Deleted > 0;
}

/// <summary>
/// One reconcile of one SendingDomain, the same in standalone mode and in the operator. It gathers (DKIM rotation
/// steps with keys saved before anything publishes them, the whole record set published through the provider,
/// the records read back from the store, a health check when asked) and hands what it found to the pure
/// <see cref="StatusPolicy"/>, which decides the conditions. Nothing throws but cancellation.
/// </summary>
public sealed class DomainReconciler(
    IReadOnlyList<IPEndPoint> nameservers,
    TimeProvider time,
    bool checkHealth = true,
    IZoneServerFinder? zoneServers = null
)
{
    /// <summary>How many rotation steps one reconcile takes at most: enough to generate, publish and verify a key.</summary>
    private const int StepsPerRun = 4;

    /// <summary>What the caller gathered before the run.</summary>
    /// <param name="SpecErrors">Errors of the spec; any of them stops the run before it touches anything.</param>
    /// <param name="Health">The last health report (from the operator's checks), whatever it checked.</param>
    /// <param name="ProviderHint">When the provider is missing: what the caller knows that may explain it.</param>
    /// <param name="Conflict">When another SendingDomain holds the same spec.domain: who, so nothing is published.</param>
    public sealed record Context(
        IReadOnlyList<Finding> SpecErrors,
        HealthEvidence? Health = null,
        string? ProviderHint = null,
        string? Conflict = null
    );

    public async Task<DomainReconcileResult> ReconcileAsync(
        SendingDomain domain,
        DnsProviderSpec? provider,
        ProviderStores stores,
        IKeyStore keyStore,
        IReadOnlyList<OwnedRecord> owned,
        SendingDomainStatus? previous,
        Context context,
        CancellationToken cancellationToken
    )
    {
        var status = previous ?? new SendingDomainStatus();
        var generation = domain.Metadata.Generation ?? 1;
        var input = new ReadinessInput(generation, time.GetUtcNow(), status.Conditions?.ToList() ?? [])
        {
            SpecErrors = context.SpecErrors,
            DkimConfigured = domain.Spec.Dkim is not null,
            Health = context.Health,
            Records = HealthEvidence.RecordKeys(status),
        };
        var publishedOwned = owned;
        if (context.SpecErrors.Count == 0)
        {
            try
            {
                var gathering = GatherAsync(domain, provider, stores, keyStore, owned, status, input, context, cancellationToken);
                (input, publishedOwned) = await gathering.ConfigureAwait(false);
            }
            catch (ReconcileException e)
            {
                input = input with { Failure = new Blocked(e.Reason, e.Message) };
            }
            catch (PublishException e)
            {
                input = input with { Failure = new Blocked(e.Reason, e.Message) };
            }
        }

        var decision = StatusPolicy.Decide(input);
        status.Conditions = decision.Conditions.ToList();
        status.ObservedGeneration = generation;
        if (input.HealthIsCurrent)
        {
            status.Health = HealthOutcome.Status(input.Health!.Report, input.Health.CheckedAt, status.Health?.NextCheckTime);
        }

        return new DomainReconcileResult(status, publishedOwned, decision)
        {
            UnknownCompromised = domain.Spec.Dkim is null
                ? []
                : CompromisedSelectors.Unknown(domain.Spec.Dkim.CompromisedSelectors, input.Keys),
        };
    }

    /// <summary>Rotation, publishing and read-back: the I/O half, filling in the policy's input and the status's facts.</summary>
    private async Task<(ReadinessInput, IReadOnlyList<OwnedRecord>)> GatherAsync(
        SendingDomain domain,
        DnsProviderSpec? provider,
        ProviderStores stores,
        IKeyStore keyStore,
        IReadOnlyList<OwnedRecord> owned,
        SendingDomainStatus status,
        ReadinessInput input,
        Context context,
        CancellationToken cancellationToken
    )
    {
        if (context.Conflict is { } conflict)
        {
            throw new ReconcileException(ConditionReasons.DomainConflict, conflict);
        }

        if (provider is null)
        {
            var kind = domain.Spec.ProviderRef.Kind ?? Defaults.ProviderKind;
            throw new ReconcileException(
                ConditionReasons.ProviderNotFound,
                $"spec.providerRef: {kind} '{domain.Spec.ProviderRef.Name}' was not found{context.ProviderHint}"
            );
        }

        var (store, storeName) = stores.For(domain, provider);
        var publisher = new DomainRecordsPublisher(domain, new RecordPublisher(store), owned);
        var name = DomainName.Normalize(domain.Spec.Domain);
        var keys = (await keyStore.LoadAsync(domain.Key, cancellationToken).ConfigureAwait(false))?.State.Keys ?? [];
        DateTimeOffset? nextRotation = null;
        if (domain.Spec.Dkim is not null)
        {
            var runner = new DkimRotationRunner(keyStore, publisher, Observer(provider, store, storeName), time);
            for (var i = 0; i < StepsPerRun; i++)
            {
                var step = await runner
                    .StepAsync(domain.Key, name, RotationSettings.From(domain.Spec.Dkim), cancellationToken)
                    .ConfigureAwait(false);
                keys = step.Keys.State.Keys;
                nextRotation = step.Decision.NextDecisionAt;
                if (step.Decision.Actions.Count == 0)
                {
                    break;
                }
            }

            await runner.SaveProgressAsync(cancellationToken).ConfigureAwait(false);
        }

        // The whole set, every run: a spec change (SPF, DMARC) needs no DKIM step to reach DNS.
        await publisher.PublishAsync(name, keys, cancellationToken).ConfigureAwait(false);
        var desired = publisher.Desired;
        // The read-back: what the last publish read when it changed nothing (a first run's publish of the whole set
        // comes after the rotation step that created the records), else the store asked again.
        var served =
            publisher.ServedNow
            ?? await store.ReadAsync(RecordPublisher.NamesOf(desired, []), cancellationToken).ConfigureAwait(false);
        var notServed = NotServed(desired, served);
        status.Records = RecordStatuses(publisher.Owned, desired);
        var records = HealthEvidence.RecordKeys(status);
        var health = input.Health;
        if (checkHealth && nameservers.Count > 0)
        {
            var expectation = new HealthExpectation(desired, domain.Spec.Dmarc?.Policy);
            var targets = new HealthTargets(nameservers, nameservers);
            var report = await new HealthGatherer(new DnsClientQuery())
                .CheckAsync(name, [], expectation, targets, cancellationToken)
                .ConfigureAwait(false);
            health = new HealthEvidence(report, input.Generation, records, input.Now);
        }

        status.Dkim = DkimStatusOf(keys, nextRotation);
        status.Publish = PublishStatusOf(provider, publisher.Result!, input.Now);
        var gathered = input with
        {
            Publish = new PublishEvidence(desired.Count, notServed, storeName),
            Records = records,
            Keys = keys,
            NextRotation = nextRotation,
            Health = health,
        };
        return (gathered, publisher.Owned);
    }

    /// <summary>
    /// Where a key must be seen before it signs: the configured nameservers; else the zone's authoritative servers
    /// found through the resolvers. A zone file is the one exception without nameservers: the operator does not know
    /// which servers load it, so the file it wrote is the authoritative data it can read.
    /// </summary>
    private ISelectorObserver Observer(DnsProviderSpec provider, IRecordStore store, string storeName) =>
        nameservers.Count > 0 ? new DnsSelectorObserver(nameservers, time)
        : provider.ZoneFile is not null || zoneServers is null ? new StoreSelectorObserver(store, storeName, time)
        : new DiscoveringSelectorObserver(zoneServers, time);

    private static List<string> NotServed(
        IReadOnlyList<DesiredRecord> desired,
        IReadOnlyDictionary<string, IReadOnlyList<string>> served
    ) =>
        desired
            .Where(d => !(served.TryGetValue(DomainName.Normalize(d.Name), out var v) && v.Contains(d.Value, StringComparer.Ordinal)))
            .Select(d => d.Name)
            .ToList();

    private static List<RecordStatus> RecordStatuses(IEnumerable<OwnedRecord> owned, IReadOnlyList<DesiredRecord> desired) =>
        owned
            .Select(o =>
                desired.FirstOrDefault(d => d.Name == o.Name && d.Value == o.Value) is { } d
                    ? new RecordStatus
                    {
                        Name = DomainName.Fqdn(d.Name),
                        Type = d.Type,
                        Ttl = d.Ttl,
                        Value = d.Value,
                        Purpose = DesiredRecord.PurposeText(d.Purpose),
                    }
                    : new RecordStatus
                    {
                        Name = DomainName.Fqdn(o.Name),
                        Type = RecordTypes.At(o.Name),
                        Value = o.Value,
                    }
            )
            .ToList();

    private static PublishStatus PublishStatusOf(DnsProviderSpec provider, PublishResult result, DateTimeOffset now) =>
        new()
        {
            Provider =
                provider.Pulumi is not null ? "pulumi"
                : provider.Rfc2136 is not null ? "rfc2136"
                : "zoneFile",
            LastRunTime = now,
            Created = result.Created,
            Updated = result.Updated,
            Deleted = result.Deleted,
            Unchanged = result.Unchanged,
        };

    private static DkimStatus DkimStatusOf(IReadOnlyList<DkimKey> keys, DateTimeOffset? next) =>
        new()
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
            })
                .ToList(),
        };
}
