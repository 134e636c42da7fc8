using System.Diagnostics;
using MailDns.Operator.Cli;

namespace MailDns.Testing;

public static class Repo
{
    public static string Root { get; } = FindRoot();

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "MailDnsOperator.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("MailDnsOperator.sln not found above the test binaries");
    }
}

public sealed record CliResult(int Exit, string Out, string Error);

public static class Cli
{
    public static CliResult Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = MaildnsCli.Run(args, new Console2(stdout, stderr));
        return new CliResult(exit, stdout.ToString(), stderr.ToString());
    }
}

public sealed class TempDir : IDisposable
{
    public TempDir() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "maildns-test-" + Guid.NewGuid().ToString("N"));

    public string Write(string name, string content)
    {
        var file = System.IO.Path.Combine(Path, name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(file)!);
        File.WriteAllText(file, content);
        return file;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

/// <summary>Runs a program the test suite installs (tests/run.sh): openssl, named-checkzone.</summary>
public static class Tool
{
    public static (int Exit, string Output) Run(string file, params string[] args) => RunFor(TimeSpan.FromSeconds(60), file, args);

    /// <summary>As <see cref="Run"/>, for programs that take longer (a trimmed publish): killed after <paramref name="limit"/>.</summary>
    public static (int Exit, string Output) RunFor(TimeSpan limit, string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} did not finish in {limit.TotalSeconds} s");
        }

        return (process.ExitCode, output.Result + error.Result);
    }
}
