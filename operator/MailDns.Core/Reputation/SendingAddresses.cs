using System.Net;
using System.Net.Sockets;
using System.Numerics;

namespace MailDns.Core.Reputation;

/// <summary>The addresses to check and the networks too wide to check one address at a time.</summary>
public sealed record AddressExpansion(IReadOnlyList<IPAddress> Addresses, IReadOnlyList<string> NotExpanded);

/// <summary>
/// Every sending address a domain declares: its SPF ip4/ip6 networks and the extra addresses of spec.reputation (senders
/// behind an include). A network is expanded address by address up to a /24 (IPv4) or a /120 (IPv6), 256 addresses;
/// a wider one is reported as not expanded rather than silently cut, and so is anything past
/// <see cref="MaxAddresses"/> in all.
/// </summary>
public static class SendingAddresses
{
    public const int WidestIp4Prefix = 24;
    public const int WidestIp6Prefix = 120;
    public const int MaxAddresses = 4096;

    public static AddressExpansion Expand(IEnumerable<string> networks)
    {
        var addresses = new List<IPAddress>();
        var seen = new HashSet<IPAddress>();
        var notExpanded = new List<string>();
        foreach (var text in networks.Select(n => n.Trim()).Where(n => n.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            if (!TryParse(text, out var network))
            {
                notExpanded.Add($"{text}: not an address or network");
                continue;
            }

            var v4 = network.BaseAddress.AddressFamily == AddressFamily.InterNetwork;
            var widest = v4 ? WidestIp4Prefix : WidestIp6Prefix;
            if (network.PrefixLength < widest)
            {
                notExpanded.Add($"{text}: wider than /{widest}");
                continue;
            }

            var count = 1 << ((v4 ? 32 : 128) - network.PrefixLength);
            if (addresses.Count + count > MaxAddresses)
            {
                notExpanded.Add($"{text}: past {MaxAddresses} addresses in all");
                continue;
            }

            foreach (var address in Enumerate(network, count).Where(seen.Add))
            {
                addresses.Add(address);
            }
        }

        return new AddressExpansion(addresses, notExpanded);
    }

    private static bool TryParse(string text, out IPNetwork network)
    {
        var slash = text.IndexOf('/');
        var address = Targets.AsAddress(slash < 0 ? text : text[..slash]);
        var bits = address?.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var prefix = bits;
        network = default;
        if (
            address is null
            || (
                slash >= 0
                && (!int.TryParse(text[(slash + 1)..], System.Globalization.NumberStyles.None, null, out prefix) || prefix > bits)
            )
        )
        {
            return false;
        }

        // The network of the address (SPF allows host bits set: ip4:192.0.2.7/24 means 192.0.2.0/24, RFC 7208 §5.6).
        network = new IPNetwork(Masked(address, prefix), prefix);
        return true;
    }

    private static IPAddress Masked(IPAddress address, int prefix)
    {
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var keep = Math.Clamp(prefix - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - keep));
        }

        return new IPAddress(bytes);
    }

    private static IEnumerable<IPAddress> Enumerate(IPNetwork network, int count)
    {
        var bytes = network.BaseAddress.GetAddressBytes();
        var start = new BigInteger(bytes, isUnsigned: true, isBigEndian: true);
        for (var i = 0; i < count; i++)
        {
            var value = (start + i).ToByteArray(isUnsigned: true, isBigEndian: true);
            var padded = new byte[bytes.Length];
            value.CopyTo(padded, padded.Length - value.Length);
            yield return new IPAddress(padded);
        }
    }
}
