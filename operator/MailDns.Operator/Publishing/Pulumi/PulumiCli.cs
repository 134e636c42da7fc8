using System.Diagnostics;
using System.Text.Json.Nodes;
using MailDns.Core.Publishing.Pulumi;

namespace MailDns.Operator.Publishing.Pulumi;

/// <summary>
/// Where one stack runs: its program directory, backend and passphrase, and the provider credentials. Secrets go
/// to the pulumi process only as environment variables; <see cref="ToString"/> never shows them.
/// </summary>
public sealed class PulumiWorkspace(
    string directory,
    string stack,
    string backendUrl,
    string passphrase,
    IReadOnlyDictionary<string, string> credentials
)
{
    public string Directory { get; } = directory;

    public string Stack { get; } = stack;

    public string BackendUrl { get; } = backendUrl;

    internal string Passphrase { get; } = passphrase;

    internal IReadOnlyDictionary<string, string> Credentials { get; } = credentials;

    public override string ToString() => $"stack {Stack} in {Directory} (backend {BackendUrl}, {Credentials.Count} credential variable(s))";
}

/// <summary>The outcome of one CLI run: the documented exit code as a reason, and what the --json output said.</summary>
public sealed record PulumiResult(int ExitCode, string Reason, PulumiRunReport Report, IReadOnlyList<PulumiStep> Steps, string Diagnostics)
{
    public bool Succeeded => ExitCode == 0;
}

/// <summary>
/// Drives the pulumi CLI the way the Automation API does: stack select --create with the backend and passphrase
/// in the environment, preview --json parsed into steps, up/refresh/destroy --yes --skip-preview --json parsed from
/// engine events, exit codes mapped to reasons, a timeout that kills the process tree, and a stale lock (its owner
/// process gone) cleared with cancel before one retry; a lock held by a live run is reported, never broken.
/// </summary>
public sealed class PulumiCli(string executable = "pulumi", TimeSpan? timeout = null)
{
    private readonly TimeSpan timeout = timeout ?? TimeSpan.FromMinutes(10);

    public Task<PulumiResult> SelectStackAsync(PulumiWorkspace workspace, CancellationToken cancellationToken) =>
        RunAsync(workspace, ["stack", "select", "--create", workspace.Stack, "--non-interactive"], cancellationToken);

    /// <summary>
    /// `pulumi config set --secret KEY` with the value on standard input: encrypted into the stack settings by the
    /// passphrase, never in an argument or a file the operator writes.
    /// </summary>
    public Task<PulumiResult> SetSecretAsync(
        PulumiWorkspace workspace,
        string key,
        string credential,
        CancellationToken cancellationToken
    ) =>
        workspace.Credentials.TryGetValue(credential, out var value)
            ? RunAsync(
                workspace,
                ["config", "set", "--secret", key, "--stack", workspace.Stack, "--non-interactive"],
                cancellationToken,
                value
            )
            : Task.FromResult(
                new PulumiResult(
                    2,
                    $"the credentials Secret has no {credential}: this provider needs it in config beside its other settings",
                    new PulumiRunReport(new Dictionary<string, int>(), [], [], null),
                    [],
                    ""
                )
            );

    public async Task<PulumiResult> PreviewAsync(PulumiWorkspace workspace, CancellationToken cancellationToken)
    {
        var result = await RunAsync(workspace, ["preview", "--json", "--non-interactive", "--stack", workspace.Stack], cancellationToken)
            .ConfigureAwait(false);
        if (!result.Succeeded || result.Diagnostics.Length > 0 && !result.Diagnostics.TrimStart().StartsWith('{'))
        {
            return result;
        }

        var (steps, summary, errors) = PulumiOutput.ParsePreview(result.Diagnostics);
        return result with { Steps = steps, Report = new PulumiRunReport(summary, [], errors, errors.Count == 0), Diagnostics = "" };
    }

    public Task<PulumiResult> UpAsync(PulumiWorkspace workspace, CancellationToken cancellationToken) =>
        RunWithLockRecoveryAsync(
            workspace,
            ["up", "--yes", "--skip-preview", "--json", "--non-interactive", "--stack", workspace.Stack],
            cancellationToken
        );

    public Task<PulumiResult> RefreshAsync(PulumiWorkspace workspace, CancellationToken cancellationToken) =>
        RunWithLockRecoveryAsync(
            workspace,
            ["refresh", "--yes", "--skip-preview", "--json", "--non-interactive", "--stack", workspace.Stack],
            cancellationToken
        );

    public Task<PulumiResult> DestroyAsync(PulumiWorkspace workspace, CancellationToken cancellationToken) =>
        RunWithLockRecoveryAsync(
            workspace,
            ["destroy", "--yes", "--skip-preview", "--json", "--non-interactive", "--stack", workspace.Stack],
            cancellationToken
        );

    private async Task<PulumiResult> RunWithLockRecoveryAsync(PulumiWorkspace workspace, string[] args, CancellationToken cancellationToken)
    {
        var result = await RunAsync(workspace, args, cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 1 || !result.Diagnostics.Contains("currently locked", StringComparison.Ordinal))
        {
            return result;
        }

        var owners = LockOwners(workspace);
        if (owners.Count == 0 || owners.Any(IsAlive))
        {
            return result with
            {
                Reason =
                    $"the stack is locked by a running update (pid {string.Join(", ", owners.Select(o => o.Pid))}); try again when it ends",
            };
        }

        // Every lock belongs to a process on this host that no longer exists: a crashed run. Clear and retry once.
        var cancel = await RunAsync(workspace, ["cancel", "--yes", "--non-interactive", "--stack", workspace.Stack], cancellationToken)
            .ConfigureAwait(false);
        return cancel.Succeeded ? await RunAsync(workspace, args, cancellationToken).ConfigureAwait(false) : cancel;
    }

    /// <summary>Lock files of a file:// backend (.pulumi/locks/&lt;project&gt;/&lt;stack&gt;/*.json hold pid and hostname).</summary>
    private static List<(int Pid, string Host)> LockOwners(PulumiWorkspace workspace)
    {
        if (!workspace.BackendUrl.StartsWith("file://", StringComparison.Ordinal))
        {
            return [];
        }

        var dir = Path.Combine(workspace.BackendUrl["file://".Length..], ".pulumi", "locks", PulumiStack.Project, workspace.Stack);
        return !System.IO.Directory.Exists(dir)
            ? []
            : System
                .IO.Directory.EnumerateFiles(dir, "*.json")
                .Select(f => JsonNode.Parse(File.ReadAllText(f)))
                .Select(j => ((int?)j?["pid"] ?? 0, (string?)j?["hostname"] ?? ""))
                .ToList();
    }

    private static bool IsAlive((int Pid, string Host) owner)
    {
        if (owner.Host != Environment.MachineName)
        {
            return true; // another host's process cannot be checked from here: assume it is running
        }

        try
        {
            using var process = Process.GetProcessById(owner.Pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private async Task<PulumiResult> RunAsync(
        PulumiWorkspace workspace,
        string[] args,
        CancellationToken cancellationToken,
        string? input = null
    )
    {
        var info = new ProcessStartInfo(executable)
        {
            WorkingDirectory = workspace.Directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = input is not null,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["PULUMI_BACKEND_URL"] = workspace.BackendUrl;
        info.Environment["PULUMI_CONFIG_PASSPHRASE"] = workspace.Passphrase;
        info.Environment["PULUMI_SKIP_UPDATE_CHECK"] = "true";
        info.Environment["PULUMI_HOME"] = Path.Combine(workspace.Directory, ".pulumi-home");
        foreach (var (name, value) in workspace.Credentials)
        {
            info.Environment[name] = value;
        }

        using var process = Process.Start(info) ?? throw new PublishException($"could not start {executable}");
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input).ConfigureAwait(false);
            process.StandardInput.Close();
        }

        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            var code = cancellationToken.IsCancellationRequested ? 8 : 9;
            return new PulumiResult(
                code,
                PulumiOutput.ExitReason(code) + (code == 9 ? $" after {timeout}" : ""),
                PulumiOutput.ParseEvents(Lines(await stdout.ConfigureAwait(false))),
                [],
                await stderr.ConfigureAwait(false)
            );
        }

        var output = await stdout.ConfigureAwait(false);
        var errors = await stderr.ConfigureAwait(false);
        var report =
            args[0] == "preview"
                ? new PulumiRunReport(new Dictionary<string, int>(), [], [], null)
                : PulumiOutput.ParseEvents(Lines(output));
        var reason = PulumiOutput.ExitReason(process.ExitCode);
        if (report.FailedResources.Count > 0)
        {
            reason += ": " + string.Join("; ", report.FailedResources.Select(f => $"{f.Urn.Split("::")[^1]}: {f.Message}"));
        }
        else if (process.ExitCode != 0 && FirstError(errors) is { } first)
        {
            reason += ": " + first;
        }

        return new PulumiResult(process.ExitCode, reason, report, [], args[0] == "preview" && process.ExitCode == 0 ? output : errors);
    }

    private static IEnumerable<string> Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private static string? FirstError(string stderr) =>
        stderr.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("error:", StringComparison.Ordinal))
        ?? stderr.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0);
}
