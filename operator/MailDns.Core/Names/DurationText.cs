using System.Globalization;
using System.Text.RegularExpressions;

namespace MailDns.Core.Names;

/// <summary>
/// Durations as the API writes them: a sequence of a whole number and a unit (ms, s, m, h, d, w), such as
/// "90d" or "1h30m". Go's time.ParseDuration stops at hours; mail people think in days and weeks.
/// </summary>
public static partial class DurationText
{
    [GeneratedRegex("^(?:[0-9]+(?:ms|s|m|h|d|w))+$")]
    private static partial Regex WholeRegex();

    [GeneratedRegex("([0-9]+)(ms|s|m|h|d|w)")]
    private static partial Regex PartRegex();

    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrEmpty(text) || text.Length > 64 || !WholeRegex().IsMatch(text))
        {
            return false;
        }

        double ms = 0;
        foreach (Match m in PartRegex().Matches(text))
        {
            var n = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            ms +=
                n
                * m.Groups[2].Value switch
                {
                    "ms" => 1,
                    "s" => 1000,
                    "m" => 60_000,
                    "h" => 3_600_000,
                    "d" => 86_400_000,
                    _ => 7 * 86_400_000.0,
                };
        }

        if (ms > TimeSpan.MaxValue.TotalMilliseconds / 2)
        {
            return false;
        }

        duration = TimeSpan.FromMilliseconds(ms);
        return true;
    }

    public static TimeSpan ParseOr(string? text, string fallback) =>
        TryParse(text, out var d) ? d
        : TryParse(fallback, out var f) ? f
        : throw new ArgumentException($"bad default duration {fallback}");

    /// <summary>Short form for messages: 90d, 36h, 15m, 30s.</summary>
    public static string Format(TimeSpan d) =>
        d.TotalDays >= 1 && d.TotalDays == Math.Floor(d.TotalDays) ? $"{d.TotalDays:0}d"
        : d.TotalHours >= 1 && d.TotalHours == Math.Floor(d.TotalHours) ? $"{d.TotalHours:0}h"
        : d.TotalMinutes >= 1 && d.TotalMinutes == Math.Floor(d.TotalMinutes) ? $"{d.TotalMinutes:0}m"
        : $"{d.TotalSeconds:0.###}s";
}
