using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace MailDns.Core.Names;

/// <summary>host, host:port, or [ipv6]:port, as nameservers and RFC 2136 servers are written.</summary>
public static partial class HostPort
{
    [GeneratedRegex("^(?:\\[(?<v6>[0-9A-Fa-f:.]+)\\]|(?<host>[A-Za-z0-9.-]+))(?::(?<port>[0-9]{1,5}))?$")]
    private static partial Regex Pattern();

    public static bool TryParse(string text, int defaultPort, out string host, out int port)
    {
        host = "";
        port = defaultPort;
        var m = Pattern().Match(text);
        if (!m.Success)
        {
            return false;
        }

        if (m.Groups["v6"].Success)
        {
            if (!IPAddress.TryParse(m.Groups["v6"].Value, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                return false;
            }

            host = m.Groups["v6"].Value;
        }
        else
        {
            host = m.Groups["host"].Value;
            if (host.StartsWith('.') || host.EndsWith('-') || host.Contains("..", StringComparison.Ordinal))
            {
                return false;
            }
        }

        if (m.Groups["port"].Success)
        {
            port = int.Parse(m.Groups["port"].Value, CultureInfo.InvariantCulture);
            if (port is < 1 or > 65535)
            {
                return false;
            }
        }

        return true;
    }
}
