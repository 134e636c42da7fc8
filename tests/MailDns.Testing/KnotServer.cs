using System.Security.Cryptography;

namespace MailDns.Testing;

/// <summary>
/// A real Knot DNS (knotd) serving one zone on 127.0.0.1 at a free high port, accepting TSIG-signed dynamic
/// updates (an acl with action: update). Started by the test, stopped by PID. tests/run.sh installs knot.
/// </summary>
public sealed class KnotServer : DnsServerProcess
{
    public KnotServer(string zone, string algorithm = "hmac-sha256")
        : base(zone)
    {
        KeyName = "maildns-test";
        Algorithm = algorithm;
        Secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        Directory.CreateDirectory(System.IO.Path.Combine(Dir.Path, "db")); // knotd does not create its journal database
        Dir.Write(
            zone + ".zone",
            $"$TTL 300\n@ IN SOA ns1.{zone}. hostmaster.{zone}. 1 3600 600 86400 60\n@ IN NS ns1.{zone}.\nns1 IN A 127.0.0.1\n"
        );
        var conf = Dir.Write(
            "knot.conf",
            $"""
            server:
              listen: 127.0.0.1@{Port}
              rundir: "{Dir.Path}"
            database:
              storage: "{Dir.Path}/db"
            log:
              - target: stderr
                any: info
            key:
              - id: {KeyName}
                algorithm: {algorithm}
                secret: {Secret}
            acl:
              - id: update
                key: {KeyName}
                action: update
            template:
              - id: default
                storage: "{Dir.Path}"
                zonefile-sync: -1
                journal-content: all
            zone:
              - domain: {zone}
                file: {zone}.zone
                acl: update
            """
        );
        Start("/usr/sbin/knotd", "-c", conf);
    }

    public string KeyName { get; }

    public string Algorithm { get; }

    public string Secret { get; }
}
