using System.Diagnostics;
using System.Net;
using System.Text;
using DnsClient;

namespace MailDns.Testing;

/// <summary>
/// A DNS server process the tests start (named or knotd) on 127.0.0.1: its output kept for failure messages,
/// ready once it answers the zone's SOA, stopped by PID and its directory removed when disposed.
/// </summary>
public abstract class DnsServerProcess : IDisposable
{
    private Process? process;

    protected DnsServerProcess(string zone)
    {
        Zone = zone;
        Port = FreePort();
    }

    public string Zone { get; }

    public int Port { get; }

    public StringBuilder Log { get; } = new();

    public IPEndPoint Endpoint => new(IPAddress.Loopback, Port);

    protected TempDir Dir { get; } = new();

    /// <summary>
    /// The named.conf options every test BIND shares (loopback only, its own directory); role adds the rest. The UDP
    /// receive buffer is raised from the kernel's default (208 KB, about 270 queries) because the health and blocklist
    /// benchmarks send hundreds of queries at once: the kernel dropped the overflow (UdpRcvbufErrors), and each drop
    /// stood for the client's 2-second timeout in a pass. The kernel caps it at net.core.rmem_max.
    /// </summary>
    protected string NamedOptions(string role) =>
        $$"""
        options {
          directory "{{Dir.Path}}";
          pid-file "{{Dir.Path}}/named.pid";
          session-keyfile "{{Dir.Path}}/session.key";
          managed-keys-directory "{{Dir.Path}}";
          listen-on port {{Port}} { 127.0.0.1; };
          listen-on-v6 { none; };
          notify no;
          dnssec-validation no;
          udp-receive-buffer 4194304;
        {{role}}
        };
        controls { };

        """;

    /// <summary>Whether the server is asked with recursion desired (a resolver) or not (an authoritative server).</summary>
    protected virtual bool Recursive => false;

    public LookupClient Client() =>
        new(
            new LookupClientOptions(Endpoint)
            {
                UseCache = false,
                Recursion = Recursive,
                Timeout = TimeSpan.FromSeconds(2),
                Retries = 2,
            }
        );

    /// <summary>The zone's SOA serial as served: an RFC 2136 primary bumps it once per UPDATE message that changed the zone.</summary>
    public uint Serial() => Client().Query(Zone, QueryType.SOA).Answers.SoaRecords().Single().Serial;

    /// <summary>A port free for both UDP and TCP on 127.0.0.1 (a DNS server needs both).</summary>
    public static int FreePort()
    {
        for (var attempt = 1; ; attempt++)
        {
            using var udp = new System.Net.Sockets.UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
            var port = ((IPEndPoint)udp.Client.LocalEndPoint!).Port;
            using var tcp = new System.Net.Sockets.TcpListener(IPAddress.Loopback, port);
            try
            {
                tcp.Start();
                tcp.Stop();
                return port;
            }
            catch (System.Net.Sockets.SocketException) when (attempt < 100)
            {
                // the UDP port is free but a TCP connection holds the same number (many are open in a full run): another
            }
        }
    }

    private (string Program, string[] Args)? started;

    /// <summary>An outage: the server process is killed; its files (zone, journal) stay for <see cref="Restart"/>.</summary>
    public void Stop()
    {
        if (process is { HasExited: false })
        {
            process.Kill();
            process.WaitForExit(10_000);
        }

        process?.Dispose();
        process = null;
    }

    /// <summary>
    /// The CPU the server has used so far: on a machine's few cores a benchmark's client and the server share, so a client's
    /// wall time is read beside both processes' CPU.
    /// </summary>
    public TimeSpan ProcessorTime => process is { HasExited: false } running ? running.TotalProcessorTime : TimeSpan.Zero;

    /// <summary>The server back on the same port with the same files, as after a reboot.</summary>
    public void Restart()
    {
        var (program, args) = started ?? throw new InvalidOperationException("never started");
        Start(program, args);
    }

    protected void Start(string program, params string[] args)
    {
        started = (program, args);
        var name = Path.GetFileName(program);
        process =
            Process.Start(
                new ProcessStartInfo(File.Exists(program) ? program : name, args)
                {
                    RedirectStandardError = true,
                    RedirectStandardOutput = true,
                }
            ) ?? throw new InvalidOperationException($"{name} did not start");
        process.ErrorDataReceived += (_, e) =>
        {
            lock (Log)
            {
                Log.AppendLine(e.Data);
            }
        };
        process.OutputDataReceived += (_, e) =>
        {
            lock (Log)
            {
                Log.AppendLine(e.Data);
            }
        };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var client = Client();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{name} exited with {process.ExitCode}: {Log}");
            }

            try
            {
                if (client.Query(Zone, QueryType.SOA).Answers.Count > 0)
                {
                    return;
                }
            }
            catch (DnsResponseException) { }

            Thread.Sleep(50); // polling a starting server; not a test delay
        }

        throw new TimeoutException($"{name} did not answer within 30 s: {Log}");
    }

    public void Dispose()
    {
        try
        {
            if (process is { HasExited: false })
            {
                process.Kill();
                process.WaitForExit(10_000);
            }
        }
        finally
        {
            process?.Dispose();
            Dir.Dispose();
        }
    }
}
