using System.CommandLine;
using k8s;
using MailDns.Operator.Hosting;
using MailDns.Operator.Kubernetes;
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

                var config =
                    parse.GetValue(server) is { } url ? new KubernetesClientConfiguration { Host = url }
                    : parse.GetValue(kubeconfig) is { } file ? KubernetesClientConfiguration.BuildConfigFromConfigFile(file)
                    : KubernetesClientConfiguration.IsInCluster() ? KubernetesClientConfiguration.InClusterConfig()
                    : KubernetesClientConfiguration.BuildConfigFromConfigFile();
                var options = new ControllerOptions(parse.GetValue(ns), parse.GetValue(dataDir)!, endpoints, parse.GetValue(workers))
                {
                    PulumiExecutable = parse.GetValue(pulumi)!,
                    Resolvers = resolverEndpoints.Count > 0 ? resolverEndpoints : null,
                };
                var lease = parse.GetValue(leaderElect)
                    ? parse.GetValue(leaseNamespace) ?? Environment.GetEnvironmentVariable("POD_NAMESPACE") ?? "maildns-system"
                    : null;
                var settings = new OperatorHostSettings(config, options)
                {
                    MetricsPrefix = parse.GetValue(metricsAddress) ?? "",
                    LeaseNamespace = lease,
                };
                using var host = OperatorHost.Build(settings);
                await host.RunAsync(token);
                return ExitCodes.Ok;
            }
        );
        return command;
    }
}
