using System.Collections.Concurrent;
using MailDns.Core.Api;
using MailDns.Core.Health;
using MailDns.Core.Names;
using MailDns.Core.Transport;
using MailDns.Operator.Health;
using MailDns.Operator.Kubernetes;
using MailDns.Operator.Transport;
using Microsoft.Extensions.Logging;

namespace MailDns.Operator.Controllers;

/// <summary>
/// Scheduled transport security checks (spec.transportCheck, off by default): on a Quartz schedule per domain (hourly,
/// spread per domain), at once after a spec change and on `kubectl maildns check`, it gathers what a sending MTA sees
/// (<see cref="TransportGatherer"/>: MX, the MTA-STS policy over HTTPS, an SMTP session with each MX, TLSA, the submission
/// endpoints), judges it with the pure <see cref="TransportChecks"/> and <see cref="TransportVerdict"/>, and hands
/// status.transport and the TransportSecure condition to the SendingDomain reconcile (<see cref="Changed"/>). A change of
/// the condition is an event. Runs on the leader.
/// </summary>
public sealed class TransportController(
    ClusterCache cache,
    DomainStatusWriter writer,
    EventRecorder events,
    ControllerOptions options,
    TimeProvider time,
    ILogger<TransportController> logger
)
{
    private readonly ConcurrentDictionary<string, TransportStatus> views = new(StringComparer.Ordinal);
    private readonly TransportGatherer gatherer = new(options.Resolvers ?? HealthTargetsResolver.SystemResolvers(), options.Transport);
    private readonly ScheduledDomainChecks checks = new(time, options.Workers);

    /// <summary>Raised with a SendingDomain key whose transport view changed: the reconcile writes it.</summary>
    public event Action<string>? Changed;

    public static bool Enabled(SendingDomain domain) => domain.Spec.TransportCheck?.Enabled ?? Defaults.TransportCheckEnabled;

    /// <summary>Runs the schedule for one term of leadership.</summary>
    public Task RunAsync(CancellationToken cancellationToken)
    {
        views.Clear();
        return checks.RunTermAsync(CheckAsync, cache.Domains.Keys, DomainChangedAsync, cancellationToken);
    }

    /// <summary>A domain changed (or appeared): its schedule, and a check now for a new generation or a check asked by hand.</summary>
    public void DomainChanged(string key) => _ = DomainChangedAsync(key, CancellationToken.None);

    private async Task DomainChangedAsync(string key, CancellationToken cancellationToken)
    {
        if (!checks.Running)
        {
            return;
        }

        try
        {
            if (!cache.Domains.TryGetValue(key, out var domain) || domain.Metadata.DeletionTimestamp is not null || !Enabled(domain))
            {
                await checks.RemoveAsync(key, cancellationToken).ConfigureAwait(false);
                if ((views.TryRemove(key, out _) || domain?.Status?.Transport is not null) && domain?.Metadata.DeletionTimestamp is null)
                {
                    Changed?.Invoke(key); // the reconcile takes status.transport and the condition away
                }

                return;
            }

            var last = views.GetValueOrDefault(key) ?? domain.Status?.Transport;
            var schedule = domain.Spec.TransportCheck?.Schedule ?? Defaults.TransportCheckSchedule;
            await checks
                .ScheduleAsync(key, domain, schedule, last?.ObservedGeneration, last?.CheckedAt, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning("{Key}: transport check not scheduled: {Error}", key, e.Message);
        }
    }

    /// <summary>Puts the last transport check into a status about to be written, or takes it away when checks are off.</summary>
    public void ApplyTo(string key, SendingDomain domain, SendingDomainStatus status, DateTimeOffset now)
    {
        if (!Enabled(domain))
        {
            status.Transport = null;
            status.Conditions = status.Conditions?.Where(c => c.Type != ConditionTypes.TransportSecure).ToList();
            return;
        }

        if (views.GetValueOrDefault(key) is not { } view)
        {
            return;
        }

        status.Transport = view;
        var (value, reason, message) = Verdict(view);
        Conditions.Set(status, ConditionTypes.TransportSecure, value, reason, message, domain.Metadata.Generation ?? 1, now);
    }

    public async Task<TransportStatus?> CheckAsync(string key, CancellationToken cancellationToken)
    {
        if (!cache.Domains.TryGetValue(key, out var cached))
        {
            return null;
        }

        var domain = writer.Freshest(key, cached);
        if (domain.Metadata.DeletionTimestamp is not null || !Enabled(domain))
        {
            return null;
        }

        var name = DomainName.Normalize(domain.Spec.Domain);
        var observed = await gatherer.GatherAsync(name, domain.Spec.MtaSts?.Mode is not null, cancellationToken).ConfigureAwait(false);
        var results = TransportChecks.Evaluate(observed);
        var view = new TransportStatus
        {
            CheckedAt = time.GetUtcNow(),
            ObservedGeneration = domain.Metadata.Generation ?? 0,
            Checks = results.Select(HealthOutcome.ToStatus).ToList(),
        };
        var before = views.GetValueOrDefault(key) ?? domain.Status?.Transport;
        views[key] = view;
        var (value, reason, message) = TransportVerdict.Of(results);
        if (before is null || Verdict(before).Status != value)
        {
            var type = value == ConditionStatus.False ? EventRecorder.Warning : EventRecorder.Normal;
            logger.LogInformation("{Key}: TransportSecure={Value} ({Reason}): {Message}", key, value, reason, message);
            await events.RecordAsync(domain, type, reason, message, cancellationToken).ConfigureAwait(false);
        }

        Changed?.Invoke(key);
        return view;
    }

    private static (string Status, string Reason, string Message) Verdict(TransportStatus view) =>
        TransportVerdict.Of(
            (view.Checks ?? [])
                .Select(c => new CheckResult(c.Id, Enum.Parse<CheckStatus>(c.Status, ignoreCase: true), c.Message, c.Selector, c.Server))
                .ToList()
        );
}
