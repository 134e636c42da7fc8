using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace MailDns.Testing;

/// <summary>
/// `maildns operator` as a child process (the maildns.dll beside the test assembly) against a test API server,
/// with its metrics on a loopback port and its output collected. Disposing kills it if it still runs.
/// </summary>
public sealed class OperatorProcess : IDisposable
{
    private readonly Process process;
    private readonly StringBuilder log = new();

    private OperatorProcess(Process process, Uri metrics)
    {
        this.process = process;
        Metrics = metrics;
    }

    public Uri Metrics { get; }

    public int Id => process.Id;

    public Process Process => process;

    public string Log
    {
        get
        {
            lock (log)
            {
                return log.ToString();
            }
        }
    }

    /// <summary>
    /// The environment the image gives the operator (the Dockerfile's ENV, which a test holds to this), so what the
    /// tests and benchmarks run is what ships. MALLOC_ARENA_MAX=2: glibc otherwise gives threads up to 8 malloc
    /// arenas per core, and the native heap (runtime, sockets) of a long run kept growing in them, about 20 MB
    /// in 10 minutes of scheduled checks, while the managed heap stayed flat. DOTNET_GCgen0size: a fixed 16 MB gen0
    /// budget, where the collector would size it from the host's L3 cache (about 80 MB on a 260 MiB L3).
    /// </summary>
    public static IReadOnlyDictionary<string, string> ImageEnvironment { get; } =
        new Dictionary<string, string> { ["MALLOC_ARENA_MAX"] = "2", ["DOTNET_GCgen0size"] = "0x1000000" };

    public static OperatorProcess Start(Uri apiServer, string dataDir, params string[] extra) =>
        StartExecutable(null, apiServer, dataDir, extra);

    /// <summary>The operator from a published executable (the trimmed image's), or the maildns.dll beside the tests when null.</summary>
    public static OperatorProcess StartExecutable(string? executable, Uri apiServer, string dataDir, params string[] extra)
    {
        var metrics = new Uri($"http://127.0.0.1:{DnsServerProcess.FreePort()}/");
        var info = new ProcessStartInfo(executable ?? "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (name, value) in ImageEnvironment)
        {
            info.Environment[name] = value;
        }

        var program = executable is null ? new[] { Path.Combine(AppContext.BaseDirectory, "maildns.dll") } : [];
        var arguments = program
            .Concat(["operator", "--server", apiServer.ToString(), "--data-dir", dataDir, "--metrics-address", metrics.ToString()])
            .Concat(extra)
            // Never the public blocklists from a test: a test that checks reputation names its own lists and resolver.
            .Concat(extra.Contains("--blocklist") ? [] : ["--blocklist", "none"]);
        foreach (var arg in arguments)
        {
            info.ArgumentList.Add(arg);
        }

        var started = new OperatorProcess(Process.Start(info)!, metrics);
        started.process.OutputDataReceived += (_, e) => started.Append(e.Data);
        started.process.ErrorDataReceived += (_, e) => started.Append(e.Data);
        started.process.BeginOutputReadLine();
        started.process.BeginErrorReadLine();
        return started;
    }

    private void Append(string? line)
    {
        lock (log)
        {
            log.AppendLine(line);
        }
    }

    /// <summary>Resident memory (VmRSS) in MiB.</summary>
    public double ResidentMegabytes() => StatusMegabytes("VmRSS");

    /// <summary>
    /// A memory figure of /proc/PID/status in MiB: VmRSS is RssAnon (the heaps: managed, malloc, stacks) plus
    /// RssFile (pages of mapped files, such as the runtime's libraries and assemblies, touched so far).
    /// </summary>
    public double StatusMegabytes(string field) =>
        File.ReadLines($"/proc/{process.Id}/status")
            .Where(l => l.StartsWith(field + ":", StringComparison.Ordinal))
            .Select(l => double.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024)
            .Single();

    /// <summary>The sum of a metric's samples (all label sets) on the operator's /metrics.</summary>
    public async Task<double> ScrapeAsync(string name)
    {
        using var http = new HttpClient();
        var text = await http.GetStringAsync(new Uri(Metrics, "metrics"));
        return text.Split('\n')
            .Where(l => l.StartsWith(name + " ", StringComparison.Ordinal) || l.StartsWith(name + "{", StringComparison.Ordinal))
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
    }

    /// <summary>Sends a signal: 15 asks for a graceful stop, 9 stops it with no cleanup at all.</summary>
    public void Signal(int signal)
    {
        if (kill(process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }

        process.Dispose();
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}
