using MailDns.Core.Api;
using MailDns.Core.Reputation;
using MailDns.Operator.Controllers;
using MailDns.Operator.Kubernetes;
using MailDns.Operator.Tests.Kubernetes;
using MailDns.Testing;

namespace MailDns.Operator.Tests.Cli;

/// <summary>
/// `kubectl maildns` as users run it: the real kubectl finds the repository's kubectl-maildns script on PATH (which runs
/// `maildns kubectl`) and talks to the test API server, while the operator reconciles the quick start and checks its
/// reputation against test copies of the lists. Each command's outcome is read back from the API.
/// </summary>
public sealed class KubectlPluginTests : IAsyncLifetime
{
    private readonly TempDir bin = new();
    private readonly TempDir data = new();
    private readonly BlocklistZones lists = new();
    private readonly CancellationTokenSource stop = new();
    private ApiServer api = null!;
    private Task running = Task.CompletedTask;

    public async Task InitializeAsync()
    {
        // kubectl-maildns as shipped, and a `maildns` on PATH that runs this build.
        File.Copy(Repo.PathOf("operator", "MailDns.Operator", "kubectl-maildns"), Path.Combine(bin.Path, "kubectl-maildns"));
        File.SetUnixFileMode(Path.Combine(bin.Path, "kubectl-maildns"), (UnixFileMode)0b111_101_101);
        var maildns = bin.Write("maildns", $"#!/bin/sh\nexec dotnet {Path.Combine(AppContext.BaseDirectory, "maildns.dll")} \"$@\"\n");
        File.SetUnixFileMode(maildns, (UnixFileMode)0b111_101_101);

        api = await ApiServer.StartAsync();
        var (applied, output) = Kubectl("apply", "-f", Repo.PathOf("examples", "quickstart"));
        Assert.True(applied == 0, output);
        var options = new ControllerOptions(null, data.Path, [])
        {
            Resolvers = [lists.Server.Endpoint],
            Blocklists = [BlocklistCatalog.SpamhausZen],
        };
        running = OperatorServices.Create(api.Client, options, TimeProvider.System).RunAsync(stop.Token);
        await SendingDomainWait.UntilAsync(
            SendingDomainWait.Domains(api),
            "default",
            "mail-example-com",
            sd => SendingDomainWait.Ready(sd).StartsWith("True", StringComparison.Ordinal) && sd.Status?.Reputation is not null,
            "Ready with a reputation check"
        );
    }

    public async Task DisposeAsync()
    {
        await stop.CancelAsync();
        await running;
        await api.DisposeAsync();
        lists.Dispose();
        data.Dispose();
        bin.Dispose();
    }

    /// <summary>The real kubectl with the plugin directory first on PATH; flags after the plugin name reach the plugin.</summary>
    private (int Exit, string Output) Kubectl(params string[] args) => KubectlAnswering("", args);

    private (int Exit, string Output) KubectlAnswering(string stdin, params string[] args)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("kubectl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        psi.Environment["PATH"] = $"{bin.Path}:{Environment.GetEnvironmentVariable("PATH")}";
        psi.Environment["KUBECONFIG"] = "/dev/null";
        foreach (var arg in args.Concat(["--server", api.Host.BaseAddress.ToString()]))
        {
            psi.ArgumentList.Add(arg);
        }

        using var process = System.Diagnostics.Process.Start(psi)!;
        process.StandardInput.Write(stdin);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(60_000), "kubectl did not finish");
        return (process.ExitCode, output.Result + error.Result);
    }

    private Task<SendingDomain> ReadAsync() =>
        SendingDomainWait.Domains(api).ReadNamespacedAsync<SendingDomain>("default", "mail-example-com");

    [Fact]
    public async Task Status_inspect_rotate_revoke_and_check_work_through_kubectl()
    {
        var (exit, status) = Kubectl("maildns", "status", "-A");
        Assert.True(exit == 0, status);
        var lines = status.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^NAMESPACE\s+NAME\s+DOMAIN\s+READY\s+HEALTHY\s+SELECTORS\s+NEXT-ROTATION\s+DMARC\s+REPUTATION$", lines[0]);
        Assert.True(
            System.Text.RegularExpressions.Regex.IsMatch(
                lines[1],
                @"^default\s+mail-example-com\s+mail\.example\.com\s+True\s+-\s+-\s+\d{4}-\d\d-\d\dT\d\d:\d\dZ\s+quarantine\s+False$"
            ),
            status
        );

        var (inspectExit, inspect) = Kubectl("maildns", "inspect", "mail-example-com", "-n", "default");
        Assert.True(inspectExit == 0, inspect);
        var sd = await ReadAsync();
        var selector = sd.Status!.Dkim!.Keys![0].Selector;
        Assert.Contains($"  {selector}  rsa-sha256-2048  ", inspect);
        Assert.True(inspect.Contains("_dmarc.mail.example.com. 3600 TXT v=DMARC1; p=quarantine;", StringComparison.Ordinal), inspect);
        Assert.Contains("192.0.2.2 on zen.spamhaus.org since", inspect);
        Assert.Matches(@"Normal\s+Published: ", inspect);
        Assert.Matches(@"Warning\s+Blocklisted: 192\.0\.2\.2 listed on zen\.spamhaus\.org", inspect);

        var (missingExit, missing) = Kubectl("maildns", "inspect", "nope");
        Assert.Equal(1, missingExit);
        Assert.Contains("Error from server (NotFound)", missing);

        var (rotateExit, rotate) = Kubectl("maildns", "rotate", "mail-example-com", "--series", "ed25519-sha256");
        Assert.True(rotateExit == 0, rotate);
        Assert.NotNull((await ReadAsync()).Spec.Dkim!.RotateRequestedAt);
        Assert.Equal(["ed25519-sha256"], (await ReadAsync()).Spec.Dkim!.RotateRequestedSeries!);
        var (allExit, all) = Kubectl("maildns", "rotate", "mail-example-com");
        Assert.True(allExit == 0, all);
        Assert.Null((await ReadAsync()).Spec.Dkim!.RotateRequestedSeries); // every series again
        var (unknownExit, unknown) = Kubectl("maildns", "rotate", "mail-example-com", "--series", "dsa");
        Assert.Equal(2, unknownExit);
        Assert.Contains("the domain's series are rsa-sha256 (rsa), ed25519-sha256 (ed)", unknown);

        var (declined, question) = KubectlAnswering("n\n", "maildns", "revoke", "mail-example-com", selector);
        Assert.Equal(1, declined);
        Assert.Contains($"Revoke DKIM selector {selector} of mail.example.com?", question);
        Assert.Null((await ReadAsync()).Spec.Dkim!.CompromisedSelectors);

        var (revokeExit, revoke) = Kubectl("maildns", "revoke", "mail-example-com", selector, "--yes");
        Assert.True(revokeExit == 0, revoke);
        Assert.Equal([selector], (await ReadAsync()).Spec.Dkim!.CompromisedSelectors!);

        var before = (await ReadAsync()).Status!.Reputation!.CheckedAt;
        var (checkExit, check) = Kubectl("maildns", "check", "mail-example-com");
        Assert.True(checkExit == 0, check);
        Assert.NotNull(Annotations.CheckRequested(await ReadAsync()));
        var after = await SendingDomainWait.UntilAsync(
            SendingDomainWait.Domains(api),
            "default",
            "mail-example-com",
            s => s.Status?.Reputation?.CheckedAt > before,
            "a reputation check after `check`"
        );
        Assert.NotNull(after.Status!.Reputation);
    }
}
