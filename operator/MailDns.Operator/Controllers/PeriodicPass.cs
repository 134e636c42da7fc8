using Microsoft.Extensions.Logging;

namespace MailDns.Operator.Controllers;

/// <summary>
/// A pass run at an interval on the operator's <see cref="TimeProvider"/>, and at once when nudged (a report arrived,
/// a domain changed). A nudge during a pass runs one more pass after it; a failed pass is logged and the next one comes
/// at the interval, so the loop never dies of one failure.
/// </summary>
public sealed class PeriodicPass(string what, TimeSpan interval, TimeProvider time, ILogger logger)
{
    private TaskCompletionSource nudge = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Nudge() => Volatile.Read(ref nudge).TrySetResult();

    public async Task RunAsync(Func<CancellationToken, Task> pass, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            // Replaced before the pass, so a nudge that arrives while it runs wakes the wait below at once.
            Interlocked.Exchange(ref nudge, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            try
            {
                await pass(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning("{What} failed, tried again in {Seconds} s: {Error}", what, interval.TotalSeconds, e.Message);
            }

            // Yielding: a timer may complete the wait on the clock's own thread (a test clock's Advance), which must not
            // run the next pass inline.
            var delay = Task.Delay(interval, time, cancellationToken);
            await Task.WhenAny(delay, Volatile.Read(ref nudge).Task).ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
        }
    }
}
