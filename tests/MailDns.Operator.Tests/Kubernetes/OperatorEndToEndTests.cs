using System.Text.Json;
using k8s;
using k8s.Models;
using MailDns.Core.Api;
using MailDns.Operator.Controllers;
using MailDns.Operator.Kubernetes;
using MailDns.Testing;

namespace MailDns.Operator.Tests.Kubernetes;

/// <summary>
/// The operator's main journey with real parts except the API server: the test API server over HTTP, a real BIND
/// taking RFC 2136 updates, the controller running in-process, and the real kubectl reading the result.
/// </summary>
public class OperatorEndToEndTests
{
    private static GenericClient Domains(ApiServer api) => SendingDomainWait.Domains(api);

    private static string Ready(SendingDomain sd) => SendingDomainWait.Ready(sd);

    private static Task<SendingDomain> WaitForAsync(ApiServer api, string name, Func<SendingDomain, bool> condition) =>
        SendingDomainWait.UntilAsync(Domains(api), "mail", name, condition, "condition");

    internal static async Task SetUpAsync(ApiServer api, BindServer bind)
    {
        await api.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "mail" } });
        await api.Client.CoreV1.CreateNamespacedSecretAsync(
            new V1Secret
            {
                Metadata = new V1ObjectMeta { Name = "tsig" },
                StringData = new Dictionary<string, string> { ["secret"] = bind.Secret },
            },
            "mail"
        );
        var provider = new DnsProvider
        {
            Metadata = new V1ObjectMeta { Name = "bind", NamespaceProperty = "mail" },
            Spec = new DnsProviderSpec
            {
                Zone = bind.Zone,
                Rfc2136 = new Rfc2136ProviderSpec
                {
                    Server = $"127.0.0.1:{bind.Port}",
                    TsigKeyName = bind.KeyName,
                    TsigAlgorithm = "hmac-sha256",
                    TsigSecretRef = new SecretKeyRef { Name = "tsig", Key = "secret" },
                },
            },
        };
        await new GenericClient(api.Client, "maildns.io", "v1alpha1", "dnsproviders", disposeClient: false).CreateNamespacedAsync(
            provider,
            "mail"
        );
    }

    internal static SendingDomain Domain(string name, string policy = "reject", string deletion = "Retain") =>
        new()
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "mail" },
            Spec = new SendingDomainSpec
            {
                Domain = $"{name}.example.org",
                ProviderRef = new ProviderRef { Name = "bind" },
                Spf = new SpfSpec { Ip4 = ["198.51.100.10"], All = "fail" },
                Dkim = new DkimSpec { Series = [new DkimSeriesSpec { Algorithm = "ed25519-sha256", SelectorPrefix = "ed" }] },
                Dmarc = new DmarcSpec { Policy = policy, AggregateReportUris = ["mailto:dmarc@example.org"] },
                DeletionPolicy = deletion,
            },
        };

    internal static string[] Served(BindServer bind, string name) =>
        bind.Client()
            .Query(name, DnsClient.QueryType.TXT)
            .Answers.OfType<DnsClient.Protocol.TxtRecord>()
            .Select(r => string.Concat(r.Text))
            .Order(StringComparer.Ordinal)
            .ToArray();

    [Fact]
    public async Task A_sending_domain_becomes_ready_with_keys_in_a_secret_and_records_in_bind_and_follows_spec_changes_and_deletion()
    {
        await using var api = await ApiServer.StartAsync();
        using var bind = new BindServer("example.org");
        using var data = new TempDir();
        await SetUpAsync(api, bind);
        using var stop = new CancellationTokenSource();
        var controller = OperatorServices.Create(api.Client, new ControllerOptions(null, data.Path, [bind.Endpoint]), TimeProvider.System);
        var running = controller.RunAsync(stop.Token);

        await Domains(api).CreateNamespacedAsync(Domain("news", deletion: "Delete"), "mail");
        var ready = await WaitForAsync(api, "news", sd => Ready(sd) == "True/Published");

        Assert.Contains(DomainFinalizer.Name, ready.Metadata.Finalizers);
        Assert.Equal(ready.Metadata.Generation, ready.Status!.ObservedGeneration);
        var secret = await api.Client.CoreV1.ReadNamespacedSecretAsync("news-dkim", "mail");
        var selector = Assert.Single(ready.Status.Dkim!.Keys!).Selector;
        Assert.Contains($"{selector}.key", secret.Data.Keys);
        Assert.Equal(["v=spf1 ip4:198.51.100.10 -all"], Served(bind, "news.example.org"));
        Assert.StartsWith("v=DMARC1; p=reject", Assert.Single(Served(bind, "_dmarc.news.example.org")), StringComparison.Ordinal);
        Assert.StartsWith(
            "v=DKIM1; k=ed25519; p=",
            Assert.Single(Served(bind, $"{selector}._domainkey.news.example.org")),
            StringComparison.Ordinal
        );
        var (exit, table) = api.Kubectl("get", "sd", "-n", "mail");
        Assert.True(exit == 0, table);
        Assert.Matches(@"news\s+news\.example\.org\s+True", table);

        // A DMARC change reaches BIND, replacing the old value in place.
        await Domains(api)
            .PatchNamespacedAsync<SendingDomain>(
                new V1Patch("""{"spec":{"dmarc":{"policy":"quarantine"}}}""", V1Patch.PatchType.MergePatch),
                "mail",
                "news"
            );
        await WaitForAsync(api, "news", sd => sd.Status?.ObservedGeneration == 2 && Ready(sd) == "True/Published");
        Assert.StartsWith("v=DMARC1; p=quarantine", Assert.Single(Served(bind, "_dmarc.news.example.org")), StringComparison.Ordinal);

        // A spec the schema accepts but the rules do not (11 lookups): InvalidSpec naming the field; DNS untouched.
        await Domains(api)
            .PatchNamespacedAsync<SendingDomain>(
                new V1Patch(
                    """
                    {"spec":{"spf":{"a":true,"mx":true,"include":["a.example","b.example","c.example","d.example","e.example","f.example",
                      "g.example","h.example","i.example"]}}}
                    """,
                    V1Patch.PatchType.MergePatch
                ),
                "mail",
                "news"
            );
        var invalid = await WaitForAsync(api, "news", sd => Ready(sd) == "False/InvalidSpec");
        Assert.Contains("spec.spf", invalid.Status!.Conditions!.Single(c => c.Type == "Ready").Message);
        Assert.Equal(["v=spf1 ip4:198.51.100.10 -all"], Served(bind, "news.example.org"));

        // Deletion with deletionPolicy Delete removes exactly what was published, then the keys.
        await Domains(api).DeleteNamespacedAsync<SendingDomain>("mail", "news");
        await SendingDomainWait.GoneAsync(Domains(api), "mail", name: null);

        Assert.Empty(Served(bind, "news.example.org"));
        Assert.Empty(Served(bind, "_dmarc.news.example.org"));
        Assert.DoesNotContain((await api.Client.CoreV1.ListNamespacedSecretAsync("mail")).Items, s => s.Metadata.Name == "news-dkim");
        var events = await api.Client.EventsV1.ListNamespacedEventAsync("mail");
        Assert.Contains(events.Items, e => e.Reason == "Published");
        Assert.Contains(events.Items, e => e.Reason == "InvalidSpec");
        Assert.Contains(events.Items, e => e.Reason == "Finalized");

        // Deletion with deletionPolicy Retain leaves the records and the key Secret, released from its owner.
        await Domains(api).CreateNamespacedAsync(Domain("kept"), "mail");
        await WaitForAsync(api, "kept", sd => Ready(sd) == "True/Published");
        await Domains(api).DeleteNamespacedAsync<SendingDomain>("mail", "kept");
        await SendingDomainWait.GoneAsync(Domains(api), "mail", name: null);

        Assert.Equal(["v=spf1 ip4:198.51.100.10 -all"], Served(bind, "kept.example.org"));
        var keptSecret = await api.Client.CoreV1.ReadNamespacedSecretAsync("kept-dkim", "mail");
        Assert.True(keptSecret.Metadata.OwnerReferences is null || keptSecret.Metadata.OwnerReferences.Count == 0);

        // Status is written only when it changes: a handful of writes for four state changes, not a reconcile loop.
        var statusWrites = api.Host.Requests.Count(r => r.Resource == "sendingdomains" && r.Subresource == "status");
        Assert.InRange(statusWrites, 3, 14);

        await stop.CancelAsync();
        await running;
    }

    [Fact]
    public async Task A_tsig_key_bind_refuses_is_a_clear_condition_without_retries_and_fixing_the_secret_recovers_it()
    {
        await using var api = await ApiServer.StartAsync();
        using var bind = new BindServer("example.org");
        using var data = new TempDir();
        await SetUpAsync(api, bind);
        var right = bind.Secret;
        await api.Client.CoreV1.PatchNamespacedSecretAsync(
            new V1Patch(
                $$$"""
                {"data":{"secret":"{{{Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(Convert.ToBase64String(new byte[32])))}}}"}}
                """,
                V1Patch.PatchType.MergePatch
            ),
            "tsig",
            "mail"
        );
        using var stop = new CancellationTokenSource();
        var controller = OperatorServices.Create(api.Client, new ControllerOptions(null, data.Path, [bind.Endpoint]), TimeProvider.System);
        var failures = 0;
        controller.Queue.Failed += (_, _, _, _) => Interlocked.Increment(ref failures);
        var running = controller.RunAsync(stop.Token);

        await Domains(api).CreateNamespacedAsync(Domain("tsig"), "mail");
        var refused = await WaitForAsync(api, "tsig", sd => Ready(sd) == "False/CredentialsRejected");
        Assert.Contains("NOTAUTH", refused.Status!.Conditions!.Single(c => c.Type == "Ready").Message);
        Assert.DoesNotContain(right, JsonSerializer.Serialize(refused.Status), StringComparison.Ordinal);
        Assert.Empty(Served(bind, "tsig.example.org"));

        // Only the Secret's change can bring it back (no retry is scheduled): the Secret informer requeues it.
        await api.Client.CoreV1.PatchNamespacedSecretAsync(
            new V1Patch($$$"""{"stringData":{"secret":"{{{right}}}"}}""", V1Patch.PatchType.MergePatch),
            "tsig",
            "mail"
        );
        await WaitForAsync(api, "tsig", sd => Ready(sd) == "True/Published");
        Assert.Equal(["v=spf1 ip4:198.51.100.10 -all"], Served(bind, "tsig.example.org"));
        Assert.Equal(0, failures);
        // read again only when it changed
        Assert.Equal(2, api.Host.Requests.Count(r => r.Verb == "get" && r.Resource == "secrets" && r.Name == "tsig"));

        await stop.CancelAsync();
        await running;
    }
}
