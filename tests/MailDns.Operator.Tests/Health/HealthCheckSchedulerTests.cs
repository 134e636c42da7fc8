using System.Collections.Concurrent;
using MailDns.Core.Health;
using MailDns.Operator.Health;

namespace MailDns.Operator.Tests.Health;

/// <summary>The Quartz schedule of health checks, on a clock the test controls; waits are bounded, never sleeps.</summary>
public class HealthCheckSchedulerTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    /// <summary>Records every run; runs block on a gate when one is set, so overlap can be observed.</summary>
    private sealed class RecordingRunner : IHealthCheckRunner
    {
        private int running;

        public ConcurrentQueue<string> Runs { get; } = new();

        public ConcurrentDictionary<string, int> RunningPerKey { get; } = new();

        public int MaxRunning { get; private set; }

        public int MaxRunningPerKey { get; private set; }

        public TaskCompletionSource? Gate { get; set; }

        public SemaphoreSlim Started { get; } = new(0);

        public async Task RunAsync(string key, CancellationToken cancellationToken)
        {
            var now = Interlocked.Increment(ref running);
            var perKey = RunningPerKey.AddOrUpdate(key, 1, (_, n) => n + 1);
            lock (this)
            {
                MaxRunning = Math.Max(MaxRunning, now);
                MaxRunningPerKey = Math.Max(MaxRunningPerKey, perKey);
            }

            Runs.Enqueue(key);
            Started.Release();
            try
            {
                if (Gate is { } gate)
                {
                    await gate.Task.WaitAsync(Bound, cancellationToken);
                }
            }
            finally
            {
                RunningPerKey.AddOrUpdate(key, 0, (_, n) => n - 1);
                Interlocked.Decrement(ref running);
            }
        }

        public async Task WaitForRunsAsync(int count)
        {
            for (var i = 0; i < count; i++)
            {
                Assert.True(await Started.WaitAsync(Bound), $"run {i + 1} of {count} did not start within {Bound}");
            }
        }
    }

    [Fact]
    public async Task A_check_now_runs_the_domains_check()
    {
        var runner = new RecordingRunner();
        await using var scheduler = await HealthCheckScheduler.StartAsync(runner, TimeProvider.System);

        await scheduler.CheckNowAsync("mail/example");

        await runner.WaitForRunsAsync(1);
        Assert.Equal(["mail/example"], runner.Runs);
    }

    /// <summary>
    /// On the real clock with a per-second cron: Quartz's in-memory store reads the system clock for misfires
    /// whatever TimeProvider the scheduler is given, so a fake clock cannot drive it.
    /// </summary>
    [Fact]
    public async Task The_cron_schedule_fires_repeatedly_at_its_next_fire_time()
    {
        var runner = new RecordingRunner();
        await using var scheduler = await HealthCheckScheduler.StartAsync(runner, TimeProvider.System);

        await scheduler.ScheduleAsync("mail/example", "* * * * * ?");
        var next = (await scheduler.NextCheckAsync("mail/example"))!.Value;
        Assert.InRange(next, DateTimeOffset.UtcNow.AddSeconds(-1), DateTimeOffset.UtcNow.AddSeconds(2));

        await runner.WaitForRunsAsync(2);
        Assert.Equal(["mail/example", "mail/example"], runner.Runs.Take(2));
    }

    [Fact]
    public async Task Checks_of_one_domain_never_overlap_and_a_trigger_during_a_run_runs_after_it()
    {
        var runner = new RecordingRunner { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        await using var scheduler = await HealthCheckScheduler.StartAsync(runner, TimeProvider.System);

        await scheduler.CheckNowAsync("mail/example");
        await runner.WaitForRunsAsync(1);
        await scheduler.CheckNowAsync("mail/example");
        Assert.False(await runner.Started.WaitAsync(TimeSpan.FromMilliseconds(300)), "a second run started while the first was running");

        runner.Gate.SetResult();
        await runner.WaitForRunsAsync(1);
        Assert.Equal(1, runner.MaxRunningPerKey);
        Assert.Equal(2, runner.Runs.Count);
    }

    [Fact]
    public async Task The_global_bound_limits_how_many_domains_are_checked_at_once()
    {
        var runner = new RecordingRunner { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        await using var scheduler = await HealthCheckScheduler.StartAsync(runner, TimeProvider.System, maxConcurrentChecks: 2);

        for (var i = 0; i < 6; i++)
        {
            await scheduler.CheckNowAsync($"mail/d{i}");
        }

        await runner.WaitForRunsAsync(2);
        Assert.False(await runner.Started.WaitAsync(TimeSpan.FromMilliseconds(300)), "a third check started beyond the bound of 2");
        runner.Gate.SetResult();
        await runner.WaitForRunsAsync(4);
        Assert.Equal(2, runner.MaxRunning);
        Assert.Equal(6, runner.Runs.Distinct().Count());
    }

    [Fact]
    public async Task A_spec_change_replaces_the_schedule_and_a_delete_removes_it()
    {
        await using var scheduler = await HealthCheckScheduler.StartAsync(new RecordingRunner(), TimeProvider.System);

        await scheduler.ScheduleAsync("mail/example", "0 0/15 * * * ?");
        Assert.Equal(CronJitter.Spread("0 0/15 * * * ?", "mail/example"), await scheduler.ScheduleOfAsync("mail/example"));
        await scheduler.ScheduleAsync("mail/example", "0 0 * * * ?");
        Assert.Equal(CronJitter.Spread("0 0 * * * ?", "mail/example"), await scheduler.ScheduleOfAsync("mail/example"));

        await scheduler.RemoveAsync("mail/example");
        Assert.Null(await scheduler.ScheduleOfAsync("mail/example"));
        Assert.Null(await scheduler.NextCheckAsync("mail/example"));
    }

    [Fact]
    public async Task Domains_on_the_same_spread_schedule_share_one_quartz_schedule_and_are_all_checked_when_it_fires()
    {
        var runner = new RecordingRunner();
        await using var scheduler = await HealthCheckScheduler.StartAsync(runner, TimeProvider.System);

        // Every second: a seconds field that is not a number is not spread, so both domains share the schedule.
        await scheduler.ScheduleAsync("mail/a", "* * * * * ?");
        await scheduler.ScheduleAsync("mail/b", "* * * * * ?");
        Assert.Equal(1, scheduler.Schedules);
        await runner.WaitForRunsAsync(2);
        Assert.Contains("mail/a", runner.Runs);
        Assert.Contains("mail/b", runner.Runs);

        await scheduler.RemoveAsync("mail/a");
        Assert.Equal(1, scheduler.Schedules);
        await scheduler.RemoveAsync("mail/b");
        Assert.Equal(0, scheduler.Schedules);
    }

    [Fact]
    public async Task Two_thousand_domains_on_a_fifteen_minute_schedule_need_at_most_nine_hundred_quartz_schedules()
    {
        await using var scheduler = await HealthCheckScheduler.StartAsync(new RecordingRunner(), TimeProvider.System);

        for (var i = 0; i < 2_000; i++)
        {
            await scheduler.ScheduleAsync($"mail/d{i}", "0 0/15 * * * ?");
        }

        // 60 spread seconds x 15 spread minutes (CronJitter); one cron expression per domain was ~2 KB of heap each.
        Assert.InRange(scheduler.Schedules, 1, 900);
        Assert.NotNull(await scheduler.NextCheckAsync("mail/d1999"));
    }
}
