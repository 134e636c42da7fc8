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

    /// <summary>What one run of check was asked to do.</summary>
    public sealed record Request(
        IReadOnlyList<string> Domains,
        IReadOnlyList<string> Nameservers,
        IReadOnlyList<string> Resolvers,
        IReadOnlyList<string> Selectors,
        IReadOnlyList<string> Expect,
        double TimeoutSeconds,
        bool Json
    )
    {
        /// <summary>Only read once <see cref="TimeoutSeconds"/> is known to be in range.</summary>
        public TimeSpan Timeout => TimeSpan.FromSeconds(TimeoutSeconds);

        public string? File { get; init; }

        public string? KeyFile { get; init; }

        public bool ProbeSelectors { get; init; }

        public TransportRequest Transport { get; init; } = new(false, null, 25, false, MtaSts.HttpPolicyFetcher.DefaultUrl);
    }

    /// <summary>The transport checks: forced (else only for domains with an _mta-sts record), trust, SMTP port, skip.</summary>
    public sealed record TransportRequest(bool Force, string? CaFile, int SmtpPort, bool SkipTls, string PolicyUrl);

    public static Command Create(Console2 console)
    {
        var domains = new Argument<string[]>("domains") { Arity = ArgumentArity.ZeroOrMore, Description = "The sending domains." };
        var file = new Option<string?>("--file") { Description = "A file of domains to check, one per line (# starts a comment)." };
        var nameservers = new Option<string[]>("--nameserver")
        {
            Description = "A server to ask (host or host:port), repeatable; the zone's authoritative servers when absent.",
            AllowMultipleArgumentsPerToken = false,
        };
        var resolvers = new Option<string[]>("--resolver")
        {
            Description =
                "A recursive resolver (IP or IP:port) for names outside the zone (SPF includes, report destinations, "
                + "the DMARC tree walk), repeatable; the system's resolvers when absent.",
        };
        var selectors = new Option<string[]>("--selector") { Description = "A DKIM selector to check, repeatable." };
        var probe = new Option<bool>("--probe-selectors")
        {
            Description =
                "Also look for the DKIM selectors mail platforms commonly use (google, selector1, k1, s1, ...); found ones are checked.",
        };
        var key = new Option<string?>("--key")
        {
            Description = "A DKIM private key (PEM): the key served at the one --selector must be its public key.",
        };
        var expect = new Option<string[]>("--expect")
        {
            Description = "A SendingDomain manifest, or a key directory (dkim.json), whose records must be served exactly; repeatable.",
        };
        var timeout = new Option<double>("--timeout")
        {
            Description = "Seconds to wait for each DNS answer.",
            DefaultValueFactory = _ => 2,
        };
        var transport = new Option<bool>("--transport")
        {
            Description = "Run the transport checks (MX, MTA-STS policy, STARTTLS, certificates) even without an _mta-sts record.",
        };
        var caFile = new Option<string?>("--ca-file") { Description = "Also trust the CA certificates in this PEM file (a private PKI)." };
        var smtpPort = new Option<int>("--smtp-port")
        {
            Description = "The port the MX hosts are probed on.",
            DefaultValueFactory = _ => 25,
        };
        smtpPort.Validators.Add(r =>
        {
            // The token, not GetValue: a value that is no number has its own parse error, and GetValue would throw on it.
            if (r.Tokens is [.., var last] && int.TryParse(last.Value, out var port) && port is < 1 or > 65535)
            {
                r.AddError("--smtp-port must be 1 to 65535");
            }
        });
        var skipTls = new Option<bool>("--skip-tls") { Description = "Do not open SMTP sessions (no smtp.starttls, smtp.certificate)." };
        var policyUrl = new Option<string>("--policy-url")
        {
            Description = "Where MTA-STS policies are fetched ({domain} is replaced; Host: mta-sts.DOMAIN is sent).",
            DefaultValueFactory = _ => MtaSts.HttpPolicyFetcher.DefaultUrl,
        };
        var output = CommonOptions.Output();
        var command = new Command("check", "Check the SPF, DKIM, DMARC, MTA-STS, TLS-RPT and BIMI records domains serve.")
        {
            domains,
            file,
            nameservers,
            resolvers,
            selectors,
            probe,
            key,
            expect,
            timeout,
            transport,
            caFile,
            smtpPort,
            skipTls,
            policyUrl,
            output,
        };
        command.SetAction(
            (parse, token) =>
                RunAsync(
                    new Request(
                        parse.GetValue(domains) ?? [],
                        parse.GetValue(nameservers) ?? [],
                        parse.GetValue(resolvers) ?? [],
                        parse.GetValue(selectors) ?? [],
                        parse.GetValue(expect) ?? [],
                        parse.GetValue(timeout),
                        parse.GetValue(output) == "json"
                    )
                    {
                        File = parse.GetValue(file),
                        KeyFile = parse.GetValue(key),
                        ProbeSelectors = parse.GetValue(probe),
                        Transport = new TransportRequest(
                            parse.GetValue(transport),
                            parse.GetValue(caFile),
                            parse.GetValue(smtpPort),
                            parse.GetValue(skipTls),
                            parse.GetValue(policyUrl)!
                        ),
                    },
                    console,
                    token
                )
        );
        return command;
    }

    /// <summary>A DNS answer that takes longer than this is not coming.</summary>
    private static readonly TimeSpan MaxTimeout = TimeSpan.FromSeconds(60);

    public static async Task<int> RunAsync(Request request, Console2 console, CancellationToken cancellationToken)
    {
        var (domains, problem) = Domains(request);
        if (problem is null && !(request.TimeoutSeconds > 0 && request.TimeoutSeconds <= MaxTimeout.TotalSeconds))
        {
            problem = $"--timeout {request.TimeoutSeconds} must be more than 0 and at most {MaxTimeout.TotalSeconds} seconds";
        }

        if (problem is null && (request.Expect.Count > 0 || request.KeyFile is not null) && domains.Count != 1)
        {
            problem = "--expect and --key check one domain at a time";
        }

        if (problem is not null)
        {
            console.Error.WriteLine($"maildns check: {problem}");
            return ExitCodes.Usage;
        }

        if (CommonOptions.ParseNameservers(request.Resolvers, "check", console, "--resolver") is not { } resolvers)
        {
            return ExitCodes.Usage;
        }

        var (expected, expectError) = domains.Count == 1 ? LoadExpectation(domains[0], request.Expect) : (null, null);
        if (expectError is null && request.KeyFile is not null)
        {
            (expected, expectError) = WithKey(domains[0], request, expected);
        }

        if (expectError is not null)
        {
            console.Error.WriteLine($"maildns check: {expectError}");
            return ExitCodes.Usage;
        }

        var (roots, rootsError) = Transport.TrustedRoots.Load(request.Transport.CaFile);
        if (rootsError is not null)
        {
            console.Error.WriteLine($"maildns check: {rootsError}");
            return ExitCodes.Usage;
        }

        var transportSettings = new Transport.TransportSettings(
            request.Transport.SmtpPort,
            request.Transport.SkipTls,
            roots,
            request.Transport.PolicyUrl,
            request.Timeout * 5
        );
        var gatherer = new Transport.TransportGatherer(
            resolvers.Count > 0 ? resolvers : HealthTargetsResolver.SystemResolvers(),
            transportSettings
        );
        var results = new List<(HealthReport Report, HealthTargets Targets, IReadOnlyList<string>? Probed)>();
        foreach (var domain in domains)
        {
            var (targets, targetError) = await HealthTargetsResolver.ResolveAsync(
                domain,
                request.Nameservers,
                request.Timeout,
                cancellationToken,
                resolvers.Count > 0 ? resolvers : null
            );
            if (targetError is not null && targets.Authoritative.Count == 0 && request.Nameservers.Count > 0)
            {
                console.Error.WriteLine($"maildns check: {targetError}");
                return ExitCodes.Usage;
            }

            var probed = request.ProbeSelectors
                ? SelectorProbe.Common.Except(request.Selectors).ToHashSet(StringComparer.Ordinal)
                : new HashSet<string>(StringComparer.Ordinal);
            var report = await new HealthGatherer(new DnsClientQuery(request.Timeout)).CheckAsync(
                domain,
                [.. request.Selectors, .. probed],
                expected,
                targets,
                cancellationToken
            );
            IReadOnlyList<string>? found = null;
            if (request.ProbeSelectors)
            {
                (report, found) = SelectorProbe.KeepFound(report, probed);
            }

            if (targetError is not null)
            {
                report = report with
                {
                    Checks =
                    [
                        CheckResult.Unknown("dns.authoritative", targetError),
                        .. report.Checks.Where(c => c.Id != "dns.authoritative"),
                    ],
                };
            }

            // Transport security for domains with MTA-STS or submission SRV records, or all when asked (--transport).
            if (request.Transport.Force || await gatherer.PublishesTransportAsync(domain, cancellationToken))
            {
                var observed = await gatherer.GatherAsync(domain, ManagedPolicy(request.Expect, domain), cancellationToken);
                report = report with { Checks = [.. report.Checks, .. Core.Transport.TransportChecks.Evaluate(observed)] };
            }

            results.Add((report, targets, found));
        }

        if (request.Json)
        {
            var documents = results.Select(r => Document(r.Report, r.Probed)).ToList();
            console.Out.WriteLine(
                domains.Count == 1 && request.File is null
                    ? JsonSerializer.Serialize(documents[0], Json)
                    : JsonSerializer.Serialize(documents, Json)
            );
        }
        else
        {
            foreach (var (report, targets, probedFound) in results)
            {
                WriteTable(report, targets, console);
                if (probedFound is not null)
                {
                    var list = probedFound.Count == 0 ? "none" : string.Join(", ", probedFound);
                    console.Out.WriteLine($"probed {SelectorProbe.Common.Count} common selectors: found {list}");
                }

                if (report.SpfTree is { } tree)
                {
                    WriteTree(report.Domain, tree, console);
                }
            }
        }

        // One exit code for the run: any domain failing is 1, else any unknown is 3.
        var verdicts = results.Select(r => r.Report.Verdict).ToList();
        return verdicts.Contains(HealthVerdict.Failing) ? ExitCodes.Invalid
            : verdicts.Contains(HealthVerdict.Unknown) ? Unreachable
            : ExitCodes.Ok;
    }

    /// <summary>Whether an --expect manifest has the operator manage the domain's MTA-STS policy (its id is the policy's).</summary>
    private static bool ManagedPolicy(IReadOnlyList<string> expect, string domain)
    {
        var manifests = expect.Where(e => System.IO.File.Exists(e) || Directory.Exists(e)).ToList();
        return manifests.Count > 0
            && ManifestValidation
                .Default.Validate(ManifestLoader.Load(manifests))
                .Select(r => r.Resource)
                .OfType<SendingDomain>()
                .Any(sd => DomainName.Normalize(sd.Spec.Domain) == domain && sd.Spec.MtaSts?.Mode is not null);
    }

    /// <summary>The domains from the arguments and --file, normalised, or the usage problem with them.</summary>
    private static (List<string> Domains, string? Problem) Domains(Request request)
    {
        var texts = request.Domains.ToList();
        if (request.File is { } file)
        {
            try
            {
                texts.AddRange(System.IO.File.ReadAllLines(file).Select(l => l.Split('#')[0].Trim()).Where(l => l.Length > 0));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
            {
                return ([], $"--file {file}: {e.Message}");
            }
        }

        var domains = texts.Select(DomainName.Normalize).Distinct().ToList();
        if (domains.Count == 0)
        {
            return ([], "give at least one domain (as arguments or with --file)");
        }

        return domains.FirstOrDefault(d => !DomainName.IsValidSendingDomain(d)) is { } bad
            ? ([], $"'{bad}' is not a domain name")
            : (domains, null);
    }

    /// <summary>--key: the served key at the one --selector must be this private key's public half.</summary>
    private static (HealthExpectation? Expected, string? Error) WithKey(string domain, Request request, HealthExpectation? expected)
    {
        if (request.Selectors.Count != 1)
        {
            return (null, "--key needs exactly one --selector: the selector the key signs with");
        }

        Core.Dkim.DkimKeyMaterial key;
        try
        {
            key = Core.Dkim.DkimKeyMaterial.FromPem(System.IO.File.ReadAllText(request.KeyFile!));
        }
        catch (Exception e)
            when (e is IOException or UnauthorizedAccessException or ArgumentException or FormatException or InvalidOperationException)
        {
            // The message names the file and what is wrong with it, never the key material.
            return (null, $"--key {request.KeyFile}: not a readable PEM private key (RSA or Ed25519): {e.GetType().Name}");
        }

        var public_ = new Core.Dkim.DkimPublicKey(request.Selectors[0], key.Algorithm, key.PublicKey);
        var record = RecordSynthesis.DkimRecord(domain, public_, 0, "");
        return (
            expected is null
                ? new HealthExpectation([record], null, Complete: false) { Publishes = false }
                : expected with
                {
                    Records = [.. expected.Records.Where(r => r.Name != record.Name), record],
                },
            null
        );
    }

    private static object Document(HealthReport report, IReadOnlyList<string>? probed) =>
        new
        {
            domain = report.Domain,
            healthy = report.Healthy,
            checks = report.Checks.Select(HealthOutcome.ToStatus),
            probedSelectorsFound = probed,
            spfTree = report.SpfTree is { } tree ? Node(tree) : null,
        };

    private static object Node(SpfNode node) =>
        new
        {
            term = node.Term.Length == 0 ? null : node.Term,
            domain = node.Domain,
            own = node.Own,
            lookups = node.Lookups,
            problem = node.Problem,
            children = node.Children.Select(Node),
        };

    private static void WriteTree(string domain, SpfNode tree, Console2 console)
    {
        console.Out.WriteLine($"SPF include tree of {domain}: {tree.Lookups} of 10 DNS-querying terms (RFC 7208 §4.6.4)");
        console.Out.WriteLine($"  {domain}: {tree.Own} in the record itself");
        WriteChildren(tree, "  ", console);
    }

    private static void WriteChildren(SpfNode node, string indent, Console2 console)
    {
        for (var i = 0; i < node.Children.Count; i++)
        {
            var child = node.Children[i];
            var last = i == node.Children.Count - 1;
            var problem = child.Problem is null ? "" : $": {child.Problem}";
            console.Out.WriteLine($"{indent}{(last ? "└─" : "├─")} {child.Term} ({child.Lookups}){problem}");
            WriteChildren(child, indent + (last ? "   " : "│  "), console);
        }
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
        return (new HealthExpectation(dkimOnly, null, Complete: false) { Publishes = false }, null);
    }
}
