using System.CommandLine;
using k8s;
using MailDns.Core.Names;
using MailDns.Operator.Hosting;
using MailDns.Operator.Kubernetes;
using MailDns.Operator.Reports;
using Microsoft.Extensions.Hosting;

namespace MailDns.Operator.Cli;

/// <summary><c>maildns operator</c>: the controller against a Kubernetes API server, until stopped (SIGTERM, Ctrl-C).</summary>
public static class OperatorCommand
{
    public static Command Create(Console2 console)
    {
        var server = new Option<string?>("--server")
        {
            Description = "API server URL (tests, kubectl proxy); without it --kubeconfig, then in-cluster config.",
        };
        var kubeconfig = new Option<string?>("--kubeconfig") { Description = "A kubeconfig file." };
        var ns = new Option<string?>("--namespace") { Description = "Watch one namespace only (default: all)." };
        var dataDir = new Option<string>("--data-dir")
        {
            Description = "Where zoneFile providers with relative paths write.",
            DefaultValueFactory = _ => "/var/lib/maildns",
        };
        var nameservers = new Option<string[]>("--nameserver") { Description = "Verify against this server (IP or IP:port), repeatable." };
        var resolvers = new Option<string[]>("--resolver")
        {
            Description = "Find zones' authoritative servers through this resolver (IP or IP:port), repeatable; default: the system's.",
        };
        var workers = new Option<int>("--workers") { Description = "SendingDomains reconciled at once.", DefaultValueFactory = _ => 4 };
        var leaderElect = new Option<bool>("--leader-elect")
        {
            Description = "Reconcile only while holding the Lease, so replicas take over from each other.",
        };
        var leaseNamespace = new Option<string?>("--leader-election-namespace")
        {
            Description = "Namespace of the Lease (default: $POD_NAMESPACE, else maildns-system).",
        };
        var pulumi = new Option<string>("--pulumi")
        {
            Description = "The pulumi CLI that publishes Pulumi providers' stacks.",
            DefaultValueFactory = _ => "pulumi",
        };
        var metricsAddress = new Option<string>("--metrics-address")
        {
            Description = "HttpListener prefix for /metrics, /healthz and /readyz; empty to disable.",
            DefaultValueFactory = _ => "http://+:8080/",
        };
        var reportDb = new Option<string?>("--report-db")
        {
            Description =
                "The report store: a SQLite file path or a password-free PostgreSQL connection string; default: "
                + $"${ReportDatabase.EnvironmentVariable} (from a Secret), else reports.db in --data-dir.",
        };
        reportDb.Validators.Add(r =>
        {
            try
            {
                if (r.GetValue(reportDb) is { } location && ReportDatabase.Parse(location).HasPassword)
                {
                    r.AddError(
                        "--report-db: a password must not be an argument (it shows in the pod spec); "
                            + $"set {ReportDatabase.EnvironmentVariable}"
                    );
                }
            }
            catch (ArgumentException e)
            {
                r.AddError($"--report-db: {e.Message}");
            }
        });
        var reportWindow = Duration("--report-window", "The window status.reports and DmarcCompliant describe.", "7d");
        var reportRefresh = Duration("--report-refresh", "How often each domain's report view is recomputed.", "5m");
        var reportRetention = Duration("--report-retention", "How long reports are kept (a daily job deletes older ones).", "180d");
        var threshold = new Option<double>("--dmarc-pass-threshold")
        {
            Description = "The DMARC pass rate (0 to 1) at which a domain is DmarcCompliant.",
            DefaultValueFactory = _ => Core.Reports.ComplianceSettings.Default.Threshold,
        };
        threshold.Validators.Add(r =>
        {
            if (r.GetValue(threshold) is < 0 or > 1 or double.NaN)
            {
                r.AddError("--dmarc-pass-threshold must be a number from 0 to 1");
            }
        });
        var minMessages = new Option<long>("--dmarc-min-messages")
        {
            Description = "The messages a window needs before DmarcCompliant is judged (Unknown below).",
            DefaultValueFactory = _ => Core.Reports.ComplianceSettings.Default.MinMessages,
        };
        minMessages.Validators.Add(r =>
        {
            if (r.GetValue(minMessages) < 1)
            {
                r.AddError("--dmarc-min-messages must be at least 1");
            }
        });
        var publicCert = new Option<string?>("--public-tls-cert")
        {
            Description = "PEM certificate chain for an https:// --public-address.",
        };
        var publicKey = new Option<string?>("--public-tls-key") { Description = "PEM private key file for an https:// --public-address." };
        var publicAddress = new Option<string>("--public-address")
        {
            Description =
                "Kestrel URL for the internet-facing listener (POST /tlsrpt: TLS reports over HTTPS, RFC 8460), behind an "
                + "Ingress that terminates TLS; empty to disable.",
            DefaultValueFactory = _ => "",
        };
        publicAddress.Validators.Add(r =>
        {
            var value = r.GetValue(publicAddress);
            var https = value?.StartsWith("https://", StringComparison.OrdinalIgnoreCase) == true;
            var url = Uri.TryCreate(value?.Replace("+", "0.0.0.0"), UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https";
            if (!string.IsNullOrEmpty(value) && !url)
            {
                r.AddError("--public-address must be an http:// or https:// URL such as http://+:8081");
            }
            else if (https != (r.GetValue(publicCert) is not null && r.GetValue(publicKey) is not null))
            {
                r.AddError("--public-tls-cert and --public-tls-key go together, and only with an https:// --public-address");
            }
        });
        var blocklists = new Option<string[]>("--blocklist")
        {
            Description =
                "A blocklist every SendingDomain is checked against, ZONE[:ip|:domain], repeatable (default: the built-in set; "
                + "'none' turns reputation checks off). A Spamhaus DQS key comes from $"
                + ReputationCommand.DqsKeyVariable
                + ".",
        };
        blocklists.Validators.Add(r =>
        {
            foreach (var text in (r.GetValue(blocklists) ?? []).Where(t => t != "none"))
            {
                if (Core.Reputation.BlocklistCatalog.Parse(text).Error is { } error)
                {
                    r.AddError("--blocklist " + error);
                }
            }
        });
        var dailyBudget = new Option<int>("--blocklist-daily-budget")
        {
            Description = "Queries each blocklist may get per UTC day, across every domain.",
            DefaultValueFactory = _ => Core.Reputation.BudgetLimits.Default.PerDay,
        };
        dailyBudget.Validators.Add(r =>
        {
            if (r.Tokens is [.., var last] && int.TryParse(last.Value, out var perDay) && perDay < 1)
            {
                r.AddError("--blocklist-daily-budget must be at least 1");
            }
        });
        var rate = new Option<double>("--blocklist-rate")
        {
            Description = "Queries per second each blocklist may get.",
            DefaultValueFactory = _ => Core.Reputation.BudgetLimits.Default.PerSecond,
        };
        rate.Validators.Add(r =>
        {
            // The token, not GetValue: a value that is no number has its own parse error, and GetValue would throw on it.
            if (
                r.Tokens is [.., var last]
                && double.TryParse(last.Value, System.Globalization.CultureInfo.InvariantCulture, out var perSecond)
                && perSecond is <= 0 or double.NaN
            )
            {
                r.AddError("--blocklist-rate must be positive");
            }
        });
        var policyUrl = new Option<string>("--mta-sts-policy-url")
        {
            Description =
                "Where the operator reads a managed MTA-STS policy back before publishing its id ({domain} is replaced; the "
                + "request carries Host: mta-sts.DOMAIN).",
            DefaultValueFactory = _ => MtaSts.HttpPolicyFetcher.DefaultUrl,
        };
        policyUrl.Validators.Add(r =>
        {
            var value = r.GetValue(policyUrl)!;
            if (!value.Contains("{domain}", StringComparison.Ordinal) && !Uri.TryCreate(value, UriKind.Absolute, out _))
            {
                r.AddError("--mta-sts-policy-url must be an http(s) URL, with {domain} where the domain goes");
            }
        });
        var smtpPort = new Option<int>("--smtp-port")
        {
            Description = "The port the scheduled transport checks (spec.transportCheck) connect to on each MX host.",
            DefaultValueFactory = _ => 25,
        };
        smtpPort.Validators.Add(r =>
        {
            if (r.Tokens.Count > 0 && (!int.TryParse(r.Tokens[0].Value, out var port) || port is < 1 or > 65535))
            {
                r.AddError("--smtp-port must be a port from 1 to 65535");
            }
        });
        var caFile = new Option<string?>("--ca-file")
        {
            Description = "PEM roots trusted beside the system's by the transport checks and the MTA-STS policy fetch (a private PKI).",
        };
        var command = new Command("operator", "Run the operator: reconcile SendingDomains in a cluster.")
        {
            server,
            kubeconfig,
            ns,
            dataDir,
            nameservers,
            resolvers,
            workers,
            leaderElect,
            leaseNamespace,
            pulumi,
            metricsAddress,
            reportDb,
            reportWindow,
            reportRefresh,
            reportRetention,
            threshold,
            minMessages,
            publicAddress,
            publicCert,
            publicKey,
            blocklists,
            dailyBudget,
            rate,
            policyUrl,
            smtpPort,
            caFile,
        };
        command.SetAction(
            async (parse, token) =>
            {
                if (
                    CommonOptions.ParseNameservers(parse.GetValue(nameservers) ?? [], "operator", console) is not { } endpoints
                    || CommonOptions.ParseNameservers(parse.GetValue(resolvers) ?? [], "operator", console, "--resolver")
                        is not { } resolverEndpoints
                )
                {
                    return ExitCodes.Usage;
                }

                if (ReputationCommand.DqsKey() is { } dqs && !Core.Reputation.BlocklistCatalog.IsValidDqsKey(dqs))
                {
                    // Said, not fatal: exiting would crash-loop the pod over an optional Secret; the public zones are asked.
                    console.Error.WriteLine(
                        $"maildns operator: ${ReputationCommand.DqsKeyVariable} must be letters and digits only; "
                            + "it is ignored and the public Spamhaus zones are asked"
                    );
                }

                var (roots, rootsError) = Transport.TrustedRoots.Load(parse.GetValue(caFile));
                if (rootsError is not null)
                {
                    console.Error.WriteLine($"maildns operator: {rootsError}");
                    return ExitCodes.Usage;
                }

                var config =
                    parse.GetValue(server) is { } url ? new KubernetesClientConfiguration { Host = url }
                    : parse.GetValue(kubeconfig) is { } file ? KubernetesClientConfiguration.BuildConfigFromConfigFile(file)
                    : KubernetesClientConfiguration.IsInCluster() ? KubernetesClientConfiguration.InClusterConfig()
                    : KubernetesClientConfiguration.BuildConfigFromConfigFile();
                var options = new ControllerOptions(parse.GetValue(ns), parse.GetValue(dataDir)!, endpoints, parse.GetValue(workers))
                {
                    PulumiExecutable = parse.GetValue(pulumi)!,
                    Resolvers = resolverEndpoints.Count > 0 ? resolverEndpoints : null,
                    ReportDatabase = parse.GetValue(reportDb)
                        ?? NonEmpty(Environment.GetEnvironmentVariable(ReportDatabase.EnvironmentVariable)),
                    ReportWindow = DurationText.ParseOr(parse.GetValue(reportWindow), "7d"),
                    ReportRefresh = DurationText.ParseOr(parse.GetValue(reportRefresh), "5m"),
                    ReportRetention = DurationText.ParseOr(parse.GetValue(reportRetention), "180d"),
                    DmarcPassThreshold = parse.GetValue(threshold),
                    DmarcMinMessages = parse.GetValue(minMessages),
                    Blocklists = Core.Reputation.BlocklistCatalog.WithDqsKey(
                        Blocklists(parse.GetValue(blocklists)),
                        ReputationCommand.DqsKey()
                    ),
                    BlocklistBudget = new Core.Reputation.BudgetLimits(parse.GetValue(dailyBudget), parse.GetValue(rate)),
                    MtaStsFetcher = new MtaSts.HttpPolicyFetcher(parse.GetValue(policyUrl)!, extraRoots: roots),
                    Transport = Transport.TransportSettings.Default with
                    {
                        SmtpPort = parse.GetValue(smtpPort),
                        ExtraRoots = roots,
                        PolicyUrl = parse.GetValue(policyUrl)!,
                    },
                };
                var lease = parse.GetValue(leaderElect)
                    ? parse.GetValue(leaseNamespace) ?? Environment.GetEnvironmentVariable("POD_NAMESPACE") ?? "maildns-system"
                    : null;
                var settings = new OperatorHostSettings(config, options)
                {
                    MetricsPrefix = parse.GetValue(metricsAddress) ?? "",
                    Public = parse.GetValue(publicAddress) is { Length: > 0 } address
                        ? new PublicListenerSettings(address)
                        {
                            CertificatePath = parse.GetValue(publicCert),
                            KeyPath = parse.GetValue(publicKey),
                        }
                        : null,
                    LeaseNamespace = lease,
                };
                using var host = OperatorHost.Build(settings);
                await host.RunAsync(token);
                return ExitCodes.Ok;
            }
        );
        return command;
    }

    private static string? NonEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;

    /// <summary>The --blocklist values as lists: the built-in set when none is given, no list for 'none'.</summary>
    private static IReadOnlyList<Core.Reputation.Blocklist> Blocklists(string[]? texts) =>
        texts is null or { Length: 0 } ? Core.Reputation.BlocklistCatalog.BuiltIn
        : texts.Contains("none") ? []
        : texts.Select(t => Core.Reputation.BlocklistCatalog.Parse(t).List!).ToList();

    private static Option<string> Duration(string name, string description, string fallback)
    {
        var option = new Option<string>(name)
        {
            Description = $"{description} A duration: 30m, 12h, 7d.",
            DefaultValueFactory = _ => fallback,
        };
        option.Validators.Add(r =>
        {
            if (!DurationText.TryParse(r.GetValue(option), out var d) || d < TimeSpan.FromMinutes(1))
            {
                r.AddError($"{name} must be a duration of at least 1m, such as 30m, 12h or 7d");
            }
        });
        return option;
    }
}
