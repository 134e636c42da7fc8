using System.Collections.Concurrent;
using MailDns.Core.Api;
using MailDns.Core.Names;
using MailDns.Core.Reputation;
using MailDns.Operator.Health;
using MailDns.Operator.Kubernetes;
using MailDns.Operator.Reputation;
using Microsoft.Extensions.Logging;

namespace MailDns.Operator.Controllers;

/// <summary>
/// Sender reputation (spec.reputation): on a Quartz schedule per domain (hourly by default, spread per domain), and at
/// once after a spec change, it asks the configured blocklists about the domain and its sending addresses and checks each
/// address's forward-confirmed reverse DNS (<see cref="ReputationGatherer"/>), judges it with the pure
/// <see cref="ReputationView"/>, and hands status.reputation and the Reputation condition to the SendingDomain reconcile,
/// the one writer of status (<see cref="Changed"/>). A listing and a delisting are events. All checks share one cache
/// and one query budget per list. Runs on the leader; idle when no list is configured.
/// </summary>
public sealed class ReputationController(
    ClusterCache cache,
    DomainStatusWriter writer,
    EventRecorder events,
    ControllerOptions options,
    TimeProvider time,
    ILogger<ReputationController> logger,
    OperatorMetrics? metrics = null
)
{
    private const int EventsPerCheck = 10;

    private readonly ConcurrentDictionary<string, DomainReputationView> views = new(StringComparer.Ordinal);

    private readonly ReputationGatherer gatherer = new(
        new ReputationLookups(
            new DnsClientReputationDns(options.Resolvers ?? HealthTargetsResolver.SystemResolvers()),
            time,
            options.BlocklistBudget,
            metrics?.Reputation
        )
    );

    /// <summary>The schedule; a check (which may wait on a list's rate for minutes) stops when the term ends.</summary>
    private readonly ScheduledDomainChecks checks = new(time, options.Workers);

    /// <summary>Raised with a SendingDomain key whose reputation view changed: the reconcile writes it.</summary>
    public event Action<string>? Changed;

    private bool Active => options.Blocklists.Count > 0;

    /// <summary>Runs the schedule for one term of leadership.</summary>
    public Task RunAsync(CancellationToken cancellationToken)
    {
        if (!Active)
        {
            return Task.CompletedTask;
        }

        views.Clear();
        return checks.RunTermAsync(CheckAsync, cache.Domains.Keys, DomainChangedAsync, cancellationToken);
    }

    /// <summary>A domain's spec changed (or it appeared): its schedule, and a check now when this generation has none.</summary>
    public void DomainChanged(string key) => _ = DomainChangedAsync(key, CancellationToken.None);

    private async Task DomainChangedAsync(string key, CancellationToken cancellationToken)
    {
        if (!checks.Running)
        {
            return;
        }

        try
        {
            if (!cache.Domains.TryGetValue(key, out var domain) || domain.Metadata.DeletionTimestamp is not null)
            {
                views.TryRemove(key, out _);
                await checks.RemoveAsync(key, cancellationToken).ConfigureAwait(false);
                return;
            }

            if (!ReputationTargets.Enabled(domain))
            {
                await checks.RemoveAsync(key, cancellationToken).ConfigureAwait(false);
                if (views.TryRemove(key, out _) || domain.Status?.Reputation is not null)
                {
                    Changed?.Invoke(key); // the reconcile takes status.reputation and the condition away
                }

                return;
            }

            var last = views.GetValueOrDefault(key)?.Status ?? domain.Status?.Reputation;
            var schedule = domain.Spec.Reputation?.Schedule ?? Defaults.ReputationSchedule;
            await checks
                .ScheduleAsync(key, domain, schedule, last?.ObservedGeneration, last?.CheckedAt, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning("{Key}: reputation check not scheduled: {Error}", key, e.Message);
        }
    }

    /// <summary>Puts the domain's reputation into a status about to be written, or takes it away when checks are off.</summary>
    public void ApplyTo(string key, SendingDomain domain, SendingDomainStatus status, DateTimeOffset now)
    {
        if (!Active || !ReputationTargets.Enabled(domain))
        {
            status.Reputation = null;
            status.Conditions = status.Conditions?.Where(c => c.Type != ConditionTypes.Reputation).ToList();
            return;
        }

        views.GetValueOrDefault(key)?.ApplyTo(status, domain.Metadata.Generation ?? 1, now);
    }

    public async Task<DomainReputationView?> CheckAsync(string key, CancellationToken cancellationToken)
    {
        if (!cache.Domains.TryGetValue(key, out var cached))
        {
            return null;
        }

        var domain = writer.Freshest(key, cached);
        if (domain.Metadata.DeletionTimestamp is not null || !ReputationTargets.Enabled(domain))
        {
            return null;
        }

        var (targets, notExpanded) = ReputationTargets.Of(domain);
        var results = await gatherer.CheckAsync(targets, options.Blocklists, reverseDns: true, cancellationToken).ConfigureAwait(false);
        var report = new ReputationReport(time.GetUtcNow(), options.Blocklists, results, notExpanded);
        var previous = views.GetValueOrDefault(key)?.Status ?? domain.Status?.Reputation;
        var view = ReputationView.From(report, previous);
        view.Status.ObservedGeneration = domain.Metadata.Generation ?? 0;
        views[key] = view;
        var name = DomainName.Normalize(domain.Spec.Domain);
        metrics?.Reputation.Checked(name, view);
        foreach (var change in view.Changes.Take(EventsPerCheck))
        {
            var (type, reason, verb) =
                change.Kind == ListingChangeKind.Listed
                    ? (EventRecorder.Warning, "Blocklisted", "listed on")
                    : (EventRecorder.Normal, "Delisted", "no longer listed on");
            logger.LogInformation("{Key}: {Target} {Verb} {List}", key, change.Target, verb, change.List);
            await events
                .RecordAsync(domain, type, reason, $"{change.Target} {verb} {change.List}: {change.Meaning}", cancellationToken)
                .ConfigureAwait(false);
        }

        Changed?.Invoke(key);
        return view;
    }
}
