using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace MailDns.Testing;

/// <summary>
/// A real BIND 9 (named) serving one zone on 127.0.0.1 at a free high port, accepting TSIG-signed dynamic
/// updates (hmac-sha256). Started by the test, stopped by PID when disposed. tests/run.sh installs bind9.
/// </summary>
public sealed class BindServer : DnsServerProcess
{
    public BindServer(string zone)
        : this([(zone, "")]) { }

    /// <summary>Several zones, each with extra records in zone-file syntax (relative names are under the zone).</summary>
    public BindServer(IReadOnlyList<(string Zone, string Records)> zones, string algorithm = "hmac-sha256")
        : base(zones[0].Zone)
    {
        KeyName = "maildns-test";
        Algorithm = algorithm;
        Secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        KeyFile = Dir.Write("tsig.key", $"key \"{KeyName}\" {{ algorithm {algorithm}; secret \"{Secret}\"; }};\n");
        Zones = zones.Select(z => z.Zone).ToList();
        var declarations = new StringBuilder();
        foreach (var (name, records) in zones)
        {
            Dir.Write(
                name + ".zone",
                $"$TTL 300\n@ IN SOA ns1.{name}. hostmaster.{name}. 1 3600 600 86400 60\n@ IN NS ns1.{name}.\nns1 IN A "
                    + $"127.0.0.1\n{records}\n"
            );
            declarations.Append(
                $$"""
                zone "{{name}}" {
                  type primary;
                  file "{{Dir.Path}}/{{name}}.zone";
                  update-policy { grant {{KeyName}} zonesub ANY; };
                };

                """
            );
        }

        var conf = Dir.Write(
            "named.conf",
            NamedOptions("  recursion no;\n  allow-transfer { none; };")
                + $$"""
            include "{{KeyFile}}";
            {{declarations}}
            """
        );
        Start("/usr/sbin/named", "-g", "-n", "1", "-c", conf);
    }

    public string KeyName { get; }

    public IReadOnlyList<string> Zones { get; }

    public string Algorithm { get; }

    /// <summary>The TSIG secret (base64), for tests that sign updates themselves.</summary>
    public string Secret { get; }

    /// <summary>A key file (nsupdate -k), so the TSIG secret never appears in a command line.</summary>
    public string KeyFile { get; }

    /// <summary>Runs an nsupdate script (TSIG-signed) against this server.</summary>
    public void Update(string commands)
    {
        var psi = new ProcessStartInfo("nsupdate", ["-k", KeyFile])
        {
            RedirectStandardInput = true,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using var nsupdate = Process.Start(psi)!;
        nsupdate.StandardInput.Write($"server 127.0.0.1 {Port}\nzone {Zone}\n{commands}send\n");
        nsupdate.StandardInput.Close();
        var error = nsupdate.StandardError.ReadToEnd();
        if (!nsupdate.WaitForExit(30_000) || nsupdate.ExitCode != 0)
        {
            throw new InvalidOperationException($"nsupdate failed ({nsupdate.ExitCode}): {error}");
        }
    }
}
