using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using MailDns.Core.Api;
using MailDns.Core.Dkim.Rotation;
using MailDns.Core.Dkim.Storage;
using MailDns.Core.Health;
using MailDns.Core.Names;
using MailDns.Core.Records;
using MailDns.Operator.Dns;
using MailDns.Operator.Health;
using MailDns.Operator.Manifests;
using Spectre.Console;

namespace MailDns.Operator.Cli;

/// <summary>
/// <c>maildns check DOMAIN</c>: asks the domain's authoritative servers (or the given ones) what they serve and
/// judges it. Exit 0 healthy (warnings allowed), 1 a check failed, 3 nothing failed but some checks could not
/// be made (DNS unreachable), 2 usage.
/// </summary>
public static class CheckCommand
{
    public const int Unreachable = 3;

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static Command Create(Console2 console)
    {
        var domain = new Argument<string>("domain") { Description = "The sending domain." };
        var nameservers = new Option<string[]>("--nameserver")
        {
            Description = "A server to ask (host or host:port), repeatable; the zone's authoritative servers when absent.",
            AllowMultipleArgumentsPerToken = false,
        };
        var resolvers = new Option<string[]>("--resolver")
        {
            Description = "A recursive resolver (IP or IP:port) for names outside the zone (SPF includes, report destinations, "
                + "the DMARC tree walk), repeatable; the system's resolvers when absent.",
        };
        var selectors = new Option<string[]>("--selector") { Description = "A DKIM selector to check, repeatable." };
        var expect = new Option<string[]>("--expect")
        {
            Description = "A SendingDomain manifest, or a key directory (dkim.json), whose records must be served exactly; repeatable.",
        };
        var timeout = new Option<double>("--timeout")
        {
            Description = "Seconds to wait for each DNS answer.",
            DefaultValueFactory = _ => 2,
        };
        var output = CommonOptions.Output();
        var command = new Command("check", "Check the SPF, DKIM, DMARC, MTA-STS, TLS-RPT and BIMI records a domain serves.")
        {
            domain,
            nameservers,
            resolvers,
            selectors,
            expect,
            timeout,
            output,
        };
        command.SetAction(
            (parse, token) =>
                RunAsync(
                    parse.GetValue(domain)!,
                    parse.GetValue(nameservers) ?? [],
                    parse.GetValue(resolvers) ?? [],
                    parse.GetValue(selectors) ?? [],
                    parse.GetValue(expect) ?? [],
                    TimeSpan.FromSeconds(parse.GetValue(timeout)),
                    parse.GetValue(output) == "json",
                    console,
                    token
                )
        );
        return command;
    }

    /// <summary>A DNS answer that takes longer than this is not coming.</summary>
    private static readonly TimeSpan MaxTimeout = TimeSpan.FromSeconds(60);

    public static async Task<int> RunAsync(
        string domain,
        IReadOnlyList<string> nameservers,
        IReadOnlyList<string> resolverTexts,
        IReadOnlyList<string> selectors,
        IReadOnlyList<string> expectPaths,
        TimeSpan timeout,
        bool json,
        Console2 console,
        CancellationToken cancellationToken
    )
    {
        if (!(timeout > TimeSpan.Zero && timeout <= MaxTimeout))
        {
            var limit = $"more than 0 and at most {MaxTimeout.TotalSeconds} seconds";
            console.Error.WriteLine($"maildns check: --timeout {timeout.TotalSeconds} must be {limit}");
            return ExitCodes.Usage;
        }

        domain = DomainName.Normalize(domain);
        if (!DomainName.IsValidSendingDomain(domain))
        {
            console.Error.WriteLine($"maildns check: '{domain}' is not a domain name");
            return ExitCodes.Usage;
        }

        var (expected, expectError) = LoadExpectation(domain, expectPaths);
        if (expectError is not null)
        {
            console.Error.WriteLine($"maildns check: {expectError}");
            return ExitCodes.Usage;
        }

        if (CommonOptions.ParseNameservers(resolverTexts, "check", console, "--resolver") is not { } resolvers)
        {
            return ExitCodes.Usage;
        }

        var (targets, targetError) = await HealthTargetsResolver.ResolveAsync(
            domain,
            nameservers,
            timeout,
            cancellationToken,
            resolvers.Count > 0 ? resolvers : null
        );
        if (targetError is not null && targets.Authoritative.Count == 0 && nameservers.Count > 0)
        {
            console.Error.WriteLine($"maildns check: {targetError}");
            return ExitCodes.Usage;
        }

        var report = await new HealthGatherer(new DnsClientQuery(timeout)).CheckAsync(
            domain,
            selectors,
            expected,
            targets,
            cancellationToken
        );
        if (targetError is not null)
        {
            report = report with
            {
                Checks = [CheckResult.Unknown("dns.authoritative", targetError), .. report.Checks.Where(c => c.Id != "dns.authoritative")],
            };
        }

        if (json)
        {
            console.Out.WriteLine(
                JsonSerializer.Serialize(
                    new
                    {
                        domain = report.Domain,
                        healthy = report.Healthy,
                        checks = report.Checks.Select(c => new
                        {
                            id = c.Id,
                            selector = c.Selector,
                            server = c.Server,
                            status = c.Status.ToString().ToLowerInvariant(),
                            severity = c.Severity.ToString().ToLowerInvariant(),
                            message = c.Message,
                        }),
                    },
                    Json
                )
            );
        }
        else
        {
            WriteTable(report, targets, console);
        }

        return report.Verdict switch
        {
            HealthVerdict.Healthy => ExitCodes.Ok,
            HealthVerdict.Failing => ExitCodes.Invalid,
            _ => Unreachable,
        };
    }

    private static void WriteTable(HealthReport report, HealthTargets targets, Console2 console)
    {
        var ansi = AnsiConsole.Create(
            new AnsiConsoleSettings
            {
                Out = new AnsiConsoleOutput(console.Out),
                Ansi = AnsiSupport.No,
                ColorSystem = ColorSystemSupport.NoColors,
            }
        );
        ansi.Profile.Width = 140;
        var table = new Table().Border(TableBorder.Rounded).Title($"{report.Domain}: {Verdict(report)}");
        table.AddColumn("Check").AddColumn("Selector").AddColumn("Server").AddColumn("Status").AddColumn(new TableColumn("Message"));
        foreach (
            var check in report
                .Checks.OrderBy(c => Rank(c.Status))
                .ThenBy(c => c.Id, StringComparer.Ordinal)
                .ThenBy(c => c.Selector, StringComparer.Ordinal)
        )
        {
            table.AddRow(
                Markup.Escape(check.Id),
                Markup.Escape(check.Selector ?? ""),
                Markup.Escape(check.Server ?? "all"),
                Symbol(check.Status),
                Markup.Escape(check.Message)
            );
        }

        ansi.Write(table);
        var counts = report
            .Checks.GroupBy(c => c.Status)
            .OrderBy(g => Rank(g.Key))
            .Select(g => $"{g.Count()} {g.Key.ToString().ToLowerInvariant()}");
        console.Out.WriteLine(
            $"{string.Join(", ", counts)}; asked {targets.Authoritative.Count} authoritative server(s): "
                + $"{string.Join(", ", targets.Authoritative)}; names outside the zone through {string.Join(", ", targets.Resolvers)}"
        );
    }

    private static string Verdict(HealthReport report) =>
        report.Verdict switch
        {
            HealthVerdict.Healthy => "healthy",
            HealthVerdict.Failing => "FAILING",
            _ => "UNKNOWN (DNS unreachable)",
        };

    private static int Rank(CheckStatus status) =>
        status switch
        {
            CheckStatus.Fail => 0,
            CheckStatus.Unknown => 1,
            CheckStatus.Warn => 2,
            _ => 3,
        };

    private static string Symbol(CheckStatus status) =>
        status switch
        {
            CheckStatus.Fail => "FAIL",
            CheckStatus.Unknown => "unknown",
            CheckStatus.Warn => "warn",
            _ => "ok",
        };

    /// <summary>A SendingDomain manifest gives the exact SPF, DMARC and policy records; a key directory the DKIM ones.</summary>
    public static (HealthExpectation? Expected, string? Error) LoadExpectation(string domain, IReadOnlyList<string> paths)
    {
        if (paths.Count == 0)
        {
            return (null, null);
        }

        SendingDomain? manifest = null;
        var keys = new List<Core.Dkim.DkimPublicKey>();
        try
        {
            foreach (var path in paths)
            {
                var state = Directory.Exists(path) ? Path.Combine(path, MtaKeyFiles.Manifest) : path;
                if (Path.GetFileName(state) == MtaKeyFiles.Manifest && File.Exists(state))
                {
                    var dir = Path.GetDirectoryName(Path.GetFullPath(state))!;
                    var files = Directory
                        .EnumerateFiles(dir)
                        .ToDictionary(f => Path.GetFileName(f), File.ReadAllText, StringComparer.Ordinal);
                    var set = MtaKeyFiles.Parse(files);
                    keys.AddRange(set.State.Keys.Where(k => k.Phase != KeyPhase.Staged).Select(k => k.ToPublicKey()));
                    continue;
                }

                var validated = ManifestValidation.Default.Validate(ManifestLoader.Load([path]));
                var found = validated
                    .Select(v => v.Resource)
                    .OfType<SendingDomain>()
                    .FirstOrDefault(sd => DomainName.Normalize(sd.Spec.Domain) == domain);
                if (found is null)
                {
                    return (null, $"--expect {path}: no valid SendingDomain for {domain} in it");
                }

                manifest = found;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or FormatException)
        {
            return (null, $"--expect: {e.Message}");
        }

        if (manifest is not null)
        {
            return (HealthExpectation.From(manifest, keys), null);
        }

        var dkimOnly = keys.Select(k => RecordSynthesis.DkimRecord(domain, k, 0, "")).ToList();
        return (new HealthExpectation(dkimOnly, null, Complete: false), null);
    }
}
