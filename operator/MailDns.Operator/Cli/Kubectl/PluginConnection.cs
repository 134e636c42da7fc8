using System.CommandLine;
using k8s;

namespace MailDns.Operator.Cli.Kubectl;

/// <summary>
/// The connection flags as kubectl has them, since kubectl hands a plugin its flags untouched: --kubeconfig (else
/// $KUBECONFIG, else ~/.kube/config, else in-cluster), --context, --server, and -n/--namespace (else the context's
/// namespace, else "default").
/// </summary>
public sealed class PluginConnection
{
    public Option<string?> Kubeconfig { get; } = new("--kubeconfig") { Description = "Path to the kubeconfig file." };

    public Option<string?> Context { get; } = new("--context") { Description = "The kubeconfig context to use." };

    public Option<string?> Server { get; } = new("--server", "-s") { Description = "The address of the Kubernetes API server." };

    public Option<string?> Namespace { get; } = new("--namespace", "-n") { Description = "The namespace (default: the context's)." };

    public void AddTo(Command command)
    {
        command.Options.Add(Kubeconfig);
        command.Options.Add(Context);
        command.Options.Add(Server);
        command.Options.Add(Namespace);
    }

    /// <summary>The client and the namespace to use.</summary>
    public (IKubernetes Client, string Namespace) Connect(ParseResult parse)
    {
        var file = parse.GetValue(Kubeconfig) ?? NonEmpty(Environment.GetEnvironmentVariable("KUBECONFIG"))?.Split(':')[0];
        var path = file ?? KubernetesClientConfiguration.KubeConfigDefaultLocation;
        KubernetesClientConfiguration config;
        if (File.Exists(path) && new FileInfo(path).Length > 0)
        {
            config = KubernetesClientConfiguration.BuildConfigFromConfigFile(path, parse.GetValue(Context));
        }
        else if (file is null && parse.GetValue(Server) is null && KubernetesClientConfiguration.IsInCluster())
        {
            config = KubernetesClientConfiguration.InClusterConfig();
        }
        else if (parse.GetValue(Server) is not null)
        {
            config = new KubernetesClientConfiguration(); // as kubectl: an empty kubeconfig (/dev/null) with --server
        }
        else
        {
            throw new FileNotFoundException($"no kubeconfig at {path} and no --server given");
        }

        if (parse.GetValue(Server) is { } server)
        {
            config.Host = server;
        }

        return (new k8s.Kubernetes(config), parse.GetValue(Namespace) ?? NonEmpty(config.Namespace) ?? "default");
    }

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
