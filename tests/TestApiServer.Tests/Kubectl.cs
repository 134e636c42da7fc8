using System.Diagnostics;

namespace MailDns.TestApiServer.Tests;

/// <summary>
/// The real kubectl pointed at a test API server through a kubeconfig of its own (and a HOME of its own, so
/// its discovery cache never leaks between tests or into the user's).
/// </summary>
public sealed class Kubectl : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private readonly string home = Directory.CreateTempSubdirectory("maildns-kubectl-").FullName;

    public Kubectl(Uri server)
    {
        File.WriteAllText(
            KubeConfig,
            $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: test
              cluster:
                server: {server.ToString().TrimEnd('/')}
            contexts:
            - name: test
              context: {"{"}cluster: test, user: test, namespace: default{"}"}
            users:
            - name: test
              user: {"{"}{"}"}
            current-context: test
            """
        );
    }

    private string KubeConfig => Path.Combine(home, "kubeconfig");

    public record Result(int ExitCode, string Stdout, string Stderr)
    {
        public string Output => Stdout + Stderr;
    }

    public Process Start(params string[] args)
    {
        var info = new ProcessStartInfo("kubectl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["KUBECONFIG"] = KubeConfig;
        info.Environment["HOME"] = home;
        return Process.Start(info)!;
    }

    public async Task<Result> RunAsync(params string[] args) => await WaitAsync(Start(args));

    public async Task<Result> RunWithInputAsync(string stdin, params string[] args)
    {
        var process = Start(args);
        await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        return await WaitAsync(process);
    }

    public static async Task<Result> WaitAsync(Process process)
    {
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(Bound);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"kubectl {string.Join(' ', process.StartInfo.ArgumentList)} did not finish within {Bound}");
            }

            return new Result(process.ExitCode, await stdout, await stderr);
        }
    }

    public void Dispose() => Directory.Delete(home, recursive: true);
}
