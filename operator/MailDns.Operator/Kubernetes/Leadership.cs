using k8s;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailDns.Operator.Kubernetes;

/// <summary>Lease timings; the defaults are client-go's (15 s lease, 10 s renew deadline, 2 s retry).</summary>
public sealed record LeaseTimings(TimeSpan LeaseDuration, TimeSpan RenewDeadline, TimeSpan RetryPeriod)
{
    public static LeaseTimings Default { get; } = new(TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2));
}

/// <summary>
/// Runs the controller only while this instance holds the coordination.k8s.io Lease (the client's LeaseLock):
/// the work starts when leadership is acquired and is cancelled the moment it is lost, so two replicas never
/// reconcile at once; a replica that loses the lease competes again and takes over when the holder is gone.
/// </summary>
public static class Leadership
{
    public static async Task RunWhileLeadingAsync(
        IKubernetes client,
        string ns,
        string leaseName,
        string identity,
        LeaseTimings timings,
        Func<CancellationToken, Task> work,
        CancellationToken cancellationToken,
        ILogger? logger = null
    )
    {
        logger ??= NullLogger.Instance;
        var config = new LeaderElectionConfig(new LeaseLock(client, ns, leaseName, identity))
        {
            LeaseDuration = timings.LeaseDuration,
            RenewDeadline = timings.RenewDeadline,
            RetryPeriod = timings.RetryPeriod,
        };
        using var elector = new LeaderElector(config);
        var gate = new object();
        CancellationTokenSource? leading = null;
        Task running = Task.CompletedTask;
        elector.OnStartedLeading += () =>
        {
            logger.LogInformation("leading: {Identity} holds Lease {Namespace}/{Lease}", identity, ns, leaseName);
            lock (gate)
            {
                leading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                running = Task.Run(() => work(leading.Token), CancellationToken.None);
            }
        };
        elector.OnStoppedLeading += () =>
        {
            logger.LogWarning("stopped leading: {Identity} no longer holds Lease {Namespace}/{Lease}", identity, ns, leaseName);
            lock (gate)
            {
                leading?.Cancel(); // lost the lease: stop at once, another replica may already lead
            }
        };

        try
        {
            await elector.RunAndTryToHoldLeadershipForeverAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested) { }

        Task last;
        lock (gate)
        {
            leading?.Cancel();
            last = running;
        }

        try
        {
            await last.ConfigureAwait(false);
        }
        catch (OperationCanceledException) { }
        finally
        {
            leading?.Dispose();
        }
    }
}
