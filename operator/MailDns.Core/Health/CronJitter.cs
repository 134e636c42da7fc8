using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace MailDns.Core.Health;

/// <summary>
/// Spreads the checks of many domains over their interval, so ten thousand domains on "every 15 minutes" do not
/// all query DNS in the same second. The offset is derived from the domain's key, so it is the same on every
/// restart and on every replica. Only literal fields are moved: a seconds field of one number is replaced by
/// 0–59, a minutes field of the form "N/STEP" (or "0/STEP", "*/STEP") by an offset below STEP, and the minutes
/// field "0" of an hourly schedule (hours "*") by 0–59; anything else is left as the user wrote it.
/// </summary>
public static class CronJitter
{
    public static string Spread(string cron, string key)
    {
        var fields = cron.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 6)
        {
            return cron;
        }

        var hash = BitConverter.ToUInt32(SHA256.HashData(Encoding.UTF8.GetBytes(key)), 0);
        if (int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            fields[0] = (hash % 60).ToString(CultureInfo.InvariantCulture);
        }

        var slash = fields[1].IndexOf('/', StringComparison.Ordinal);
        if (
            slash > 0
            && (fields[1][..slash] == "*" || int.TryParse(fields[1][..slash], NumberStyles.None, CultureInfo.InvariantCulture, out _))
            && int.TryParse(fields[1][(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var step)
            && step is > 1 and <= 60
        )
        {
            fields[1] = $"{hash / 60 % (uint)step}/{step}";
        }
        else if (fields[1] == "0" && fields[2] == "*")
        {
            fields[1] = (hash / 60 % 60).ToString(CultureInfo.InvariantCulture);
        }

        return string.Join(' ', fields);
    }
}
