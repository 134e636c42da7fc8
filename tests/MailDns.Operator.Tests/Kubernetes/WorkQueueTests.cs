using System.Collections.Concurrent;
using MailDns.Core.Operations;
using MailDns.Operator.Kubernetes;
using Microsoft.Extensions.Time.Testing;

namespace MailDns.Operator.Tests.Kubernetes;

/// <summary>The work queue's promises, with a controlled clock for backoff and requeues; waits are bounded.</summary>
public class WorkQueueTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private sealed class Recorder
    {
        private readonly SemaphoreSlim done = new(0);

        public ConcurrentQueue<string> Runs { get; } = new();

        public async Task<ReconcileOutcome> Run(string key, Func<string, Task<ReconcileOutcome>> body)
        {
            Runs.Enqueue(key);
            try
            {
                return await body(key);
            }
            finally
            {
                done.Release();
            }
        }

        public async Task WaitAsync(int count)
        {
            for (var i = 0; i < count; i++)
            {
                Assert.True(await done.WaitAsync(Bound), $"reconcile {i + 1} of {count} did not happen");
            }
        }

        public async Task AssertQuietAsync() =>
            Assert.False(await done.WaitAsync(TimeSpan.FromMilliseconds(200)), "an unexpected reconcile ran");
    }

    [Fact]
    public async Task A_key_added_many_times_before_it_runs_is_reconciled_once()
    {
        var recorder = new Recorder();
        var gate = new TaskCompletionSource();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var queue = new WorkQueue<string>(
            (k, _) =>
                recorder.Run(
                    k,
                    async _ =>
                    {
                        started.TrySetResult();
                        await gate.Task;
                        return ReconcileOutcome.Done;
                    }
                ),
            TimeProvider.System
        );
        queue.Add("a");
        using var stop = new CancellationTokenSource();
        var workers = queue.RunAsync(2, stop.Token);
        await started.Task.WaitAsync(Bound); // the first run is under way; add while it runs
        for (var i = 0; i < 100; i++)
        {
            queue.Add("a");
        }

        gate.SetResult();
        await recorder.WaitAsync(2); // the first run, and exactly one more for the adds during it
        await recorder.AssertQuietAsync();
        Assert.Equal(["a", "a"], recorder.Runs);
        await stop.CancelAsync();
        await workers;
    }

    [Fact]
    public async Task A_failing_reconcile_is_retried_with_growing_backoff_and_never_dropped()
    {
        var clock = new FakeTimeProvider();
        var recorder = new Recorder();
        var attempts = 0;
        var delays = new List<TimeSpan>();
        var queue = new WorkQueue<string>(
            (k, _) =>
                recorder.Run(
                    k,
                    _ => ++attempts < 4 ? throw new InvalidOperationException("api down") : Task.FromResult(ReconcileOutcome.Done)
                ),
            clock,
            new Backoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30)),
            seed: 7
        );
        queue.Failed += (_, _, delay, _) =>
        {
            lock (delays)
            {
                delays.Add(delay);
            }
        };
        using var stop = new CancellationTokenSource();
        var workers = queue.RunAsync(1, stop.Token);

        queue.Add("a");
        await recorder.WaitAsync(1);
        for (var i = 0; i < 3; i++)
        {
            await recorder.AssertQuietAsync(); // nothing before the backoff elapses
            clock.Advance(TimeSpan.FromSeconds(30));
            await recorder.WaitAsync(1);
        }

        Assert.Equal(4, attempts);
        Assert.Equal(3, delays.Count);
        Assert.True(delays[1] > delays[0] * 1.2 || delays[2] > delays[1] * 1.2, string.Join(", ", delays));
        Assert.All(delays, d => Assert.InRange(d, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(30)));
        await stop.CancelAsync();
        await workers;
    }

    [Fact]
    public async Task A_reconcile_can_ask_to_run_again_at_a_time()
    {
        var clock = new FakeTimeProvider();
        var recorder = new Recorder();
        var queue = new WorkQueue<string>(
            (k, _) =>
                recorder.Run(
                    k,
                    _ =>
                        Task.FromResult(
                            recorder.Runs.Count == 1 ? ReconcileOutcome.At(clock.GetUtcNow().AddHours(24)) : ReconcileOutcome.Done
                        )
                ),
            clock
        );
        using var stop = new CancellationTokenSource();
        var workers = queue.RunAsync(1, stop.Token);

        queue.Add("rotating");
        await recorder.WaitAsync(1);
        clock.Advance(TimeSpan.FromHours(23));
        await recorder.AssertQuietAsync();
        clock.Advance(TimeSpan.FromHours(1));
        await recorder.WaitAsync(1);

        Assert.Equal(2, recorder.Runs.Count);
        await stop.CancelAsync();
        await workers;
    }

    [Fact]
    public async Task Keys_waiting_for_different_times_each_run_at_their_own_and_the_earlier_of_two_requests_wins()
    {
        var clock = new FakeTimeProvider();
        var recorder = new Recorder();
        var queue = new WorkQueue<string>((k, _) => recorder.Run(k, _ => Task.FromResult(ReconcileOutcome.Done)), clock);
        using var stop = new CancellationTokenSource();
        var workers = queue.RunAsync(1, stop.Token);

        queue.AddAfter("a", TimeSpan.FromHours(3));
        queue.AddAfter("b", TimeSpan.FromHours(1));
        queue.AddAfter("c", TimeSpan.FromHours(2));
        queue.AddAfter("a", TimeSpan.FromMinutes(30)); // earlier: replaces a's 3 hours
        queue.AddAfter("b", TimeSpan.FromHours(5)); // later: b keeps its hour

        clock.Advance(TimeSpan.FromMinutes(30));
        await recorder.WaitAsync(1);
        await recorder.AssertQuietAsync();
        clock.Advance(TimeSpan.FromMinutes(30));
        await recorder.WaitAsync(1);
        clock.Advance(TimeSpan.FromHours(1));
        await recorder.WaitAsync(1);
        clock.Advance(TimeSpan.FromHours(5)); // a's replaced 3 hours and b's 5 hours run nothing
        await recorder.AssertQuietAsync();

        Assert.Equal(["a", "b", "c"], recorder.Runs);
        await stop.CancelAsync();
        await workers;
    }

    [Fact]
    public async Task Different_keys_run_in_parallel_up_to_the_worker_count()
    {
        var gate = new TaskCompletionSource();
        var running = 0;
        var max = 0;
        var recorder = new Recorder();
        var queue = new WorkQueue<string>(
            (k, _) =>
                recorder.Run(
                    k,
                    async _ =>
                    {
                        var now = Interlocked.Increment(ref running);
                        lock (recorder)
                        {
                            max = Math.Max(max, now);
                        }

                        await gate.Task;
                        Interlocked.Decrement(ref running);
                        return ReconcileOutcome.Done;
                    }
                ),
            TimeProvider.System
        );
        using var stop = new CancellationTokenSource();
        var workers = queue.RunAsync(3, stop.Token);
        for (var i = 0; i < 10; i++)
        {
            queue.Add($"k{i}");
        }

        var deadline = DateTime.UtcNow + Bound;
        while (Volatile.Read(ref running) < 3)
        {
            Assert.True(DateTime.UtcNow < deadline, "three workers never ran at once");
            await Task.Yield();
        }

        Assert.Equal(3, recorder.Runs.Count); // a fourth cannot start while three hold the workers
        gate.SetResult();
        await recorder.WaitAsync(10);

        Assert.Equal(3, max);
        await stop.CancelAsync();
        await workers;
    }

    [Fact]
    public async Task On_stop_a_reconcile_under_way_finishes_within_the_grace_period_and_no_queued_key_starts()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var finished = new ConcurrentQueue<(string Key, bool Cancelled)>();
        var queue = new WorkQueue<string>(
            async (key, token) =>
            {
                started.TrySetResult();
                await release.Task;
                finished.Enqueue((key, token.IsCancellationRequested));
                return ReconcileOutcome.Done;
            },
            time
        );
        var underWayAtStop = -1;
        queue.Stopping += n => underWayAtStop = n;
        using var stop = new CancellationTokenSource();
        var running = queue.RunAsync(1, stop.Token, grace: TimeSpan.FromSeconds(10));
        queue.Add("a");
        await started.Task.WaitAsync(Bound);
        queue.Add("b");

        await stop.CancelAsync();
        time.Advance(TimeSpan.FromSeconds(9)); // inside the grace period
        release.SetResult();
        await running.WaitAsync(Bound);

        Assert.Equal(1, underWayAtStop);
        Assert.Equal([("a", false)], finished.ToArray()); // a finished with its token intact; b never started
    }

    [Fact]
    public async Task On_stop_a_reconcile_that_outlasts_the_grace_period_is_cancelled_and_not_retried()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var runs = 0;
        var queue = new WorkQueue<string>(
            async (_, token) =>
            {
                Interlocked.Increment(ref runs);
                started.TrySetResult();
                await Task.Delay(Timeout.InfiniteTimeSpan, token);
                return ReconcileOutcome.Done;
            },
            time
        );
        using var stop = new CancellationTokenSource();
        var running = queue.RunAsync(1, stop.Token, grace: TimeSpan.FromSeconds(10));
        queue.Add("a");
        await started.Task.WaitAsync(Bound);

        await stop.CancelAsync();
        Assert.False(running.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(10));
        await running.WaitAsync(Bound);

        Assert.Equal(1, runs);
    }
}
