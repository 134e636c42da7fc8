using System.Text;
using MailDns.Core.Names;
using MailDns.Core.Txt;

namespace MailDns.Core.Records;

/// <summary>Renders records as a zone-file fragment with $ORIGIN, loadable by BIND and Knot.</summary>
public static class ZoneFragment
{
    public static string Render(string zone, IEnumerable<DesiredRecord> records)
    {
        var sb = new StringBuilder();
        sb.Append("$ORIGIN ").Append(DomainName.Fqdn(zone)).Append('\n');
        foreach (var group in records.GroupBy(r => r.Owner).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            sb.Append("; SendingDomain ").Append(group.Key).Append('\n');
            foreach (var record in group)
            {
                sb.Append(Line(zone, record)).Append('\n');
            }
        }

        return sb.ToString();
    }

    /// <summary>A line with the absolute owner name, usable in any zone file without $ORIGIN.</summary>
    public static string AbsoluteLine(DesiredRecord record) => $"{DomainName.Fqdn(record.Name)}\t{record.Ttl}\tIN\t{Data(record)}";

    public static string Line(string zone, DesiredRecord record) =>
        $"{DomainName.RelativeTo(record.Name, zone)}\t{record.Ttl}\tIN\t{Data(record)}";

    /// <summary>The type and data: a TXT's quoted character-strings, an SRV's four fields with an absolute target.</summary>
    public static string Data(DesiredRecord record) =>
        record.Type == RecordTypes.Srv ? $"SRV\t{record.Value}" : $"TXT\t{TxtStrings.Quote(record.Strings)}";
}
