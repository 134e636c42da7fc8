using System.Text.Json.Nodes;
using MailDns.Operator.Publishing.Pulumi;

namespace MailDns.Testing;

/// <summary>
/// The stand-in pulumi executable (tests/PulumiStandIn) as a `pulumi` script in a directory of its own, with a
/// file backend, a passphrase, a Cloudflare token and a log of every call (argv and environment variable names).
/// </summary>
public sealed class PulumiStandInHarness : IDisposable
{
    public const string Token = "cf-token-7c1f0e5b-must-never-leak";
    public const string Passphrase = "passphrase-2d9a-must-never-leak";
    private readonly TempDir dir = new();

    public PulumiStandInHarness()
    {
        // The control variables live in the script, not in this process's environment, so tests never share them.
        Executable = dir.Write(
            "bin/pulumi",
            $"""
            #!/bin/sh
            export MAILDNS_STANDIN_LOG="{LogFile}"
            export MAILDNS_STANDIN_REQUIRED_ENV="CLOUDFLARE_API_TOKEN"
            export MAILDNS_STANDIN_FAIL="$(cat '{Path.Combine(dir.Path, "fail-mode")}' 2>/dev/null)"
            exec dotnet "{Path.Combine(AppContext.BaseDirectory, "PulumiStandIn.dll")}" "$@"

            """
        );
        File.SetUnixFileMode(Executable, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Directory.CreateDirectory(Backend);
    }

    /// <summary>resource (exit 4 with a diagnostic), die (killed mid-run), hang, or null for normal runs.</summary>
    public string? FailMode
    {
        set => File.WriteAllText(Path.Combine(dir.Path, "fail-mode"), value ?? "");
    }

    public string Executable { get; }

    public string Backend => Path.Combine(dir.Path, "backend");

    public string LogFile => Path.Combine(dir.Path, "calls.jsonl");

    public PulumiWorkspace Workspace(string stack, IReadOnlyDictionary<string, string>? credentials = null) =>
        new(
            Path.Combine(dir.Path, "work", stack),
            stack,
            "file://" + Backend,
            Passphrase,
            credentials ?? new Dictionary<string, string> { ["CLOUDFLARE_API_TOKEN"] = Token }
        );

    public IReadOnlyList<JsonObject> Calls() =>
        File.Exists(LogFile) ? File.ReadAllLines(LogFile).Select(l => JsonNode.Parse(l)!.AsObject()).ToList() : [];

    public IEnumerable<string> LockFiles(string stack) =>
        Directory.Exists(Path.Combine(Backend, ".pulumi", "locks", "maildns", stack))
            ? Directory.EnumerateFiles(Path.Combine(Backend, ".pulumi", "locks", "maildns", stack))
            : [];

    public void Dispose() => dir.Dispose();
}
