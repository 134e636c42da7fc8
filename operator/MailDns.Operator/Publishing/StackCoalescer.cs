namespace MailDns.Operator.Publishing;

/// <summary>
/// Turns many requests to publish a stack into few runs: requests for one stack that arrive within
/// <c>window</c> of each other share one run; a request that arrives while that stack runs is served by the next
/// run (never by the one already under way, which may have read older desired state); runs for one stack never
/// overlap; different stacks run in parallel up to <c>maxParallel</c>. A request completes when a run that started
/// after it completes, and fails if that run throws.
/// </summary>
public sealed class StackCoalescer(Func<string, CancellationToken, Task> run, TimeSpan window, int maxParallel, TimeProvider time)
{
    private readonly SemaphoreSlim parallel = new(maxParallel, maxParallel);
    private readonly Dictionary<string, StackState> stacks = new(StringComparer.Ordinal);
    private int runs;

    public int Runs => Volatile.Read(ref runs);

    private sealed class StackState
    {
        public TaskCompletionSource? Pending { get; set; }

        public bool Pumping { get; set; }
    }

    public Task RequestAsync(string stack, CancellationToken cancellationToken = default)
    {
        lock (stacks)
        {
            if (!stacks.TryGetValue(stack, out var state))
            {
                stacks[stack] = state = new StackState();
            }

            state.Pending ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var waiter = state.Pending.Task;
            if (!state.Pumping)
            {
                state.Pumping = true;
                _ = PumpAsync(stack, state, cancellationToken);
            }

            return waiter.WaitAsync(cancellationToken);
        }
    }

    private async Task PumpAsync(string stack, StackState state, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                await Task.Delay(window, time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Cancellation of the first requester must not strand the others: run anyway.
            }

            TaskCompletionSource current;
            lock (stacks)
            {
                if (state.Pending is null)
                {
                    state.Pumping = false;
                    return;
                }

                current = state.Pending;
                state.Pending = null; // requests from now on wait for the next run
            }

            await parallel.WaitAsync(CancellationToken.None).ConfigureAwait(false);
            try
            {
                Interlocked.Increment(ref runs);
                await run(stack, CancellationToken.None).ConfigureAwait(false);
                current.TrySetResult();
            }
            catch (Exception e)
            {
                current.TrySetException(e); // every waiter of this run sees the failure; nothing is dropped silently
            }
            finally
            {
                parallel.Release();
            }
        }
    }
}
