using MailDns.Core.Health;
using Quartz;
using Quartz.Extensibility;

namespace MailDns.Operator.Health;

/// <summary>Runs one domain's health check; the operator's implementation gathers, evaluates and writes status.</summary>
public interface IHealthCheckRunner
{
    Task RunAsync(string key, CancellationToken cancellationToken);
}

/// <summary>
/// One Quartz job per SendingDomain (key "namespace/name") on its cron schedule, spread by <see cref="CronJitter"/>.
/// A domain's checks never overlap (the job disallows concurrent execution, and triggers that fire while it runs
/// wait), and at most <c>maxConcurrentChecks</c> domains are checked at once across the process.
/// </summary>
public sealed class HealthCheckScheduler : IAsyncDisposable
{
    private const string Group = "health";
    private readonly IScheduler scheduler;

    private HealthCheckScheduler(IScheduler scheduler) => this.scheduler = scheduler;

    /// <summary>
    /// Runs a scheduler for one term of leadership (the reputation and transport controllers): started, handed to
    /// <paramref name="started"/> (which schedules every domain), and shut down when the term ends, after
    /// <paramref name="ended"/> has let go of it.
    /// </summary>
    public static async Task RunTermAsync(
        IHealthCheckRunner runner,
        TimeProvider time,
        int workers,
        Func<HealthCheckScheduler, Task> started,
        Action ended,
        CancellationToken cancellationToken
    )
    {
        await using var scheduler = await StartAsync(runner, time, workers, cancellationToken).ConfigureAwait(false);
        try
        {
            await started(scheduler).ConfigureAwait(false);
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // the term ended
        }
        finally
        {
            ended();
        }
    }

    public static async Task<HealthCheckScheduler> StartAsync(
        IHealthCheckRunner runner,
        TimeProvider time,
        int maxConcurrentChecks = 16,
        CancellationToken cancellationToken = default
    )
    {
        var bound = new SemaphoreSlim(maxConcurrentChecks, maxConcurrentChecks);
        var scheduler = await QuartzSchedulerBuilder
            .Create(q =>
            {
                q.UseTimeProvider(time);
                q.UseInMemoryStore(_ => { });
                q.UseDefaultThreadPool(Math.Max(2, maxConcurrentChecks));
                q.UseJobFactory(new JobFactory(runner, bound));
            })
            .BuildScheduler(cancellationToken)
            .ConfigureAwait(false);
        await scheduler.Start(cancellationToken).ConfigureAwait(false);
        return new HealthCheckScheduler(scheduler);
    }

    /// <summary>Creates or replaces the domain's schedule; unchanged schedules are left alone.</summary>
    public async Task ScheduleAsync(string key, string cron, CancellationToken cancellationToken = default)
    {
        var spread = CronJitter.Spread(cron, key);
        var triggerKey = new TriggerKey(key, Group);
        if (
            await scheduler.GetTrigger(triggerKey, cancellationToken).ConfigureAwait(false) is ICronTrigger existing
            && existing.CronExpressionString == spread
        )
        {
            return;
        }

        var trigger = TriggerBuilder
            .Create()
            .WithIdentity(triggerKey)
            .ForJob(JobKeyOf(key))
            .StartAt(scheduler.TimeProvider.GetUtcNow())
            .WithCronSchedule(spread)
            .Build();
        await EnsureJobAsync(key, cancellationToken).ConfigureAwait(false);
        if (await scheduler.Exists(triggerKey, cancellationToken).ConfigureAwait(false))
        {
            await scheduler.RescheduleJob(triggerKey, trigger, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await scheduler.ScheduleJob(trigger, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A check as soon as a worker is free: after a publish, or when the rotation planner waits on verification.</summary>
    public async Task CheckNowAsync(string key, CancellationToken cancellationToken = default)
    {
        await EnsureJobAsync(key, cancellationToken).ConfigureAwait(false);
        await scheduler.TriggerJob(JobKeyOf(key), new JobDataMap(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A one-off check at a given time (the end of a propagation delay, for example).</summary>
    public async Task CheckAtAsync(string key, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        await EnsureJobAsync(key, cancellationToken).ConfigureAwait(false);
        var trigger = TriggerBuilder.Create().ForJob(JobKeyOf(key)).StartAt(at).Build();
        await scheduler.ScheduleJob(trigger, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    public Task RemoveAsync(string key, CancellationToken cancellationToken = default) =>
        scheduler.DeleteJob(JobKeyOf(key), cancellationToken).AsTask();

    public async Task<string?> ScheduleOfAsync(string key, CancellationToken cancellationToken = default) =>
        (
            await scheduler.GetTrigger(new TriggerKey(key, Group), cancellationToken).ConfigureAwait(false) as ICronTrigger
        )?.CronExpressionString;

    public async Task<DateTimeOffset?> NextCheckAsync(string key, CancellationToken cancellationToken = default) =>
        (await scheduler.GetTrigger(new TriggerKey(key, Group), cancellationToken).ConfigureAwait(false))?.NextFireTimeUtc;

    public async ValueTask DisposeAsync() => await scheduler.Shutdown(waitForJobsToComplete: true).ConfigureAwait(false);

    /// <summary>Why Quartz would refuse the cron expression, or null when it is valid: checked before a domain is scheduled.</summary>
    public static string? InvalidSchedule(string cron)
    {
        try
        {
            _ = new CronExpression(cron);
            return null;
        }
        catch (FormatException e)
        {
            return e.Message;
        }
    }

    private static JobKey JobKeyOf(string key) => new(key, Group);

    private async Task EnsureJobAsync(string key, CancellationToken cancellationToken)
    {
        if (!await scheduler.Exists(JobKeyOf(key), cancellationToken).ConfigureAwait(false))
        {
            var job = JobBuilder.Create<HealthCheckJob>().WithIdentity(JobKeyOf(key)).StoreDurably().Build();
            try
            {
                await scheduler.AddJob(job, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (ObjectAlreadyExistsException)
            {
                // added concurrently by another call for the same domain: the job exists, which is all we need
            }
        }
    }

    [DisallowConcurrentExecution]
    private sealed class HealthCheckJob(IHealthCheckRunner runner, SemaphoreSlim bound) : IJob
    {
        public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
        {
            await bound.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await runner.RunAsync(context.JobDetail.Key.Name, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                bound.Release();
            }
        }
    }

    private sealed class JobFactory(IHealthCheckRunner runner, SemaphoreSlim bound) : IJobFactory
    {
        public ValueTask<JobScope> CreateJob(TriggerFiredBundle bundle, IScheduler scheduler, CancellationToken cancellationToken) =>
            ValueTask.FromResult(new JobScope(new HealthCheckJob(runner, bound), null));

        public ValueTask ReturnJob(JobScope scope, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}
