using System.Globalization;

namespace MailDns.Core.Dkim.Rotation;

/// <summary>Selectors are &lt;prefix&gt;&lt;yyyyMMdd&gt;, then -2, -3... when one day needs more; never one used before.</summary>
public static class SelectorNames
{
    public static string Next(string prefix, DateTimeOffset now, IReadOnlySet<string> used)
    {
        var day = prefix + now.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        if (!used.Contains(day))
        {
            return day;
        }

        for (var n = 2; ; n++)
        {
            var candidate = $"{day}-{n}";
            if (!used.Contains(candidate))
            {
                return candidate;
            }
        }
    }
}
