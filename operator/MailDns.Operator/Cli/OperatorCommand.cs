using System.CommandLine;
using k8s;
using MailDns.Operator.Kubernetes;
using Microsoft.Extensions.Logging;

namespace MailDns.Operator.Cli;

/// <summary><c>maildns operator</c>: the controller against a Kubernetes API server, until stopped (SIGTERM, Ctrl-C).</summary>
public static class OperatorCommand
{
    public static Command Create(Console2 console)
    {
        var server = new Option<string?>("--server") { Description = "API server URL (tests, kubectl proxy); without it --kubeconfig, then in-cluster config." };
        var kubeconfig = new Option<string?>("--kubeconfig") { Description = "A kubeconfig file." };
        var ns = new Option<string?>("--namespace") { Description = "Watch one namespace only (default: all)." };
        var dataDir = new Option<string>("--data-dir") { Description = "Where zoneFile providers with relative paths write.", DefaultValueFactory = _ => "/var/lib/maildns" };
        var nameservers = new Option<string[]>("--nameserver") { Description = "Verify against this server (IP or IP:port), repeatable." };
        var workers = new Option<int>("--workers") { Description = "SendingDomains reconciled at once.", DefaultValueFactory = _ => 4 };
        var leaderElect = new Option<bool>("--leader-elect") { Description = "Reconcile only while holding the Lease, so replicas take over from each other." };
        var leaseNamespace = new Option<string?>("--leader-election-namespace") { Description = "Namespace of the Lease (default: $POD_NAMESPACE, else maildns-system)." };
        var pulumi = new Option<string>("--pulumi") { Description = "The pulumi CLI that publishes Pulumi providers' stacks.", DefaultValueFactory = _ => "pulumi" };
        var metricsAddress = new Option<string>("--metrics-address") { Description = "HttpListener prefix for /metrics, /healthz and /readyz; empty to disable.", DefaultValueFactory = _ => "http://+:8080/" };
        var command = new Command("operator", "Run the operator: reconcile SendingDomains in a cluster.") { server, kubeconfig, ns, dataDir, nameservers, workers, leaderElect, leaseNamespace, pulumi, metricsAddress };
        command.SetAction(async (parse, token) =>
        {
            if (CommonOptions.ParseNameservers(parse.GetValue(nameservers) ?? [], "operator", console) is not { } endpoints)
            {
                return ExitCodes.Usage;
            }

            var config = parse.GetValue(server) is { } url ? new KubernetesClientConfiguration { Host = url }
                : parse.GetValue(kubeconfig) is { } file ? KubernetesClientConfiguration.BuildConfigFromConfigFile(file)
                : KubernetesClientConfiguration.IsInCluster() ? KubernetesClientConfiguration.InClusterConfig()
                : KubernetesClientConfiguration.BuildConfigFromConfigFile();
            using var client = new k8s.Kubernetes(config);
            var options = new ControllerOptions(parse.GetValue(ns), parse.GetValue(dataDir)!, endpoints, parse.GetValue(workers)) { PulumiExecutable = parse.GetValue(pulumi)! };

            // One JSON object per line on stdout, with the object key in scope, for any log pipeline to index.
            using (var logs = LoggerFactory.Create(b => b.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            })))
            {
                var logger = logs.CreateLogger("maildns.operator");
                var registry = Prometheus.Metrics.NewCustomRegistry();
                Prometheus.DotNetStats.Register(registry); // process and GC figures, as controller-runtime exports go_* and process_*
                var metrics = new OperatorMetrics(registry);
                var controller = new SendingDomainController(client, options, TimeProvider.System, metrics, logger);
                using var observability = parse.GetValue(metricsAddress) is { Length: > 0 } prefix ? new ObservabilityServer(prefix, metrics.Registry, () => controller.Synced) : null;
                observability?.Start();
                logger.LogInformation("operator started: server {Server}, namespace {Namespace}, {Workers} workers", config.Host, options.Namespace ?? "*", options.Workers);
                try
                {
                    if (parse.GetValue(leaderElect))
                    {
                        var leaseNs = parse.GetValue(leaseNamespace) ?? Environment.GetEnvironmentVariable("POD_NAMESPACE") ?? "maildns-system";
                        var identity = $"{Environment.MachineName}-{Environment.ProcessId}";
                        await Leadership.RunWhileLeadingAsync(client, leaseNs, "maildns-operator", identity, LeaseTimings.Default, controller.RunAsync, token, logger);
                    }
                    else
                    {
                        await controller.RunAsync(token);
                    }
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                }

                logger.LogInformation("operator stopped");
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
