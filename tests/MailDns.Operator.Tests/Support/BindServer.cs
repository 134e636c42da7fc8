using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using DnsClient;

namespace MailDns.Operator.Tests.Support;

/// <summary>
/// A real BIND 9 (named) serving one zone on 127.0.0.1 at a free high port, accepting TSIG-signed dynamic
/// updates (hmac-sha256). Started by the test, stopped by PID when disposed. tests/run.sh installs bind9.
/// </summary>
public sealed class BindServer : IDisposable
{
    private readonly Process process;
    private readonly TempDir dir = new();

    public BindServer(string zone)
        : this([(zone, "")])
    {
    }

    /// <summary>Several zones, each with extra records in zone-file syntax (relative names are under the zone).</summary>
    public BindServer(IReadOnlyList<(string Zone, string Records)> zones, string algorithm = "hmac-sha256")
    {
        Zone = zones[0].Zone;
        Port = FreePort();
        KeyName = "maildns-test";
        Algorithm = algorithm;
        Secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        KeyFile = dir.Write("tsig.key", $"key \"{KeyName}\" {{ algorithm {algorithm}; secret \"{Secret}\"; }};\n");
        var declarations = new StringBuilder();
        foreach (var (name, records) in zones)
        {
            dir.Write(name + ".zone", $"$TTL 300\n@ IN SOA ns1.{name}. hostmaster.{name}. 1 3600 600 86400 60\n@ IN NS ns1.{name}.\nns1 IN A 127.0.0.1\n{records}\n");
            declarations.Append($$"""
                zone "{{name}}" {
                  type primary;
                  file "{{dir.Path}}/{{name}}.zone";
                  update-policy { grant {{KeyName}} zonesub ANY; };
                };

                """);
        }

        var conf = dir.Write("named.conf", $$"""
            options {
              directory "{{dir.Path}}";
              pid-file "{{dir.Path}}/named.pid";
              session-keyfile "{{dir.Path}}/session.key";
              managed-keys-directory "{{dir.Path}}";
              listen-on port {{Port}} { 127.0.0.1; };
              listen-on-v6 { none; };
              recursion no;
              notify no;
              dnssec-validation no;
              allow-transfer { none; };
            };
            controls { };
            include "{{KeyFile}}";
            {{declarations}}
            """);
        var named = File.Exists("/usr/sbin/named") ? "/usr/sbin/named" : "named";
        var psi = new ProcessStartInfo(named, ["-g", "-n", "1", "-c", conf]) { RedirectStandardError = true, RedirectStandardOutput = true };
        process = Process.Start(psi) ?? throw new InvalidOperationException("named did not start");
        Log = new StringBuilder();
        process.ErrorDataReceived += (_, e) => { lock (Log) { Log.AppendLine(e.Data); } };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        WaitUntilAnswering();
    }

    public string Zone { get; }

    public int Port { get; }

    public string KeyName { get; }

    public string Algorithm { get; }

    /// <summary>The TSIG secret (base64), for tests that sign updates themselves.</summary>
    public string Secret { get; }

    /// <summary>A key file (nsupdate -k), so the TSIG secret never appears in a command line.</summary>
    public string KeyFile { get; }

    public StringBuilder Log { get; }

    public IPEndPoint Endpoint => new(IPAddress.Loopback, Port);

    public LookupClient Client() => new(new LookupClientOptions(Endpoint) { UseCache = false, Recursion = false, Timeout = TimeSpan.FromSeconds(2), Retries = 2 });

    /// <summary>Runs an nsupdate script (TSIG-signed) against this server.</summary>
    public void Update(string commands)
    {
        var psi = new ProcessStartInfo("nsupdate", ["-k", KeyFile]) { RedirectStandardInput = true, RedirectStandardError = true, RedirectStandardOutput = true };
        using var nsupdate = Process.Start(psi)!;
        nsupdate.StandardInput.Write($"server 127.0.0.1 {Port}\nzone {Zone}\n{commands}send\n");
        nsupdate.StandardInput.Close();
        var error = nsupdate.StandardError.ReadToEnd();
        if (!nsupdate.WaitForExit(30_000) || nsupdate.ExitCode != 0)
        {
            throw new InvalidOperationException($"nsupdate failed ({nsupdate.ExitCode}): {error}");
        }
    }

    private void WaitUntilAnswering()
    {
        var client = Client();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"named exited with {process.ExitCode}: {Log}");
            }

            try
            {
                if (client.Query(Zone, QueryType.SOA).Answers.Count > 0)
                {
                    return;
                }
            }
            catch (DnsResponseException)
            {
            }

            Thread.Sleep(50); // polling a starting server; not a test delay
        }

        throw new TimeoutException($"named did not answer within 30 s: {Log}");
    }

    public static int FreePort()
    {
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)udp.Client.LocalEndPoint!).Port;
        using var tcp = new TcpListener(IPAddress.Loopback, port);
        tcp.Start();
        tcp.Stop();
        return port;
    }

    public void Dispose()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill();
                process.WaitForExit(10_000);
            }
        }
        finally
        {
            process.Dispose();
            dir.Dispose();
        }
    }
}
