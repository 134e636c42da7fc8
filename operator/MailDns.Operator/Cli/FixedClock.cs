using System.Globalization;

namespace MailDns.Operator.Cli;

/// <summary>
/// The clock of <c>--now TIME</c>: every decision sees this instant, so a rotation can be watched step by step
/// without waiting days. Elapsed-time measurement still uses the real clock.
/// </summary>
public sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now.ToUniversalTime();

    /// <summary>An ISO-8601 time with a zone (2026-03-01T09:00:00Z), or null.</summary>
    public static DateTimeOffset? Parse(string text) =>
        DateTimeOffset.TryParse(
            text,
            CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal,
            out var at
        )
            ? at
            : null;
}
