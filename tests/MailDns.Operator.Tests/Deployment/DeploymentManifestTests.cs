using MailDns.Testing;
using YamlDotNet.RepresentationModel;

namespace MailDns.Operator.Tests.Deployment;

/// <summary>examples/deploy: rendered by the real kustomize in kubectl, with the production settings the issue asks for.</summary>
public class DeploymentManifestTests
{
    private static List<YamlMappingNode> Render()
    {
        var (exit, output) = Tool.Run("kubectl", "kustomize", Repo.PathOf("examples", "deploy"));
        Assert.True(exit == 0, output);
        var yaml = new YamlStream();
        yaml.Load(new StringReader(output));
        return yaml.Documents.Select(d => (YamlMappingNode)d.RootNode).ToList();
    }

    private static YamlMappingNode Kind(List<YamlMappingNode> docs, string kind) => docs.Single(d => d["kind"].ToString() == kind);

    [Fact]
    public void Kustomize_renders_the_operator_with_probes_limits_non_root_read_only_root_and_two_leader_elected_replicas()
    {
        var docs = Render();

        Assert.Equal(4, docs.Count(d => d["kind"].ToString() == "CustomResourceDefinition"));
        var deployment = Kind(docs, "Deployment");
        Assert.Equal("maildns-system", deployment["metadata"]["namespace"].ToString());
        Assert.Equal("2", deployment["spec"]["replicas"].ToString());
        var pod = (YamlMappingNode)deployment["spec"]["template"]["spec"];
        Assert.Equal("true", pod["securityContext"]["runAsNonRoot"].ToString());
        var container = (YamlMappingNode)((YamlSequenceNode)pod["containers"]).Children[0];
        Assert.Contains("--leader-elect", ((YamlSequenceNode)container["args"]).Children.Select(c => c.ToString()));
        Assert.Equal("true", container["securityContext"]["readOnlyRootFilesystem"].ToString());
        Assert.Equal("/healthz", container["livenessProbe"]["httpGet"]["path"].ToString());
        Assert.Equal("/readyz", container["readinessProbe"]["httpGet"]["path"].ToString());
        Assert.NotNull(container["resources"]["limits"]["memory"]);
        Assert.Equal("registry.example.com/maildns-operator:0.1.0", container["image"].ToString());
        // Metrics and the internet-facing listener on separate ports and Services: an Ingress to one exposes nothing of the other.
        string PortOf(string service) =>
            (
                (YamlMappingNode)
                    (
                        (YamlSequenceNode)
                            docs.Single(d => d["kind"].ToString() == "Service" && d["metadata"]["name"].ToString() == service)["spec"][
                                "ports"
                            ]
                    ).Children.Single()
            )["targetPort"]
                .ToString();
        Assert.Equal(("metrics", "public"), (PortOf("maildns-operator-metrics"), PortOf("maildns-operator-public")));
        var args = ((YamlSequenceNode)container["args"]).Children.Select(c => c.ToString()).ToList();
        Assert.Equal("http://+:8081", args[args.IndexOf("--public-address") + 1]);
    }

    [Fact]
    public void The_rbac_grants_no_wildcards_and_leases_only_in_the_operators_namespace()
    {
        var docs = Render();

        var rules = docs.Where(d => d["kind"].ToString() is "ClusterRole" or "Role")
            .SelectMany(d => ((YamlSequenceNode)d["rules"]).Children.Cast<YamlMappingNode>())
            .ToList();
        Assert.All(rules, r =>
            Assert.DoesNotContain(
                "*",
                ((YamlSequenceNode)r["verbs"])
                    .Children.Select(v => v.ToString())
                    .Concat(((YamlSequenceNode)r["resources"]).Children.Select(v => v.ToString()))
            )
        );
        Assert.Contains(
            "leases",
            ((YamlSequenceNode)((YamlMappingNode)((YamlSequenceNode)Kind(docs, "Role")["rules"]).Children[0])["resources"]).Children.Select(
                v => v.ToString()
            )
        );
        Assert.DoesNotContain(((YamlSequenceNode)Kind(docs, "ClusterRole")["rules"]).Children.Cast<YamlMappingNode>(), r =>
            ((YamlSequenceNode)r["resources"]).Children.Any(v => v.ToString() == "leases")
        );
    }

    [Fact]
    public void The_image_sets_the_environment_the_tests_and_benchmarks_run_the_operator_with()
    {
        var runtime = File.ReadAllText(Repo.PathOf("Dockerfile")).Split("\nFROM ")[^1];
        var env = runtime
            .Split('\n')
            .Where(l => l.StartsWith("ENV ", StringComparison.Ordinal))
            .SelectMany(l => l[4..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .ToList();

        Assert.NotEmpty(OperatorProcess.ImageEnvironment);
        Assert.All(OperatorProcess.ImageEnvironment, pair => Assert.Contains($"{pair.Key}={pair.Value}", env));
    }

    [Fact]
    public void The_crds_in_the_kustomization_are_exactly_those_in_crds()
    {
        foreach (var file in Directory.GetFiles(Repo.PathOf("crds"), "*.yaml"))
        {
            Assert.Equal(File.ReadAllText(file), File.ReadAllText(Repo.PathOf("examples", "deploy", "crds", Path.GetFileName(file))));
        }
    }
}
