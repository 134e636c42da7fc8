using MailDns.Core.Api;
using MailDns.Core.Dkim.Storage;
using MailDns.Core.Findings;
using MailDns.Core.Health;
using MailDns.Core.Names;
using MailDns.Core.Readiness;
using MailDns.Core.Validation;
using MailDns.Operator.Health;
using MailDns.Operator.Kubernetes;
using MailDns.Operator.Reconcile;
using Microsoft.Extensions.Logging;

namespace MailDns.Operator.Controllers;

/// <summary>
/// The SendingDomain controller: keys, then publishing, then status. Each reconcile adds the finalizer, validates
/// the spec, runs the <see cref="DomainReconciler"/> with the last health report, writes the status the
/// <see cref="StatusPolicy"/> decided (with the report view, <see cref="ReportViewController"/>), and hands the written
/// status to the health checks. Deletion goes to the
/// <see cref="DomainFinalizer"/>. A failure the policy says a retry can mend is thrown, so the queue backs off.
/// </summary>
public sealed class SendingDomainController(
    ClusterCache cache,
    DomainStatusWriter writer,
    DomainFinalizer finalizer,
    HealthController health,
    ReportViewController reports,
    RolloutController rollouts,
    ReputationController reputation,
    TransportController transport,
    MtaStsController mtaSts,
    PublishingStores stores,
    KeySecretWrites keySecretWrites,
    k8s.IKubernetes client,
    EventRecorder events,
    ControllerOptions options,
    TimeProvider time,
    ILogger<SendingDomainController> logger,
    OperatorMetrics? metrics = null
)
{
    private readonly Dictionary<string, Signature?> seen = new(StringComparer.Ordinal);

    private readonly Dns.IZoneServerFinder zoneServers = options.ZoneServerFinder;

    /// <summary>
    /// Whether a watch event needs a reconcile: a new generation (spec), deletion, or the finalizer. The
    /// controller's own status writes come back as watch events too, and must not start a reconcile loop.
    /// </summary>
    public bool NeedsReconcile(string key)
    {
        writer.Observed(key);
        var signature = SignatureOf(cache.Domains.GetValueOrDefault(key));
        lock (seen)
        {
            var changed = !seen.TryGetValue(key, out var last) || last != signature;
            seen[key] = signature; // also when equal: then it holds the newest object's strings, not a replaced one's
            return changed;
        }
    }

    public async Task<ReconcileOutcome> ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        if (!cache.Domains.TryGetValue(key, out var domain))
        {
            metrics?.Forget(key);
            await health.ForgetAsync(key, cancellationToken).ConfigureAwait(false);
            return ReconcileOutcome.Done; // deleted; its finalizer already ran
        }

        domain = writer.Freshest(key, domain);
        var started = time.GetTimestamp();
        using var scope = logger.BeginScope(new LogScope(key, domain.Metadata.Generation ?? 0));
        var provider = cache.ResolveProvider(domain);
        if (domain.Metadata.DeletionTimestamp is not null)
        {
            return await finalizer.FinalizeAsync(domain, provider, stores.Current, cancellationToken).ConfigureAwait(false);
        }

        if (!DomainFinalizer.Has(domain))
        {
            // This reconcile goes on with the finalizer in place, so the watch event of the patch needs no second
            // one. Noted before the patch, as the event may arrive before its answer; if the patch fails, the
            // reconcile fails and is retried, and a new spec or a deletion still differs from this signature.
            lock (seen)
            {
                seen[key] = SignatureOf(domain, withFinalizer: true);
            }

            domain = await finalizer.AddAsync(domain, cancellationToken).ConfigureAwait(false);
        }

        var previous = DomainStatusWriter.Clone(domain.Status);
        domain = rollouts.Applied(key, domain); // after previous: the rollout's new stage is a change to publish and write
        domain = mtaSts.Applied(key, domain); // likewise the MTA-STS policy to serve and the id to publish
        var keySecret = $"{domain.Metadata.NamespaceProperty ?? "default"}/{KeySecret.NameFor(domain)}";
        var keyStore = new SecretKeyStore(
            client,
            _ => domain,
            keySecretWrites,
            _ => cache.SecretsSynced && !cache.Secrets.ContainsKey(keySecret) && !keySecretWrites.HasWritten(keySecret)
        );
        var holder = DomainClaims.HeldBy(domain, cache.DomainsNamed(DomainName.Normalize(domain.Spec.Domain ?? "")));
        var context = new DomainReconciler.Context(SpecErrors(domain, provider), health.Evidence(key), ProviderHint(domain, provider))
        {
            Conflict = holder is null ? null : DomainClaims.Message(holder),
        };
        var result = await new DomainReconciler(options.Nameservers, time, checkHealth: false, zoneServers)
            .ReconcileAsync(
                domain,
                provider,
                stores.Current,
                keyStore,
                DomainFinalizer.OwnedBy(domain),
                DomainStatusWriter.Clone(domain.Status),
                context,
                cancellationToken
            )
            .ConfigureAwait(false);
        var status = result.Status;
        reports.View(key)?.ApplyTo(status, domain.Metadata.Generation ?? 1, time.GetUtcNow());
        reputation.ApplyTo(key, domain, status, time.GetUtcNow());
        transport.ApplyTo(key, domain, status, time.GetUtcNow());
        if (status.Health is not null)
        {
            status.Health.NextCheckTime = await health.NextCheckAsync(key, cancellationToken).ConfigureAwait(false);
        }

        await RecordHealthTransitionsAsync(domain, previous, context, status, cancellationToken).ConfigureAwait(false);
        if (result.UnknownCompromised.Count > 0 && previous?.ObservedGeneration != domain.Metadata.Generation)
        {
            // Once per spec generation: the user believes a leaked key is being revoked.
            var message = Core.Dkim.Rotation.CompromisedSelectors.Message(result.UnknownCompromised);
            await events
                .RecordAsync(domain, EventRecorder.Warning, "UnknownCompromisedSelector", message, cancellationToken)
                .ConfigureAwait(false);
        }

        // The metrics first: whoever sees the new status in the API finds the metrics already saying the same.
        var interval = domain.Spec.Dkim is null
            ? (TimeSpan?)null
            : Core.Names.DurationText.ParseOr(domain.Spec.Dkim.Rotation?.Interval, Defaults.RotationInterval);
        metrics?.Reconciled(key, status, time.GetElapsedTime(started), time.GetUtcNow(), interval);
        await writer.WriteAsync(domain, previous, status, cancellationToken).ConfigureAwait(false);
        if (context.SpecErrors.Count == 0)
        {
            // After the write, so the check reads the records it is about (a check before it would find none).
            await health.AfterStatusWrittenAsync(domain, status, cancellationToken).ConfigureAwait(false);
        }

        var ready = result.Decision.Ready;
        if (result.Decision.Retry == RetryPolicy.Backoff)
        {
            // The status says why; the queue retries with backoff, so a failure is never dropped.
            throw new ReconcileException(ready.Reason, $"{key}: {ready.Message}");
        }

        var resync = time.GetUtcNow() + options.Resync;
        return ReconcileOutcome.At(result.Decision.RequeueAt is { } at && at < resync ? at : resync);
    }

    /// <summary>
    /// A DnsProvider serves only its own namespace; when one of that name lives elsewhere, say so and point to
    /// ClusterDnsProvider, which is how one provider is shared.
    /// </summary>
    private string? ProviderHint(SendingDomain domain, DnsProviderSpec? provider)
    {
        var reference = domain.Spec.ProviderRef;
        if (provider is not null || (reference.Kind ?? Defaults.ProviderKind) != DnsProvider.KindName)
        {
            return null;
        }

        var elsewhere = cache
            .Providers.Values.Where(p =>
                p.Metadata.Name == reference.Name && p.Metadata.NamespaceProperty != domain.Metadata.NamespaceProperty
            )
            .Select(p => p.Metadata.NamespaceProperty)
            .Order(StringComparer.Ordinal)
            .ToList();
        return elsewhere.Count == 0
            ? null
            : $" in namespace {domain.Metadata.NamespaceProperty}; one exists in {string.Join(", ", elsewhere)}, but a DnsProvider "
                + "serves only its own namespace: use a ClusterDnsProvider to share it";
    }

    private static IReadOnlyList<Finding> SpecErrors(SendingDomain domain, DnsProviderSpec? provider)
    {
        var errors = SendingDomainValidator.Validate(domain, provider).Where(f => f.Severity == Severity.Error).ToList();
        if (errors.Count == 0 && ScheduleRule.Check(domain) is { } schedule)
        {
            errors.Add(schedule);
        }

        return errors;
    }

    /// <summary>An event for each check whose status changed, when a current report reaches the status for the first time.</summary>
    private async Task RecordHealthTransitionsAsync(
        SendingDomain domain,
        SendingDomainStatus? previous,
        DomainReconciler.Context context,
        SendingDomainStatus status,
        CancellationToken cancellationToken
    )
    {
        var current = context.Health is { } h && h.Describes(status.ObservedGeneration ?? 0, HealthEvidence.RecordKeys(status));
        if (!current || context.Health is not { } evidence)
        {
            return;
        }

        foreach (var change in HealthOutcome.Transitions(previous?.Health, evidence.Report).Take(10))
        {
            var type = change.To is CheckStatus.Fail ? EventRecorder.Warning : EventRecorder.Normal;
            await events.RecordAsync(domain, type, "HealthCheckChanged", Describe(change), cancellationToken).ConfigureAwait(false);
        }
    }

    private static string Describe(CheckTransition change)
    {
        var selector = change.Selector is null ? "" : $" [{change.Selector}]";
        var server = change.Server is null ? "" : $" at {change.Server}";
        var from = change.From?.ToString().ToLowerInvariant() ?? "new";
        return $"{change.Id}{selector}{server}: {from} -> {change.To.ToString().ToLowerInvariant()}: {change.Message}";
    }

    /// <summary>What about a domain calls for a reconcile; null when it is gone.</summary>
    private static Signature? SignatureOf(SendingDomain? sd, bool? withFinalizer = null) =>
        sd is null
            ? null
            : new Signature(
                sd.Metadata.Generation,
                sd.Metadata.DeletionTimestamp is not null,
                withFinalizer ?? DomainFinalizer.Has(sd),
                sd.Metadata.Uid,
                Annotations.CheckRequested(sd) // a check asked for runs after this reconcile writes the status
            );

    /// <summary>
    /// Held for every domain: a value whose strings are the cached object's own, where a joined text was 120 bytes more
    /// per domain.
    /// </summary>
    private readonly record struct Signature(long? Generation, bool Deleting, bool Finalizer, string? Uid, string? CheckRequested);
}
