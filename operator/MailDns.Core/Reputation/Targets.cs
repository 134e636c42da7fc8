using System.Net;
using System.Net.Sockets;
using MailDns.Core.Names;
using MailDns.Core.Spf;

namespace MailDns.Core.Reputation;

/// <summary>What a reputation check is about: sending addresses and domain names, told apart strictly.</summary>
public static class Targets
{
    /// <summary>
    /// The address a target names, or null for a domain. Strict: four decimal octets or an IPv6 literal, so that a domain
    /// label of digits is never read as the address .NET's lenient parser would make of it ("123" is not 0.0.0.123).
    /// </summary>
    public static IPAddress? AsAddress(string target)
    {
        var text = target.Trim();
        if (text.Contains(':'))
        {
            return IPAddress.TryParse(text, out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6 && v6.ScopeId == 0 ? v6 : null;
        }

        return SpfParser.IsIp4(text) ? IPAddress.Parse(text) : null;
    }

    public static ListKind KindOf(string target) => AsAddress(target) is null ? ListKind.Domain : ListKind.Ip;

    /// <summary>Why the text is neither an address nor a domain name, or null when it is one of them.</summary>
    public static string? Invalid(string target) =>
        AsAddress(target) is not null || (DomainName.IsValidDnsName(DomainName.Normalize(target)) && target.Contains('.'))
            ? null
            : $"'{target}' is neither an IP address nor a domain name";

    /// <summary>The canonical text of a target: the address as .NET prints it (IPv6 compressed, lower case), or the
    /// normalized name.</summary>
    public static string Canonical(string target) => AsAddress(target)?.ToString() ?? DomainName.Normalize(target);
}
