using System.Diagnostics;
using Npgsql;

namespace MailDns.Testing;

/// <summary>
/// A private PostgreSQL cluster from Debian's package (tests/install.sh), started on 127.0.0.1 in a temporary
/// directory: initdb, then postgres listening on a free port with its socket in that directory. PostgreSQL refuses to
/// run as root, so under root (CI) it runs as the `postgres` user. Each test asks for a database of its own.
/// </summary>
public sealed class PostgresServer : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), "maildns-pg-" + Guid.NewGuid().ToString("N"));
    private readonly Process process;

    public PostgresServer()
    {
        Port = DnsServerProcess.FreePort();
        Directory.CreateDirectory(dir);
        var asRoot = Environment.UserName == "root";
        if (asRoot)
        {
            Run("chown", "postgres:postgres", dir);
        }

        var bin = Bin();
        var data = Path.Combine(dir, "data");
        Run(asRoot, Path.Combine(bin, "initdb"), "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync");
        var psi = Start(
            asRoot,
            Path.Combine(bin, "postgres"),
            "-D",
            data,
            "-p",
            Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-k",
            dir,
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            "fsync=off"
        );
        process = Process.Start(psi)!;
        process.ErrorDataReceived += (_, e) => Log.AppendLine(e.Data);
        process.OutputDataReceived += (_, e) => Log.AppendLine(e.Data);
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                using var connection = new NpgsqlConnection(ConnectionString("postgres"));
                connection.Open();
                return;
            }
            catch (NpgsqlException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                Thread.Sleep(100); // waiting for a server process to accept connections: no event to wait on
            }
        }
    }

    public int Port { get; }

    public System.Text.StringBuilder Log { get; } = new();

    public string ConnectionString(string database) => $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Pooling=false";

    /// <summary>A new, empty database; its connection string.</summary>
    public string NewDatabase()
    {
        var name = "t" + Guid.NewGuid().ToString("N")[..12];
        using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"CREATE DATABASE {name}";
        command.ExecuteNonQuery();
        return ConnectionString(name);
    }

    private static string Bin() =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory
                .GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb")))
                .Max()
                ?? throw new InvalidOperationException("no initdb under /usr/lib/postgresql: run tests/install.sh")
            : throw new InvalidOperationException("PostgreSQL is not installed: run tests/install.sh");

    private static ProcessStartInfo Start(bool asRoot, string file, params string[] args)
    {
        var psi = new ProcessStartInfo(asRoot ? "runuser" : file) { RedirectStandardError = true, RedirectStandardOutput = true };
        if (asRoot)
        {
            foreach (var a in new[] { "-u", "postgres", "--", file })
            {
                psi.ArgumentList.Add(a);
            }
        }

        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        return psi;
    }

    private static void Run(bool asRoot, string file, params string[] args)
    {
        using var p = Process.Start(Start(asRoot, file, args))!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} exited {p.ExitCode}: {error}{output.Result}");
        }
    }

    private static void Run(string file, params string[] args) => Run(false, file, args);

    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }

        process.Dispose();
        Directory.Delete(dir, recursive: true);
    }
}
