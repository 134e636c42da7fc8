using System.Collections.Concurrent;
using MailDns.Core.Api;
using MailDns.Operator.Health;

namespace MailDns.Operator.Controllers;

/// <summary>
/// The scheduling half of a controller that checks each domain on a cron schedule (reputation, transport): one
/// <see cref="HealthCheckScheduler"/> per term of leadership; a check at once for a generation that has none yet (asked
/// once per generation) or for a check asked by hand since the last one (the check-requested-at annotation); and the
/// term's token handed to every check, so a check that waits (on a list's rate, on a slow MX) never holds up the
/// scheduler's shutdown.
/// </summary>
public sealed class ScheduledDomainChecks(TimeProvider time, int workers)
{
    /// <summary>The generation each domain last had a check asked for, so a change asks once.</summary>
    private readonly ConcurrentDictionary<string, long> asked = new(StringComparer.Ordinal);

    /// <summary>The check-requested-at annotation each domain last had a check run for.</summary>
    private readonly ConcurrentDictionary<string, string> requested = new(StringComparer.Ordinal);

    private HealthCheckScheduler? scheduler;
    private CancellationToken term;
    private Func<string, CancellationToken, Task> check = (_, _) => Task.CompletedTask;

    /// <summary>True during a term: outside one there is nothing to schedule on.</summary>
    public bool Running => scheduler is not null;

    /// <summary>
    /// Runs the schedule for one term of leadership: <paramref name="scheduleDomain"/> schedules each of the domains
    /// there are when the term starts, and <paramref name="checkDomain"/> checks one when its time comes.
    /// </summary>
    public async Task RunTermAsync(
        Func<string, CancellationToken, Task> checkDomain,
        IEnumerable<string> domains,
        Func<string, CancellationToken, Task> scheduleDomain,
        CancellationToken cancellationToken
    )
    {
        asked.Clear();
        requested.Clear();
        term = cancellationToken;
        check = checkDomain;
        await HealthCheckScheduler
            .RunTermAsync(
                new Runner(this),
                time,
                workers,
                async started =>
                {
                    scheduler = started;
                    foreach (var key in domains)
                    {
                        await scheduleDomain(key, cancellationToken).ConfigureAwait(false);
                    }
                },
                () => scheduler = null,
                cancellationToken
            )
            .ConfigureAwait(false);
    }

    /// <summary>
    /// Puts the domain on <paramref name="cron"/>, and asks for a check now when the last one (<paramref name="checkedGeneration"/>,
    /// <paramref name="lastCheck"/>) was of another generation, or a check was asked by hand since.
    /// </summary>
    public async Task ScheduleAsync(
        string key,
        SendingDomain domain,
        string cron,
        long? checkedGeneration,
        DateTimeOffset? lastCheck,
        CancellationToken cancellationToken
    )
    {
        if (scheduler is not { } jobs)
        {
            return;
        }

        await jobs.ScheduleAsync(key, cron, cancellationToken).ConfigureAwait(false);
        var generation = domain.Metadata.Generation ?? 0;
        var byHand = Annotations.CheckRequestedSince(domain, lastCheck) is { } at && requested.GetValueOrDefault(key) != at;
        if (byHand)
        {
            requested[key] = Annotations.CheckRequested(domain)!;
        }

        if (byHand || (checkedGeneration != generation && asked.GetValueOrDefault(key, -1) != generation))
        {
            asked[key] = generation;
            await jobs.CheckNowAsync(key, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Takes the domain off the schedule (deleted, or its checks turned off).</summary>
    public async Task RemoveAsync(string key, CancellationToken cancellationToken)
    {
        asked.TryRemove(key, out _);
        if (scheduler is { } jobs)
        {
            await jobs.RemoveAsync(key, cancellationToken).ConfigureAwait(false);
        }
    }

    private sealed class Runner(ScheduledDomainChecks checks) : IHealthCheckRunner
    {
        public async Task RunAsync(string key, CancellationToken cancellationToken)
        {
            using var both = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, checks.term);
            try
            {
                await checks.check(key, both.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (both.IsCancellationRequested)
            {
                // the term ended mid-check: the next term checks again
            }
        }
    }
}
