using MailDns.Operator.Publishing;

namespace MailDns.Operator.Tests.Publishing;

public class StackCoalescerTests
{
    [Fact]
    public async Task A_request_during_a_run_is_served_by_the_next_run_and_runs_of_a_stack_never_overlap()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new SemaphoreSlim(0);
        var running = 0;
        var maxRunning = 0;
        var coalescer = new StackCoalescer(
            async (_, _) =>
            {
                maxRunning = Math.Max(maxRunning, Interlocked.Increment(ref running));
                started.Release();
                await gate.Task;
                Interlocked.Decrement(ref running);
            },
            TimeSpan.FromMilliseconds(10),
            maxParallel: 4,
            TimeProvider.System
        );

        var first = coalescer.RequestAsync("s");
        Assert.True(await started.WaitAsync(TimeSpan.FromSeconds(10)));
        var second = coalescer.RequestAsync("s");
        var third = coalescer.RequestAsync("s");
        gate.SetResult();
        await Task.WhenAll(first, second, third).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(2, coalescer.Runs); // one for the first request, one shared by the two that came during it
        Assert.Equal(1, maxRunning);
    }

    [Fact]
    public async Task Different_stacks_run_in_parallel_up_to_the_bound()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new SemaphoreSlim(0);
        var coalescer = new StackCoalescer(
            async (_, _) =>
            {
                started.Release();
                await gate.Task;
            },
            TimeSpan.Zero,
            maxParallel: 2,
            TimeProvider.System
        );

        var requests = Enumerable.Range(0, 4).Select(i => coalescer.RequestAsync($"s{i}")).ToList();
        Assert.True(await started.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(await started.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.False(await started.WaitAsync(TimeSpan.FromMilliseconds(200)), "a third stack ran beyond the bound of 2");
        gate.SetResult();
        await Task.WhenAll(requests).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(4, coalescer.Runs);
    }

    [Fact]
    public async Task A_failing_run_fails_every_request_it_served_and_the_next_request_runs_again()
    {
        var attempts = 0;
        var coalescer = new StackCoalescer(
            (_, _) => ++attempts == 1 ? throw new InvalidOperationException("provider down") : Task.CompletedTask,
            TimeSpan.FromMilliseconds(20),
            1,
            TimeProvider.System
        );

        var failed = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            Task.WhenAll(coalescer.RequestAsync("s"), coalescer.RequestAsync("s"))
        );
        await coalescer.RequestAsync("s");

        Assert.Equal("provider down", failed.Message);
        Assert.Equal(2, attempts);
    }
}
