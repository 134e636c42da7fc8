using System.Net;
using System.Net.Sockets;
using System.Text;
using MailDns.Core.Names;

namespace MailDns.Core.Reputation;

/// <summary>
/// The name a list is asked for. An IPv4 address is its octets reversed (RFC 5782 §2.1), an IPv6 address its 32 nibbles
/// reversed (RFC 5782 §2.4), a domain its own name (RFC 5782 §2.2); each under the list's zone. The reversed forms are
/// also the PTR names of the address (RFC 1035 §3.5, RFC 3596 §2.5).
/// </summary>
public static class ListQueryName
{
    public static string Of(string target, string zone) => $"{Reversed(target) ?? DomainName.Normalize(target)}.{zone}";

    /// <summary>The PTR name of an address: in-addr.arpa or ip6.arpa.</summary>
    public static string Ptr(IPAddress address) =>
        Reversed(address) + (address.AddressFamily == AddressFamily.InterNetwork ? ".in-addr.arpa" : ".ip6.arpa");

    /// <summary>The reversed octets or nibbles of an address, or null when the target is a domain.</summary>
    public static string? Reversed(string target) => Targets.AsAddress(target) is { } ip ? Reversed(ip) : null;

    public static string Reversed(IPAddress address)
    {
        var bytes = address.GetAddressBytes();
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return $"{bytes[3]}.{bytes[2]}.{bytes[1]}.{bytes[0]}";
        }

        var text = new StringBuilder(64);
        for (var i = bytes.Length - 1; i >= 0; i--)
        {
            text.Append(Nibble(bytes[i] & 0xF)).Append('.').Append(Nibble(bytes[i] >> 4)).Append('.');
        }

        return text.ToString(0, text.Length - 1);
    }

    private static char Nibble(int value) => (char)(value < 10 ? '0' + value : 'a' + value - 10);
}
