using System.Text.Json.Nodes;
using k8s;
using MailDns.Core.Api;
using MailDns.Testing;

namespace MailDns.Operator.Tests.Deployment;

/// <summary>
/// The image's trimmed publish (the Dockerfile's `dotnet publish -p:PublishTrimmed=true`, here without ReadyToRun, which
/// changes no behaviour) from a copy of the sources, so it never races the suite's own build: the framework is trimmed,
/// and the trimmed `maildns` still writes its JSON outputs and runs the operator's journey (CRD schemas, Kubernetes client,
/// key Secret, zone file, finalizer) against the test API server. Reflection the trimmer removed would fail here.
/// </summary>
public sealed class TrimmedPublishTests : IClassFixture<TrimmedPublishTests.Published>
{
    /// <summary>One publish for the class (without ReadyToRun).</summary>
    public sealed class Published() : IDisposable
    {
        private readonly ImagePublish publish = new(readyToRun: false);

        public string Output => publish.Output;

        public string PublishLog => publish.Log;

        public bool Succeeded => publish.Succeeded;

        public string Maildns => publish.Maildns;

        public void Dispose() => publish.Dispose();
    }

    private readonly Published published;

    public TrimmedPublishTests(Published published)
    {
        this.published = published;
        Assert.True(published.Succeeded, published.PublishLog);
    }

    [Fact]
    public void The_framework_is_trimmed_and_the_cli_still_writes_its_json()
    {
        // Framework assemblies the product never uses are gone; a self-contained untrimmed publish has them.
        Assert.False(File.Exists(Path.Combine(published.Output, "Microsoft.VisualBasic.Core.dll")));
        Assert.True(File.Exists(Path.Combine(published.Output, "maildns.dll")));

        var (validated, output) = Tool.Run(published.Maildns, "validate", Repo.PathOf("examples"), "--output", "json");
        Assert.True(validated == 0, output);
        Assert.NotEmpty(JsonNode.Parse(output)!.AsArray());

        var (linted, lint) = Tool.Run(
            published.Maildns,
            "lint",
            "dmarc",
            "v=DMARC1; p=reject; rua=mailto:d@example.com",
            "--output",
            "json"
        );
        Assert.Equal(0, linted);
        Assert.True((bool)JsonNode.Parse(lint)!["valid"]!);
    }

    [Fact]
    public async Task The_trimmed_operator_makes_the_quick_start_ready_and_finalizes_it_on_deletion()
    {
        await using var api = await ApiServer.StartAsync();
        using var data = new TempDir();
        var (applied, output) = api.Kubectl("apply", "-f", Repo.PathOf("examples", "quickstart"));
        Assert.True(applied == 0, output);
        using var process = OperatorProcess.StartExecutable(published.Maildns, api.Host.BaseAddress, data.Path);
        try
        {
            var domains = new GenericClient(api.Client, "maildns.io", "v1alpha1", "sendingdomains", disposeClient: false);
            var ready = await Kubernetes.SendingDomainWait.UntilAsync(
                domains,
                "default",
                "mail-example-com",
                s => Kubernetes.SendingDomainWait.Ready(s).StartsWith("True", StringComparison.Ordinal),
                "Ready"
            );
            Assert.NotEmpty(ready.Status!.Records!);
            Assert.NotNull(await api.Client.CoreV1.ReadNamespacedSecretAsync(Core.Dkim.Storage.KeySecret.NameFor(ready), "default"));
            using var http = new HttpClient { BaseAddress = process.Metrics };
            Assert.Contains("maildns_domain_ready", await http.GetStringAsync("metrics"));

            await domains.DeleteNamespacedAsync<SendingDomain>("default", "mail-example-com");
            await Kubernetes.SendingDomainWait.GoneAsync(domains, "default", "mail-example-com");
        }
        finally
        {
            process.Signal(15);
            process.Process.WaitForExit(30_000);
        }

        Assert.DoesNotContain("internal error", process.Log, StringComparison.Ordinal);
        Assert.DoesNotContain("\"LogLevel\":\"Error\"", process.Log, StringComparison.Ordinal);
    }
}
