using MailDns.Core.Operations;

namespace MailDns.Operator.Kubernetes;

/// <summary>What a reconcile asks of the queue afterwards.</summary>
public abstract record ReconcileOutcome
{
    public static ReconcileOutcome Done { get; } = new DoneOutcome();

    public static ReconcileOutcome At(DateTimeOffset when) => new RequeueOutcome(when);

    public sealed record DoneOutcome : ReconcileOutcome;

    public sealed record RequeueOutcome(DateTimeOffset When) : ReconcileOutcome;
}

/// <summary>
/// The controller's work queue, as client-go's: a key queued twice is queued once; a key is reconciled by one
/// worker at a time (a key added while it runs is run again after); at most <c>workers</c> keys run at once; a
/// reconcile that throws is retried with <see cref="Backoff"/> (never dropped) and its failure count reset by a
/// success; a reconcile may ask to run again at a time (the next rotation step, the next check). When stopping,
/// no new key starts, and reconciles under way get a grace period to finish before their token is cancelled.
/// </summary>
public sealed class WorkQueue<TKey>
    where TKey : notnull
{
    private readonly Func<TKey, CancellationToken, Task<ReconcileOutcome>> reconcile;
    private readonly TimeProvider time;
    private readonly Backoff backoff;
    private readonly Random random;
    private readonly object gate = new();
    private readonly LinkedList<TKey> ready = new();
    private readonly HashSet<TKey> queued = [];
    private readonly HashSet<TKey> processing = [];
    private readonly HashSet<TKey> dirty = [];
    private readonly Dictionary<TKey, int> failures = [];
    // Keys waiting for a time, on one timer set to the earliest: a timer per key cost about 250 bytes each, and a
    // fleet's every key waits (its next check or rotation step). A key whose time moved earlier leaves its old
    // entry in the heap; it is skipped when it comes up, since `due` no longer holds its time.
    private readonly PriorityQueue<TKey, DateTimeOffset> waiting = new();
    private readonly Dictionary<TKey, DateTimeOffset> due = [];
    private ITimer? timer;
    private DateTimeOffset? timerDue;
    private readonly SemaphoreSlim signal = new(0);

    public WorkQueue(
        Func<TKey, CancellationToken, Task<ReconcileOutcome>> reconcile,
        TimeProvider time,
        Backoff? backoff = null,
        int seed = 0
    )
    {
        this.reconcile = reconcile;
        this.time = time;
        this.backoff = backoff ?? Backoff.Default;
        random = seed == 0 ? Random.Shared : new Random(seed);
    }

    private long reconciles;

    /// <summary>How many reconciles have started: the cost side of every trigger (watch, requeue, retry, check).</summary>
    public long Reconciles => Interlocked.Read(ref reconciles);

    /// <summary>True when no key is waiting to run or running (keys due later on a timer do not count).</summary>
    public bool Idle
    {
        get
        {
            lock (gate)
            {
                return ready.Count == 0 && processing.Count == 0;
            }
        }
    }

    /// <summary>Raised after each failed reconcile with the key, the failure count and the delay chosen.</summary>
    public event Action<TKey, int, TimeSpan, Exception>? Failed;

    public void Add(TKey key)
    {
        lock (gate)
        {
            if (processing.Contains(key))
            {
                dirty.Add(key);
                return;
            }

            if (queued.Add(key))
            {
                ready.AddLast(key);
                signal.Release();
            }
        }
    }

    /// <summary>Adds the key after a delay; an earlier request for the same key wins over a later one.</summary>
    public void AddAfter(TKey key, TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            Add(key);
            return;
        }

        var now = time.GetUtcNow();
        var at = now + delay;
        lock (gate)
        {
            if (due.TryGetValue(key, out var existing) && existing <= at)
            {
                return;
            }

            due[key] = at;
            waiting.Enqueue(key, at);
            ArmTimer(now);
        }
    }

    /// <summary>Points the timer at the earliest waiting key (under the gate).</summary>
    private void ArmTimer(DateTimeOffset now)
    {
        while (waiting.TryPeek(out var key, out var at) && (!due.TryGetValue(key, out var current) || current != at))
        {
            waiting.Dequeue();
        }

        if (!waiting.TryPeek(out _, out var next))
        {
            timerDue = null;
            timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            return;
        }

        if (timerDue == next)
        {
            return;
        }

        timerDue = next;
        // The timer runs on the monotonic clock, `now` on the wall clock: a key already due fires after a millisecond.
        var delay = next - now > TimeSpan.Zero ? next - now : TimeSpan.FromMilliseconds(1);
        if (timer is null)
        {
            timer = time.CreateTimer(_ => FireDue(), null, delay, Timeout.InfiniteTimeSpan);
        }
        else
        {
            timer.Change(delay, Timeout.InfiniteTimeSpan);
        }
    }

    private void FireDue()
    {
        List<TKey> fired = [];
        lock (gate)
        {
            var now = time.GetUtcNow();
            while (waiting.TryPeek(out var key, out var at) && at <= now)
            {
                waiting.Dequeue();
                if (due.TryGetValue(key, out var current) && current == at)
                {
                    due.Remove(key);
                    fired.Add(key);
                }
            }

            timerDue = null;
            ArmTimer(now);
        }

        foreach (var key in fired)
        {
            Add(key);
        }
    }

    /// <summary>Raised when stopping, with the number of reconciles then under way.</summary>
    public event Action<int>? Stopping;

    /// <summary>
    /// Runs the workers until <paramref name="stopping"/> is cancelled; reconciles under way then have
    /// <paramref name="grace"/> (none if omitted) to finish before their own token is cancelled too.
    /// </summary>
    public async Task RunAsync(int workers, CancellationToken stopping, TimeSpan? grace = null)
    {
        using var abort = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        await using var registration = stopping
            .Register(() =>
            {
                int underWay;
                lock (gate)
                {
                    underWay = processing.Count;
                }

                Stopping?.Invoke(underWay);
                if (grace is { } g && g > TimeSpan.Zero)
                {
                    abort.CancelAfter(g);
                }
                else
                {
                    abort.Cancel();
                }
            })
            .ConfigureAwait(false);
        await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => WorkerAsync(stopping, abort.Token))).ConfigureAwait(false);
    }

    private async Task WorkerAsync(CancellationToken stopping, CancellationToken cancellationToken)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await signal.WaitAsync(stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            TKey key;
            lock (gate)
            {
                if (ready.First is not { } first)
                {
                    continue;
                }

                key = first.Value;
                ready.RemoveFirst();
                queued.Remove(key);
                processing.Add(key);
            }

            ReconcileOutcome? outcome = null;
            Exception? error = null;
            try
            {
                Interlocked.Increment(ref reconciles);
                outcome = await reconcile(key, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Shutting down: the key is abandoned as it is; the next leader picks it up from the API.
            }
            catch (Exception e)
            {
                error = e;
            }

            bool again;
            lock (gate)
            {
                processing.Remove(key);
                again = dirty.Remove(key);
                if (error is null)
                {
                    failures.Remove(key);
                }
            }

            if (error is not null)
            {
                int count;
                lock (gate)
                {
                    count = failures[key] = failures.GetValueOrDefault(key) + 1;
                }

                var delay = backoff.Delay(count, random.NextDouble());
                Failed?.Invoke(key, count, delay, error);
                AddAfter(key, delay);
            }
            else if (again)
            {
                Add(key);
            }
            else if (outcome is ReconcileOutcome.RequeueOutcome requeue)
            {
                AddAfter(key, requeue.When - time.GetUtcNow());
            }
        }
    }
}
