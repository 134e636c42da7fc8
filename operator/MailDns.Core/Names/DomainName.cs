using System.Text.RegularExpressions;

namespace MailDns.Core.Names;

/// <summary>Domain-name rules shared by the validators and the record synthesis.</summary>
public static partial class DomainName
{
    [GeneratedRegex("^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\\.)+[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")]
    private static partial Regex Rfc1123Regex();

    [GeneratedRegex("^([A-Za-z0-9_]([-A-Za-z0-9_]{0,61}[A-Za-z0-9])?\\.)*[A-Za-z0-9_]([-A-Za-z0-9_]{0,61}[A-Za-z0-9])?$")]
    private static partial Regex HostnameWithUnderscoresRegex();

    /// <summary>A lower-case RFC 1123 name with at least two labels, at most 253 octets.</summary>
    public static bool IsValidSendingDomain(string name) => name.Length <= 253 && Rfc1123Regex().IsMatch(name);

    /// <summary>A DNS name as used in SPF includes and report destinations: underscores allowed.</summary>
    public static bool IsValidDnsName(string name) =>
        name.TrimEnd('.').Length is > 0 and <= 253 && HostnameWithUnderscoresRegex().IsMatch(name.TrimEnd('.'));

    /// <summary>Trimmed, without trailing dots, lower case; a name already so is returned as it is.</summary>
    public static string Normalize(string name) => LowerCase.Of(name.Trim().TrimEnd('.'));

    /// <summary>True when <paramref name="name"/> is <paramref name="zone"/> or below it.</summary>
    public static bool IsInZone(string name, string zone)
    {
        var n = Normalize(name);
        var z = Normalize(zone);
        return n == z || n.EndsWith("." + z, StringComparison.Ordinal);
    }

    /// <summary>The owner name relative to the zone origin, "@" for the apex.</summary>
    public static string RelativeTo(string name, string zone)
    {
        var n = Normalize(name);
        var z = Normalize(zone);
        if (n == z)
        {
            return "@";
        }

        return n.EndsWith("." + z, StringComparison.Ordinal) ? n[..^(z.Length + 1)] : n + ".";
    }

    /// <summary>The organisational domain by the shipped Public Suffix List: mail.example.co.uk belongs to example.co.uk.</summary>
    public static string Organizational(string domain) => PublicSuffixList.Default.OrganizationalDomain(domain);

    public static string Fqdn(string name) => Normalize(name) + ".";
}
