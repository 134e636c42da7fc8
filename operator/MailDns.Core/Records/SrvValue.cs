using System.Globalization;
using MailDns.Core.Names;

namespace MailDns.Core.Records;

/// <summary>
/// One SRV record's data (RFC 2782) in the presentation form every store compares and writes:
/// "priority weight port target." with the target lower case and absolute, so a server's or provider's spelling of the
/// same record is never drift.
/// </summary>
public sealed record SrvValue(int Priority, int Weight, int Port, string Target)
{
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Priority} {Weight} {Port} {DomainName.Fqdn(Target)}");

    /// <summary>The canonical form of a value read back, or null when it is not four SRV fields.</summary>
    public static SrvValue? Parse(string text)
    {
        var fields = text.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (
            fields.Length != 4
            || !ushort.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var priority)
            || !ushort.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var weight)
            || !ushort.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var port)
        )
        {
            return null;
        }

        return new SrvValue(priority, weight, port, DomainName.Normalize(fields[3]));
    }

    /// <summary>A value in canonical form, or the text unchanged when it does not parse (it is then never equal to ours).</summary>
    public static string Canonical(string text) => Parse(text)?.ToString() ?? text;
}
