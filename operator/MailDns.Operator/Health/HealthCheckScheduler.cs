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
/// The checks of many SendingDomains (key "namespace/name") on their cron schedules, spread by <see cref="CronJitter"/>.
/// Domains whose spread schedule is the same share one Quartz job and trigger (a 15-minute schedule spreads 10,000 domains
/// over at most 900), so the scheduler holds a few hundred cron expressions, not one per domain: 10,000 per-domain cron
/// jobs were about 20 MB of the operator's heap. A domain's checks never overlap (a check asked while one runs runs after
/// it, and several asked meanwhile run once), and at most <c>maxConcurrentChecks</c> domains are checked at once across
/// the process.
/// </summary>
public sealed class HealthCheckScheduler : IAsyncDisposable
{
    private const string Group = "health";
    private static readonly JobKey OneOff = new("one-off", Group);
    private readonly IScheduler scheduler;
    private readonly SchedulerState state;

    private HealthCheckScheduler(IScheduler scheduler, SchedulerState state)
    {
        this.scheduler = scheduler;
        this.state = state;
    }

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
        var state = new SchedulerState(new DomainRuns(runner, new SemaphoreSlim(maxConcurrentChecks, maxConcurrentChecks)));
        var scheduler = await QuartzSchedulerBuilder
            .Create(q =>
            {
                q.UseTimeProvider(time);
                q.UseInMemoryStore(_ => { });
                q.UseDefaultThreadPool(Math.Max(2, maxConcurrentChecks));
                q.UseJobFactory(new JobFactory(state));
            })
            .BuildScheduler(cancellationToken)
            .ConfigureAwait(false);
        await scheduler
            .AddJob(JobBuilder.Create<OneOffJob>().WithIdentity(OneOff).StoreDurably().Build(), cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        await scheduler.Start(cancellationToken).ConfigureAwait(false);
        return new HealthCheckScheduler(scheduler, state);
    }

    /// <summary>Creates or replaces the domain's schedule; unchanged schedules are left alone.</summary>
    public async Task ScheduleAsync(string key, string cron, CancellationToken cancellationToken = default)
    {
        var spread = CronJitter.Spread(cron, key);
        await state.Mutex.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (state.ScheduleOf.GetValueOrDefault(key) == spread)
            {
                return;
            }

            await LeaveAsync(key, cancellationToken).ConfigureAwait(false);
            if (state.Members.TryGetValue(spread, out var members))
            {
                state.ScheduleOf[key] = members.Cron;
                members.Keys.Add(key);
                return;
            }

            state.ScheduleOf[key] = spread;
            state.Members[spread] = new Schedule(spread) { Keys = { key } };
            var job = JobBuilder.Create<ScheduleJob>().WithIdentity(spread, Group).Build();
            var trigger = TriggerBuilder
                .Create()
                .WithIdentity(spread, Group)
                .StartAt(scheduler.TimeProvider.GetUtcNow())
                .WithCronSchedule(spread)
                .Build();
            await scheduler.ScheduleJob(job, trigger, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            state.Mutex.Release();
        }
    }

    /// <summary>A check as soon as a worker is free: after a publish, or when the rotation planner waits on verification.</summary>
    public async Task CheckNowAsync(string key, CancellationToken cancellationToken = default) =>
        await scheduler.TriggerJob(OneOff, new JobDataMap { [KeyData] = key }, cancellationToken).ConfigureAwait(false);

    /// <summary>A one-off check at a given time (the end of a propagation delay, for example).</summary>
    public async Task CheckAtAsync(string key, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        var trigger = TriggerBuilder.Create().ForJob(OneOff).UsingJobData(KeyData, key).StartAt(at).Build();
        await scheduler.ScheduleJob(trigger, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    public async Task RemoveAsync(string key, CancellationToken cancellationToken = default)
    {
        await state.Mutex.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await LeaveAsync(key, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            state.Mutex.Release();
        }
    }

    /// <summary>The distinct spread schedules in Quartz (one job and one trigger each), however many domains share them.</summary>
    public int Schedules => state.Members.Count;

    public Task<string?> ScheduleOfAsync(string key, CancellationToken cancellationToken = default) =>
        Task.FromResult(state.ScheduleOf.GetValueOrDefault(key));

    public async Task<DateTimeOffset?> NextCheckAsync(string key, CancellationToken cancellationToken = default) =>
        state.ScheduleOf.GetValueOrDefault(key) is { } spread
            ? (await scheduler.GetTrigger(new TriggerKey(spread, Group), cancellationToken).ConfigureAwait(false))?.NextFireTimeUtc
            : null;

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

    private const string KeyData = "key";

    /// <summary>Takes the domain out of its schedule's members; the schedule's job goes with its last member. Under the mutex.</summary>
    private async Task LeaveAsync(string key, CancellationToken cancellationToken)
    {
        if (!state.ScheduleOf.Remove(key, out var spread) || !state.Members.TryGetValue(spread, out var members))
        {
            return;
        }

        members.Keys.Remove(key);
        if (members.Keys.Count == 0)
        {
            state.Members.Remove(spread);
            await scheduler.DeleteJob(new JobKey(spread, Group), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// One spread schedule's cron text and its domains. Each domain's entry in ScheduleOf points at this one text: 10,000
    /// domains on 900 schedules held 10,000 copies of it (0.5 MB), one per domain's call to CronJitter.Spread.
    /// </summary>
    private sealed class Schedule(string cron)
    {
        public string Cron { get; } = cron;

        public HashSet<string> Keys { get; } = new(StringComparer.Ordinal);
    }

    /// <summary>Who is on which schedule (changed under <see cref="Mutex"/>), and the runs of each domain.</summary>
    private sealed class SchedulerState(DomainRuns runs)
    {
        public SemaphoreSlim Mutex { get; } = new(1, 1);

        public Dictionary<string, string> ScheduleOf { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, Schedule> Members { get; } = new(StringComparer.Ordinal);

        public DomainRuns Runs { get; } = runs;

        public async Task<IReadOnlyList<string>> MembersAsync(string spread, CancellationToken cancellationToken)
        {
            await Mutex.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return Members.TryGetValue(spread, out var members) ? [.. members.Keys] : [];
            }
            finally
            {
                Mutex.Release();
            }
        }
    }

    /// <summary>
    /// Each domain's runs, one at a time: a run asked while one is running waits for it, and while one is already waiting
    /// a new ask joins it (it will see the newest state). At most the bound's count of runs across domains at once.
    /// </summary>
    private sealed class DomainRuns(IHealthCheckRunner runner, SemaphoreSlim bound)
    {
        private readonly Dictionary<string, Run> current = new(StringComparer.Ordinal);
        private readonly Dictionary<string, Run> waiting = new(StringComparer.Ordinal);

        public Task RunAsync(string key, CancellationToken cancellationToken)
        {
            lock (current)
            {
                if (waiting.TryGetValue(key, out var joined))
                {
                    return joined.Task;
                }

                var before = current.GetValueOrDefault(key)?.Task ?? Task.CompletedTask;
                var run = new Run();
                current[key] = run;
                waiting[key] = run;
                run.Task = RunAfterAsync(before, key, run, cancellationToken);
                return run.Task;
            }
        }

        private async Task RunAfterAsync(Task before, string key, Run run, CancellationToken cancellationToken)
        {
            await Task.Yield(); // registered by the caller before it starts
            await before.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            try
            {
                await bound.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                lock (current)
                {
                    waiting.Remove(key); // started (or stopped): a new ask now runs after this one
                }
            }

            try
            {
                await runner.RunAsync(key, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                bound.Release();
                lock (current)
                {
                    if (current.GetValueOrDefault(key) == run)
                    {
                        current.Remove(key);
                    }
                }
            }
        }

        private sealed class Run
        {
            public Task Task { get; set; } = Task.CompletedTask;
        }
    }

    /// <summary>A schedule fired: every domain on it is checked (each through <see cref="DomainRuns"/>).</summary>
    private sealed class ScheduleJob(SchedulerState state) : IJob
    {
        public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
        {
            var keys = await state.MembersAsync(context.JobDetail.Key.Name, cancellationToken).ConfigureAwait(false);
            await Task.WhenAll(keys.Select(key => state.Runs.RunAsync(key, cancellationToken))).ConfigureAwait(false);
        }
    }

    /// <summary>A check asked for one domain: now, or at a time.</summary>
    private sealed class OneOffJob(SchedulerState state) : IJob
    {
        public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
            await state.Runs.RunAsync(context.MergedJobDataMap.GetString(KeyData)!, cancellationToken).ConfigureAwait(false);
    }

    private sealed class JobFactory(SchedulerState state) : IJobFactory
    {
        public ValueTask<JobScope> CreateJob(TriggerFiredBundle bundle, IScheduler scheduler, CancellationToken cancellationToken) =>
            ValueTask.FromResult(new JobScope(bundle.JobDetail.Key.Equals(OneOff) ? new OneOffJob(state) : new ScheduleJob(state), null));

        public ValueTask ReturnJob(JobScope scope, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}
