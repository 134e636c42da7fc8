namespace MailDns.Core.Operations;

/// <summary>
/// How long to wait before retrying a key that failed N times in a row: exponential
/// from <c>initial</c>, capped, with jitter in [0.5, 1.5) so that many keys failing together (an API server
/// restart) do not retry together. Pure: the random draw is an argument.
/// </summary>
public sealed record Backoff(TimeSpan Initial, TimeSpan Cap)
{
    public static Backoff Default { get; } = new(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5));

    public TimeSpan Delay(int failures, double random)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(failures);
        var exponent = Math.Min(Math.Max(failures - 1, 0), 30);
        var raw = Math.Min(Initial.TotalMilliseconds * Math.Pow(2, exponent), Cap.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(Math.Min(raw * (0.5 + random), Cap.TotalMilliseconds));
    }
}
