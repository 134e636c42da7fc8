using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using DnsClient;

namespace MailDns.Operator.Tests.Support;

/// <summary>
/// A real Knot DNS (knotd) serving one zone on 127.0.0.1 at a free high port, accepting TSIG-signed dynamic
/// updates (an acl with action: update). Started by the test, stopped by PID. tests/run.sh installs knot.
/// </summary>
public sealed class KnotServer : IDisposable
{
    private readonly Process process;
    private readonly TempDir dir = new();

    public KnotServer(string zone, string algorithm = "hmac-sha256")
    {
        Zone = zone;
        Port = BindServer.FreePort();
        KeyName = "maildns-test";
        Algorithm = algorithm;
        Secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        Directory.CreateDirectory(System.IO.Path.Combine(dir.Path, "db")); // knotd does not create its journal database
        dir.Write(zone + ".zone", $"$TTL 300\n@ IN SOA ns1.{zone}. hostmaster.{zone}. 1 3600 600 86400 60\n@ IN NS ns1.{zone}.\nns1 IN A 127.0.0.1\n");
        var conf = dir.Write("knot.conf", $"""
            server:
              listen: 127.0.0.1@{Port}
              rundir: "{dir.Path}"
            database:
              storage: "{dir.Path}/db"
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
                storage: "{dir.Path}"
                zonefile-sync: -1
                journal-content: all
            zone:
              - domain: {zone}
                file: {zone}.zone
                acl: update
            """);
        var knotd = File.Exists("/usr/sbin/knotd") ? "/usr/sbin/knotd" : "knotd";
        process = Process.Start(new ProcessStartInfo(knotd, ["-c", conf]) { RedirectStandardError = true, RedirectStandardOutput = true })
            ?? throw new InvalidOperationException("knotd did not start");
        process.ErrorDataReceived += (_, e) => { lock (Log) { Log.AppendLine(e.Data); } };
        process.OutputDataReceived += (_, e) => { lock (Log) { Log.AppendLine(e.Data); } };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        WaitUntilAnswering();
    }

    public string Zone { get; }

    public int Port { get; }

    public string KeyName { get; }

    public string Algorithm { get; }

    public string Secret { get; }

    public StringBuilder Log { get; } = new();

    public IPEndPoint Endpoint => new(IPAddress.Loopback, Port);

    private void WaitUntilAnswering()
    {
        var client = new LookupClient(new LookupClientOptions(Endpoint) { UseCache = false, Recursion = false, Timeout = TimeSpan.FromSeconds(1), Retries = 0 });
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"knotd exited with {process.ExitCode}: {Log}");
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

        throw new TimeoutException($"knotd did not answer within 30 s: {Log}");
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
