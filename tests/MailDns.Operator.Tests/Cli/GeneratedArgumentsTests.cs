using CsCheck;
using MailDns.Operator.Cli;
using MailDns.Testing;

namespace MailDns.Operator.Tests.Cli;

/// <summary>
/// Every command run with generated arguments (its own option names mixed with odd values) ends with a documented
/// exit code and, on a usage problem, one line on stderr: never a stack trace. The operator command is left out: with
/// valid arguments it runs until stopped.
/// </summary>
public class GeneratedArgumentsTests
{
    private static readonly string[] Commands = ["validate", "lint", "keygen", "render", "check", "reconcile", "reports"];

    /// <summary>Values that have broken commands before: empty, negative, huge, not a number, a closed port, a bad host.</summary>
    private static readonly string[] Values =
    [
        "",
        "0",
        "-1",
        "2047",
        "99999999999999999999",
        "nope",
        "json",
        "text",
        "xml",
        "spf",
        "dmarc",
        "dkim",
        "ed25519-sha256",
        "rsa-sha256",
        "v=spf1 -all",
        "v=DMARC1; p=reject",
        "mail.example.com",
        "-mail.example.com",
        "s1",
        "127.0.0.1:1",
        "127.0.0.1:99999",
        "host.invalid:53",
        "nope:99999999",
        "/nonexistent/path",
        "2026-13-45T99:00:00Z",
        "\"unterminated",
        "parse",
    ];

    [Fact]
    public void No_generated_command_line_ends_in_an_unhandled_exception()
    {
        using var scratch = new TempDir();
        var options = Commands.ToDictionary(
            c => c,
            c => MaildnsCli.Describe().Single(d => d.Name == c).Options.DefaultIfEmpty("parse").ToArray()
        );
        var line = Gen.OneOf(Commands)
            .SelectMany(command =>
                Gen.OneOf(Gen.OneOf(options[command]), Gen.OneOf(Values), Gen.Const(scratch.Path))
                    .Array[0, 7]
                    .Select(rest => (string[])[command, .. rest])
            );

        line.Sample(
            args =>
            {
                // No question may leave loopback: check always gets a closed local port to ask, unless it is told otherwise.
                string[] run = args[0] == "check" ? [.. args, "--nameserver", "127.0.0.1:1", "--resolver", "127.0.0.1:1"] : args;
                var result = MailDns.Testing.Cli.Run(run);
                Assert.True(
                    result.Exit is >= 0 and <= 3 && !result.Error.Contains("   at ", StringComparison.Ordinal),
                    $"maildns {string.Join(' ', run.Select(a => $"'{a}'"))}: exit {result.Exit}\n{result.Error}"
                );
                if (result.Exit == ExitCodes.Usage)
                {
                    Assert.False(string.IsNullOrWhiteSpace(result.Error), $"maildns {string.Join(' ', run)}: exit 2 without a word");
                }
            },
            iter: int.TryParse(Environment.GetEnvironmentVariable("MAILDNS_GENERATED_ITERATIONS"), out var n) ? n : 400,
            threads: 1
        );
    }
}
