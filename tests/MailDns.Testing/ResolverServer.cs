using System.Text;

namespace MailDns.Testing;

/// <summary>
/// A real recursive resolver on 127.0.0.1: BIND with recursion on, reaching each zone through a forward zone to the
/// loopback server that holds it (the Internet of the test). It follows CNAMEs across zones, caches nothing that
/// matters to a test (max-cache-ttl 0) and answers REFUSED for nothing, as the resolver a receiving MTA uses would.
/// </summary>
public sealed class ResolverServer : DnsServerProcess
{
    public ResolverServer(IReadOnlyList<(string Zone, DnsServerProcess Server)> zones)
        : base(zones[0].Zone)
    {
        var forwards = new StringBuilder();
        foreach (var (zone, server) in zones)
        {
            forwards.Append(
                $$"""
                zone "{{zone}}" { type forward; forward only; forwarders { 127.0.0.1 port {{server.Port}}; }; };

                """
            );
        }

        var conf = Dir.Write(
            "named.conf",
            NamedOptions(
                    "  recursion yes;\n  allow-recursion { 127.0.0.1; };\n  allow-query-cache { 127.0.0.1; };\n"
                        + "  max-cache-ttl 0;\n  max-ncache-ttl 0;\n  qname-minimization off;"
                )
                + $$"""
            zone "." { type forward; forward only; forwarders { 127.0.0.1 port {{zones[0].Server.Port}}; }; };
            {{forwards}}
            """
        );
        Start("/usr/sbin/named", "-g", "-n", "1", "-c", conf);
    }

    protected override bool Recursive => true;
}
