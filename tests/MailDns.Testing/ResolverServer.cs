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
            $$"""
            options {
              directory "{{Dir.Path}}";
              pid-file "{{Dir.Path}}/named.pid";
              session-keyfile "{{Dir.Path}}/session.key";
              managed-keys-directory "{{Dir.Path}}";
              listen-on port {{Port}} { 127.0.0.1; };
              listen-on-v6 { none; };
              recursion yes;
              allow-recursion { 127.0.0.1; };
              allow-query-cache { 127.0.0.1; };
              max-cache-ttl 0;
              max-ncache-ttl 0;
              qname-minimization off;
              notify no;
              dnssec-validation no;
            };
            controls { };
            zone "." { type forward; forward only; forwarders { 127.0.0.1 port {{zones[0].Server.Port}}; }; };
            {{forwards}}
            """
        );
        Start("/usr/sbin/named", "-g", "-n", "1", "-c", conf);
    }

    protected override bool Recursive => true;
}
