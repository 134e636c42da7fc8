using MailDns.Core.Api;
using MailDns.Core.Readiness;
using MailDns.Operator.Kubernetes;
using Microsoft.Extensions.Logging;

namespace MailDns.Operator.Controllers;

/// <summary>
/// One term of the operator's work: the cluster cache feeding the SendingDomain and provider work queues, the
/// health checks, report views, rollouts, reputation and transport checks feeding back into them, the report sources, and the Secret
/// router. It only wires
/// events to queues; each decision lives in the controller it belongs to. Built by the host (<see cref="OperatorServices"/>).
/// </summary>
public sealed class OperatorRuntime
{
    private readonly ClusterCache cache;
    private readonly HealthController health;
    private readonly PublishingStores stores;
    private readonly SecretRouter router;
    private readonly ControllerOptions options;
    private readonly WorkQueue<string> providerQueue;
    private readonly ReportSourceController reportSources;
    private readonly ReportViewController reportViews;
    private readonly RolloutController rollouts;
    private readonly ReputationController reputation;
    private readonly MtaStsController mtaSts;
    private readonly TransportController transport;

    public OperatorRuntime(
        ClusterCache cache,
        SendingDomainController domains,
        ProviderStatusController providers,
        HealthController health,
        ReportSourceController reportSources,
        ReportViewController reportViews,
        RolloutController rollouts,
        ReputationController reputation,
        MtaStsController mtaSts,
        TransportController transport,
        PublishingStores stores,
        SecretRouter router,
        ControllerOptions options,
        TimeProvider time,
        ILogger<OperatorRuntime> logger,
        OperatorMetrics? metrics = null
    )
    {
        this.cache = cache;
        this.health = health;
        this.stores = stores;
        this.router = router;
        this.options = options;
        this.reportSources = reportSources;
        this.reportViews = reportViews;
        this.rollouts = rollouts;
        this.reputation = reputation;
        this.mtaSts = mtaSts;
        this.transport = transport;
        Queue = new WorkQueue<string>(domains.ReconcileAsync, time, options.Backoff);
        providerQueue = new WorkQueue<string>(providers.ReconcileAsync, time, options.Backoff);
        Queue.Failed += (key, count, delay, error) =>
        {
            metrics?.Failed();
            logger.LogWarning(
                "reconcile of {Key} failed ({Failures} in a row), retrying in {RetryInSeconds:F1} s: {Reason}: {Error}",
                key,
                count,
                delay.TotalSeconds,
                (error as ReconcileException)?.Reason ?? error.GetType().Name,
                error.Message
            );
        };
        providerQueue.Failed += (key, count, delay, error) =>
            logger.LogWarning(
                "status of provider {Key} not written ({Failures} in a row), retrying in {RetryInSeconds:F1} s: {Error}",
                key,
                count,
                delay.TotalSeconds,
                error.Message
            );
        Queue.Stopping += underWay =>
            logger.LogInformation(
                "stopping: {UnderWay} reconcile(s) under way get {GraceSeconds} s to finish",
                underWay,
                options.ShutdownGrace.TotalSeconds
            );

        cache.DomainChanged += key =>
        {
            if (domains.NeedsReconcile(key))
            {
                Queue.Add(key);
                RequeueConflicts(key);
            }
        };
        cache.ProviderChanged += ProviderChanged;
        cache.SecretChanged += router.SecretChanged;
        router.DomainAffected += Queue.Add;
        router.ProviderAffected += providerQueue.Add;
        health.Reported += Queue.Add;
        reportViews.Changed += Queue.Add;
        rollouts.Changed += Queue.Add;
        cache.DomainChanged += rollouts.DomainChanged;
        reputation.Changed += Queue.Add;
        cache.DomainChanged += reputation.DomainChanged;
        mtaSts.Changed += Queue.Add;
        cache.DomainChanged += mtaSts.DomainChanged;
        transport.Changed += Queue.Add;
        cache.DomainChanged += transport.DomainChanged;
    }

    /// <summary>The SendingDomain work queue (its Failed event is how tests and metrics see retries).</summary>
    public WorkQueue<string> Queue { get; }

    /// <summary>True while this replica runs a term (leads, or runs without leader election).</summary>
    public bool Leading { get; private set; }

    /// <summary>True once every cache has been filled by its first LIST (readiness).</summary>
    public bool Synced => cache.Synced;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        Leading = true;
        try
        {
            await RunTermAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Asked to stop while a part was still starting (a scheduler, the first LIST): that is a stop, not a failure.
        }
        finally
        {
            Leading = false;
        }
    }

    private async Task RunTermAsync(CancellationToken cancellationToken)
    {
        await using var scheduler = await health.StartAsync(cancellationToken).ConfigureAwait(false);
        stores.Reset(); // a new term of leadership starts from what the API server says, not from a past term's memory
        var synced = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var informers = cache.RunAsync(synced, cancellationToken);

        // Every cache full before the first reconcile: a Pulumi stack is rendered from all of its domains.
        await synced.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        await Task.WhenAll(
                informers,
                Queue.RunAsync(options.Workers, cancellationToken, options.ShutdownGrace),
                providerQueue.RunAsync(1, cancellationToken, options.ShutdownGrace),
                reportSources.RunAsync(cancellationToken),
                reportViews.RunAsync(cancellationToken),
                rollouts.RunAsync(cancellationToken),
                reputation.RunAsync(cancellationToken),
                mtaSts.RunAsync(cancellationToken),
                transport.RunAsync(cancellationToken)
            )
            .ConfigureAwait(false);
    }

    /// <summary>A domain that lost a claim waits for a change; the holder's change or deletion is that change.</summary>
    private void RequeueConflicts(string changed)
    {
        foreach (var (key, sd) in cache.Domains)
        {
            var ready = sd.Status?.Conditions?.FirstOrDefault(c => c.Type == ConditionTypes.Ready);
            if (key != changed && ready?.Reason == ConditionReasons.DomainConflict)
            {
                Queue.Add(key);
            }
        }
    }

    /// <summary>A provider change requeues every SendingDomain that uses it, and the provider's own status.</summary>
    private void ProviderChanged(string providerKey)
    {
        foreach (var (key, sd) in cache.Domains)
        {
            if (ClusterCache.ProviderKeyOf(sd) == providerKey)
            {
                Queue.Add(key);
            }
        }

        providerQueue.Add(providerKey);
    }
}
