using System.Collections.Concurrent;
using MailDns.Core.Api;
using MailDns.Core.Names;
using MailDns.Core.Reports;
using MailDns.Operator.Kubernetes;
using MailDns.Operator.Reports;
using Microsoft.Extensions.Logging;

namespace MailDns.Operator.Controllers;

/// <summary>
/// What receivers reported, per SendingDomain: at every refresh (<see cref="ControllerOptions.ReportRefresh"/>) it reads
/// each reported domain's window from the store, judges DmarcCompliant (<see cref="DmarcCompliance"/>), names the top
/// sources (reverse DNS) and, when that differs from the domain's status, hands the view to the SendingDomain reconcile,
/// the one writer of SendingDomain status, as health reports are handed (<see cref="Changed"/>). A change of the
/// verdict is an event. It also deletes reports past retention once a day (<see cref="RetentionJob"/>). Runs on the
/// leader.
/// </summary>
public sealed class ReportViewController(
    ClusterCache cache,
    ReportStores stores,
    DomainStatusWriter writer,
    EventRecorder events,
    ControllerOptions options,
    TimeProvider time,
    ILogger<ReportViewController> logger,
    OperatorMetrics? metrics = null
)
{
    private readonly ConcurrentDictionary<string, DomainReportView> views = new(StringComparer.Ordinal);
    private readonly ReverseNames reverse = new(options.Resolvers ?? Health.HealthTargetsResolver.SystemResolvers());
    private readonly PeriodicPass loop = new("report view refresh", options.ReportRefresh, time, logger);

    /// <summary>Raised with a SendingDomain key whose report view changed: the reconcile writes it.</summary>
    public event Action<string>? Changed;

    /// <summary>The latest view for a SendingDomain key, or null before the first refresh that found reports about it.</summary>
    public DomainReportView? View(string key) => views.GetValueOrDefault(key);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await using var retention = await RetentionJob.StartAsync(RetentionAsync, time, cancellationToken);
        await loop.RunAsync(RefreshAsync, cancellationToken);
    }

    /// <summary>Asks for a refresh now, beside the interval (after a report arrives); a no-op on a follower.</summary>
    public void RefreshSoon() => loop.Nudge();

    /// <summary>
    /// One pass over the domains: those some report in the window names, and those whose status still shows reports (so
    /// figures that aged out of the window go to zero rather than stay). A store that cannot be read leaves every status
    /// as it was and is said in the log; the next refresh tries again.
    /// </summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var from = now - options.ReportWindow;
        ReportStore store;
        IReadOnlySet<string> reported;
        try
        {
            store = await stores.GetAsync(cancellationToken);
            reported = await store.DomainsReportedAsync(from, cancellationToken);
        }
        catch (System.Data.Common.DbException e)
        {
            logger.LogWarning("report view not refreshed: the report store could not be read: {Error}", e.Message);
            return;
        }

        var settings = new ComplianceSettings(options.DmarcPassThreshold, options.DmarcMinMessages);
        foreach (var (key, cached) in cache.Domains)
        {
            var domain = writer.Freshest(key, cached);
            var name = DomainName.Normalize(domain.Spec.Domain);
            if (domain.Metadata.DeletionTimestamp is not null || (!reported.Contains(name) && domain.Status?.Reports is null))
            {
                continue;
            }

            var window = await store.WindowAsync(name, from, now, DomainReportsStatus.ListLimit, cancellationToken);
            window = await WithReverseNamesAsync(window, cancellationToken);
            metrics?.Reports.Window(name, window, now);
            var (status, reason, message) = DmarcCompliance.Judge(window, settings);
            var view = new DomainReportView(
                ReportStatusView.From(window, DurationText.Format(options.ReportWindow), now),
                status,
                reason,
                message
            );
            views[key] = view;
            if (view.SaidBy(domain.Status))
            {
                continue;
            }

            var was = domain.Status?.Conditions?.FirstOrDefault(c => c.Type == ConditionTypes.DmarcCompliant);
            if (was?.Status != status || was.Reason != reason)
            {
                var type = status == ConditionStatus.False ? EventRecorder.Warning : EventRecorder.Normal;
                await events.RecordAsync(domain, type, reason, $"DmarcCompliant={status}: {message}", cancellationToken);
            }

            Changed?.Invoke(key);
        }
    }

    private async Task RetentionAsync(CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow() - options.ReportRetention;
        try
        {
            var store = await stores.GetAsync(cancellationToken);
            var deleted = await store.DeleteEndedBeforeAsync(cutoff, cancellationToken);
            logger.LogInformation("retention: {Deleted} report(s) whose period ended before {Cutoff:u} deleted", deleted, cutoff);
        }
        catch (System.Data.Common.DbException e)
        {
            logger.LogWarning("retention did not run: the report store could not be written: {Error}", e.Message);
        }
    }

    /// <summary>PTR names for the few addresses the status shows, looked up in parallel (answers are cached for their TTL).</summary>
    private async Task<ReportWindow> WithReverseNamesAsync(ReportWindow window, CancellationToken cancellationToken)
    {
        var addresses = window.Sources.Concat(window.FailingSources).Select(s => s.Key).Distinct().ToList();
        var names = await Task.WhenAll(addresses.Select(a => reverse.NameOfAsync(a, cancellationToken)));
        var byAddress = addresses.Zip(names).Where(p => p.Second is not null).ToDictionary(p => p.First, p => p.Second);
        IReadOnlyList<SourceTally> Named(IEnumerable<SourceTally> tallies) =>
            tallies.Select(t => t with { ReverseName = byAddress.GetValueOrDefault(t.Key) }).ToList();
        return window with { Sources = Named(window.Sources), FailingSources = Named(window.FailingSources) };
    }
}
