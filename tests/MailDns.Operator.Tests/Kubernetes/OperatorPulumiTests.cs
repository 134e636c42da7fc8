using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using MailDns.Core.Api;
using MailDns.Operator.Controllers;
using MailDns.Operator.Kubernetes;
using MailDns.Testing;
using Xunit.Abstractions;

namespace MailDns.Operator.Tests.Kubernetes;

/// <summary>
/// A Pulumi provider in the operator loop: the test API server, the controller in-process, and the `pulumi`
/// stand-in (tests/PulumiStandIn, which keeps each stack's state in its file backend) as the CLI.
/// </summary>
public class OperatorPulumiTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);
    private const string Stack = "mail-cf-example-org";

    private static GenericClient Domains(ApiServer api) => SendingDomainWait.Domains(api);

    private static string Ready(SendingDomain sd) => SendingDomainWait.Ready(sd);

    private static Task<SendingDomain> WaitForAsync(ApiServer api, string name, Func<SendingDomain, bool> condition) =>
        SendingDomainWait.UntilAsync(Domains(api), "mail", name, condition, "condition", Bound);

    /// <summary>The stack's resources as the stand-in's backend holds them: record name → TXT content.</summary>
    private static List<(string Name, string Content)> StackRecords(PulumiStandInHarness standIn)
    {
        var file = Path.Combine(standIn.Backend, ".pulumi", "stacks", "maildns", Stack + ".json");
        return JsonNode
            .Parse(File.ReadAllText(file))!
            .AsObject()
            .Where(p => (string?)p.Value!["type"] == "cloudflare:index/dnsRecord:DnsRecord")
            .Select(p => ((string)p.Value!["properties"]!["name"]!, (string)p.Value!["properties"]!["content"]!))
            .ToList();
    }

    private static async Task SetUpAsync(ApiServer api, PulumiStandInHarness standIn)
    {
        await api.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "mail" } });
        await api.Client.CoreV1.CreateNamespacedSecretAsync(
            new V1Secret
            {
                Metadata = new V1ObjectMeta { Name = "cloudflare" },
                StringData = new Dictionary<string, string> { ["CLOUDFLARE_API_TOKEN"] = PulumiStandInHarness.Token },
            },
            "mail"
        );
        await api.Client.CoreV1.CreateNamespacedSecretAsync(
            new V1Secret
            {
                Metadata = new V1ObjectMeta { Name = "pulumi" },
                StringData = new Dictionary<string, string> { ["passphrase"] = PulumiStandInHarness.Passphrase },
            },
            "mail"
        );
        var provider = new DnsProvider
        {
            Metadata = new V1ObjectMeta { Name = "cf", NamespaceProperty = "mail" },
            Spec = new DnsProviderSpec
            {
                Zone = "example.org",
                Pulumi = new PulumiProviderSpec
                {
                    Package = "cloudflare",
                    Config = new Dictionary<string, string> { ["zoneId"] = "023e105f4ecef8ad9ca31a8372d0c353" },
                    CredentialsSecretRef = new SecretRef { Name = "cloudflare" },
                    PassphraseSecretRef = new SecretKeyRef { Name = "pulumi", Key = "passphrase" },
                    Backend = "file://" + standIn.Backend,
                },
            },
        };
        await new GenericClient(api.Client, "maildns.io", "v1alpha1", "dnsproviders", disposeClient: false).CreateNamespacedAsync(
            provider,
            "mail"
        );
    }

    private static SendingDomain Domain(string name)
    {
        var sd = OperatorEndToEndTests.Domain(name, deletion: "Delete");
        sd.Spec.ProviderRef = new ProviderRef { Name = "cf" };
        return sd;
    }

    /// <summary>
    /// The operator on the stand-in. Its health checks look the zone up through a loopback BIND that serves
    /// another zone (it refuses), never through the machine's resolvers: no test asks beyond 127.0.0.1.
    /// </summary>
    private static OperatorRuntime Controller(
        ApiServer api,
        TempDir data,
        PulumiStandInHarness standIn,
        BindServer resolver,
        int workers = 4,
        int windowMs = 500
    )
    {
        var options = new ControllerOptions(null, data.Path, [], workers)
        {
            PulumiExecutable = standIn.Executable,
            PulumiWindow = TimeSpan.FromMilliseconds(windowMs),
            Resolvers = [resolver.Endpoint],
        };
        return OperatorServices.Create(api.Client, options, TimeProvider.System);
    }

    [Fact]
    public async Task Domains_on_a_pulumi_provider_share_few_stack_runs_survive_a_restart_report_provider_errors_and_are_removed_on_delete()
    {
        await using var api = await ApiServer.StartAsync();
        using var standIn = new PulumiStandInHarness();
        using var data = new TempDir();
        using var resolver = new BindServer("resolver.test");
        await SetUpAsync(api, standIn);
        var names = Enumerable.Range(0, 12).Select(i => $"d{i}").ToList();
        using (var stop = new CancellationTokenSource())
        {
            var running = Controller(api, data, standIn, resolver).RunAsync(stop.Token);
            await Task.WhenAll(names.Select(n => Domains(api).CreateNamespacedAsync(Domain(n), "mail")));
            foreach (var name in names)
            {
                await WaitForAsync(api, name, sd => Ready(sd) == "True/Published");
            }

            await stop.CancelAsync();
            await running;
        }

        // One stack holds every domain's SPF, DMARC and DKIM record; twelve domains shared a few runs.
        var ups = standIn.Calls().Count(c => (string?)c["argv"]![0] == "up");
        output.WriteLine($"12 SendingDomains created at once: {ups} pulumi up run(s)");
        Assert.InRange(ups, 1, 6);
        var records = StackRecords(standIn);
        Assert.Equal(36, records.Count);
        Assert.All(names, n => Assert.Contains(($"{n}.example.org", "v=spf1 ip4:198.51.100.10 -all"), records));

        // A new operator (nothing in memory, one worker, a short window) reconciles every domain again: the stack
        // starts from their statuses, so nothing looks missing and no run happens until one domain changes.
        using var stopAgain = new CancellationTokenSource();
        var again = Controller(api, data, standIn, resolver, workers: 1, windowMs: 20).RunAsync(stopAgain.Token);
        await Domains(api)
            .PatchNamespacedAsync<SendingDomain>(
                new V1Patch("""{"spec":{"dmarc":{"policy":"quarantine"}}}""", V1Patch.PatchType.MergePatch),
                "mail",
                "d0"
            );
        await WaitForAsync(api, "d0", sd => sd.Status?.ObservedGeneration == 2 && Ready(sd) == "True/Published");
        Assert.Equal(ups + 1, standIn.Calls().Count(c => (string?)c["argv"]![0] == "up"));
        records = StackRecords(standIn);
        Assert.Equal(36, records.Count);
        Assert.StartsWith(
            "v=DMARC1; p=quarantine",
            records.Single(r => r.Name == "_dmarc.d0.example.org").Content,
            StringComparison.Ordinal
        );
        Assert.StartsWith("v=DMARC1; p=reject", records.Single(r => r.Name == "_dmarc.d1.example.org").Content, StringComparison.Ordinal);

        // The provider refuses a record: the reason reaches status; once it accepts again, the retry converges.
        standIn.FailMode = "resource";
        await Domains(api)
            .PatchNamespacedAsync<SendingDomain>(
                new V1Patch("""{"spec":{"dmarc":{"policy":"quarantine"}}}""", V1Patch.PatchType.MergePatch),
                "mail",
                "d1"
            );
        var failed = await WaitForAsync(api, "d1", sd => Ready(sd) == "False/PublishFailed");
        Assert.Contains("400 Bad Request: record content is invalid", failed.Status!.Conditions!.Single(c => c.Type == "Ready").Message);
        standIn.FailMode = null;
        await WaitForAsync(api, "d1", sd => sd.Status?.ObservedGeneration == 2 && Ready(sd) == "True/Published");
        Assert.StartsWith(
            "v=DMARC1; p=quarantine",
            StackRecords(standIn).Single(r => r.Name == "_dmarc.d1.example.org").Content,
            StringComparison.Ordinal
        );

        // Deletion (policy Delete) takes exactly that domain's three records out of the stack.
        await Domains(api).DeleteNamespacedAsync<SendingDomain>("mail", "d2");
        await SendingDomainWait.GoneAsync(Domains(api), "mail", "d2", Bound);

        records = StackRecords(standIn);
        Assert.Equal(33, records.Count);
        Assert.DoesNotContain(records, r => r.Name.EndsWith("d2.example.org", StringComparison.Ordinal));
        await stopAgain.CancelAsync();
        await again;

        // The credentials went to the pulumi process as environment variables only: never in an argument, a
        // workspace file or the operator's status.
        Assert.All(standIn.Calls(), c => Assert.Contains("CLOUDFLARE_API_TOKEN", c["env"]!.AsArray().Select(n => (string)n!)));
        var everything =
            File.ReadAllText(standIn.LogFile)
            + string.Concat(Directory.EnumerateFiles(data.Path, "*", SearchOption.AllDirectories).Select(File.ReadAllText))
            + JsonSerializer.Serialize((await Domains(api).ListNamespacedAsync<SendingDomainList>("mail")).Items.Select(sd => sd.Status));
        Assert.DoesNotContain(PulumiStandInHarness.Token, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(PulumiStandInHarness.Passphrase, everything, StringComparison.Ordinal);
    }
}
