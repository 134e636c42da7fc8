using k8s;
using k8s.Models;
using MailDns.Core.Api;
using MailDns.Testing;

namespace MailDns.TestApiServer.Tests;

/// <summary>The real kubectl as a second client: the user journeys of `kubectl apply`, `get`, `wait` and `delete`.</summary>
public class KubectlTests
{
    private static readonly string Crds = Server.RepoRoot("crds");
    private static readonly string Quickstart = Server.RepoRoot("examples", "quickstart");

    private static async Task<(Server Server, Kubectl Kubectl)> StartAsync()
    {
        var server = await Server.StartAsync(installCrds: false);
        var kubectl = new Kubectl(server.Host.BaseAddress);
        var crds = await kubectl.RunAsync("apply", "-f", Crds);
        Assert.True(crds.ExitCode == 0, crds.Output);
        Assert.Contains("customresourcedefinition.apiextensions.k8s.io/sendingdomains.maildns.io created", crds.Stdout);
        return (server, kubectl);
    }

    private static async Task<SendingDomain> ReadAsync(Server server, string name) =>
        await server.SendingDomains.ReadNamespacedAsync<SendingDomain>("default", name);

    [Fact]
    public async Task Applying_the_quickstart_creates_it_and_get_prints_the_printer_columns_and_yaml()
    {
        var (server, kubectl) = await StartAsync();
        await using var _ = server;
        using var __ = kubectl;

        var apply = await kubectl.RunAsync("apply", "-f", Quickstart);
        Assert.True(apply.ExitCode == 0, apply.Output);
        Assert.Contains("sendingdomain.maildns.io/mail-example-com created", apply.Stdout);

        var table = await kubectl.RunAsync("get", "sd");
        Assert.True(table.ExitCode == 0, table.Output);
        var lines = table.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(
            ["NAME", "DOMAIN", "READY", "SELECTOR", "NEXT-ROTATION", "HEALTHY", "DMARC", "DMARC-PASS", "REPUTATION", "AGE"],
            lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries)
        );
        Assert.StartsWith("mail-example-com", lines[1]);
        Assert.Contains("mail.example.com", lines[1]);

        var yaml = await kubectl.RunAsync("get", "sd", "mail-example-com", "-o", "yaml");
        Assert.Contains("domain: mail.example.com", yaml.Stdout);
        Assert.Contains("generation: 1", yaml.Stdout);
        Assert.Contains("ttl: 3600", yaml.Stdout);
        Assert.Contains("kubectl.kubernetes.io/last-applied-configuration", yaml.Stdout);

        foreach (var name in new[] { "mail", "maildns" }) // kubectl get maildns lists every kind of the product
        {
            var category = await kubectl.RunAsync("get", name);
            Assert.Contains("sendingdomain.maildns.io/mail-example-com", category.Stdout);
            Assert.Contains("dnsprovider.maildns.io/local-zone", category.Stdout);
        }
    }

    [Fact]
    public async Task Reapplying_a_changed_manifest_patches_it_and_bumps_the_generation()
    {
        var (server, kubectl) = await StartAsync();
        await using var _ = server;
        using var __ = kubectl;
        await kubectl.RunAsync("apply", "-f", Quickstart);
        var manifest = (await File.ReadAllTextAsync(Path.Combine(Quickstart, "sendingdomain.yaml"))).Replace(
            "policy: quarantine",
            "policy: reject",
            StringComparison.Ordinal
        );
        Assert.Contains("policy: reject", manifest);

        var unchanged = await kubectl.RunAsync("apply", "-f", Quickstart);
        Assert.Contains("sendingdomain.maildns.io/mail-example-com unchanged", unchanged.Stdout);
        var changed = await kubectl.RunWithInputAsync(manifest, "apply", "-f", "-");

        Assert.True(changed.ExitCode == 0, changed.Output);
        Assert.Contains("sendingdomain.maildns.io/mail-example-com configured", changed.Stdout);
        var sd = await ReadAsync(server, "mail-example-com");
        Assert.Equal("reject", sd.Spec.Dmarc!.Policy);
        Assert.Equal(2, sd.Metadata.Generation);
        Assert.Contains(server.Host.Requests, r => r.Verb == "patch" && r.Resource == "sendingdomains" && r.Status == 200);
    }

    [Fact]
    public async Task An_invalid_manifest_is_refused_with_each_field_named_in_kubectls_error()
    {
        var (server, kubectl) = await StartAsync();
        await using var _ = server;
        using var __ = kubectl;
        const string invalid = """
            apiVersion: maildns.io/v1alpha1
            kind: SendingDomain
            metadata:
              name: bad
            spec:
              domain: bad.example.com
              providerRef: {name: local-zone}
              ttl: 5
              dmarc: {policy: sometimes}
            """;

        var refused = await kubectl.RunWithInputAsync(invalid, "apply", "-f", "-");

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("The SendingDomain \"bad\" is invalid", refused.Stderr);
        Assert.Contains("spec.ttl: Invalid value: 5: spec.ttl in body should be greater than or equal to 60", refused.Stderr);
        Assert.Contains("spec.dmarc.policy: Unsupported value: \"sometimes\"", refused.Stderr);
        var unknown = await kubectl.RunWithInputAsync(
            invalid.Replace("ttl: 5", "colour: blue", StringComparison.Ordinal).Replace("sometimes", "none", StringComparison.Ordinal),
            "apply",
            "-f",
            "-"
        );
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("unknown field \"spec.colour\"", unknown.Stderr);
        Assert.Empty((await server.SendingDomains.ListNamespacedAsync<SendingDomainList>("default")).Items);
    }

    [Fact]
    public async Task Kubectl_wait_for_ready_returns_when_the_status_subresource_says_so()
    {
        var (server, kubectl) = await StartAsync();
        await using var _ = server;
        using var __ = kubectl;
        await kubectl.RunAsync("apply", "-f", Quickstart);

        var waiting = kubectl.Start("wait", "--for=condition=Ready", "sendingdomain/mail-example-com", "--timeout=45s");
        await WaitForAsync(() => server.Host.Requests.Any(r => r.Verb is "watch" or "get" && r.Resource == "sendingdomains"));
        await server.Client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(
            new V1Patch(
                """
                {"status":{"observedGeneration":1,"conditions":[{"type":"Ready","status":"True","reason":"Published",
                  "message":"records verified","lastTransitionTime":"2026-11-22T00:00:00Z","observedGeneration":1}]}}
                """,
                V1Patch.PatchType.MergePatch
            ),
            "maildns.io",
            "v1alpha1",
            "default",
            "sendingdomains",
            "mail-example-com"
        );
        var done = await Kubectl.WaitAsync(waiting);

        Assert.True(done.ExitCode == 0, done.Output);
        Assert.Contains("sendingdomain.maildns.io/mail-example-com condition met", done.Stdout);
        var table = await kubectl.RunAsync("get", "sd");
        Assert.Matches(@"mail-example-com\s+mail\.example\.com\s+True", table.Stdout);
    }

    [Fact]
    public async Task Kubectl_delete_waits_for_the_finalizer_and_finishes_when_it_is_removed()
    {
        var (server, kubectl) = await StartAsync();
        await using var _ = server;
        using var __ = kubectl;
        await kubectl.RunAsync("apply", "-f", Quickstart);
        await server.SendingDomains.PatchNamespacedAsync<SendingDomain>(
            new V1Patch("""{"metadata":{"finalizers":["maildns.io/records"]}}""", V1Patch.PatchType.MergePatch),
            "default",
            "mail-example-com"
        );

        var deleting = kubectl.Start("delete", "sd", "mail-example-com", "--timeout=45s");
        await WaitForAsync(async () => (await ReadAsync(server, "mail-example-com")).Metadata.DeletionTimestamp is not null);
        Assert.False(deleting.HasExited);
        await server.SendingDomains.PatchNamespacedAsync<SendingDomain>(
            new V1Patch("""{"metadata":{"finalizers":null}}""", V1Patch.PatchType.MergePatch),
            "default",
            "mail-example-com"
        );
        var done = await Kubectl.WaitAsync(deleting);

        Assert.True(done.ExitCode == 0, done.Output);
        Assert.Contains("sendingdomain.maildns.io \"mail-example-com\" deleted", done.Stdout);
        var gone = await kubectl.RunAsync("get", "sd", "mail-example-com");
        Assert.Contains("NotFound", gone.Stderr);
    }

    [Fact]
    public async Task Every_example_applies_with_its_secrets_stored_as_data()
    {
        var (server, kubectl) = await StartAsync();
        await using var _ = server;
        using var __ = kubectl;
        // `kubectl create namespace` sends protobuf, which the stand-in answers 415; apply sends JSON.
        var typed = await kubectl.RunAsync("create", "namespace", "mail");
        Assert.Contains("UnsupportedMediaType", typed.Stderr);
        foreach (var ns in new[] { "mail", "billing", "maildns-system" })
        {
            Assert.Equal(
                0,
                (
                    await kubectl.RunWithInputAsync($"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n", "apply", "-f", "-")
                ).ExitCode
            );
        }

        // Every example except deploy/, a kustomization of kinds (Deployment, RBAC) this stand-in does not serve, and
        // monitoring/, Prometheus rule files and Grafana dashboards (MonitoringMixinTests checks those).
        var folders = Directory
            .GetDirectories(Server.RepoRoot("examples"))
            .Where(d => Path.GetFileName(d) is not ("deploy" or "monitoring"))
            .SelectMany(d => new[] { "-f", d })
            .ToArray();
        var apply = await kubectl.RunAsync(["apply", .. folders]);

        Assert.True(apply.ExitCode == 0, apply.Output);
        var secrets = await server.Client.CoreV1.ListNamespacedSecretAsync("mail");
        Assert.NotEmpty(secrets.Items);
        Assert.All(secrets.Items, s => Assert.NotEmpty(s.Data));
        var providers = await kubectl.RunAsync("get", "dnsp", "-A", "-o", "name");
        Assert.True(providers.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length >= 6, providers.Output);
    }

    private static Task WaitForAsync(Func<bool> condition) => WaitForAsync(() => Task.FromResult(condition()));

    /// <summary>Polls an observable condition with a bound; the bound is a failure, never a pass.</summary>
    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached within 30 s");
            await Task.Delay(20);
        }
    }
}
