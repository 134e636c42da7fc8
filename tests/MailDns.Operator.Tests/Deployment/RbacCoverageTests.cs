using k8s;
using k8s.Models;
using MailDns.Core.Api;
using MailDns.Operator.Controllers;
using MailDns.Operator.Kubernetes;
using MailDns.Operator.Tests.Kubernetes;
using MailDns.Testing;

namespace MailDns.Operator.Tests.Deployment;

/// <summary>
/// Least privilege, checked against what the operator really does: every API call it made during a whole journey
/// (leader election, create, spec change, an invalid spec, a ReportSource, a changed TSIG Secret, deletion with Delete
/// and with Retain, provider status of a namespaced and a cluster provider) must be
/// allowed by the RBAC rules in examples/deploy, and every verb those rules grant must have been used.
/// </summary>
public class RbacCoverageTests
{
    private const string OperatorUser = "system:serviceaccount:maildns-system:maildns-operator";
    private const string OperatorNamespace = "maildns-system";

    private sealed record Grant(string Group, string Resource, string Verb, string? Namespace);

    /// <summary>The rules as (group, resource[/subresource], verb, namespace): the ClusterRole anywhere, the Role in the operator's
    /// namespace.</summary>
    private static List<Grant> Rules()
    {
        var objects = KubernetesYaml.LoadAllFromString(File.ReadAllText(Repo.PathOf("examples", "deploy", "rbac.yaml")));
        var cluster = objects.OfType<V1ClusterRole>().SelectMany(r => r.Rules).Select(r => (Rule: r, Namespace: (string?)null));
        var roles = objects.OfType<V1Role>().SelectMany(r => r.Rules).Select(r => (Rule: r, Namespace: (string?)OperatorNamespace));
        return cluster
            .Concat(roles)
            .SelectMany(p =>
                p.Rule.ApiGroups.SelectMany(g =>
                    p.Rule.Resources.SelectMany(r => p.Rule.Verbs.Select(v => new Grant(g, r, v, p.Namespace)))
                )
            )
            .ToList();
    }

    [Fact]
    public async Task The_rbac_rules_allow_every_call_the_operator_makes_in_a_whole_journey_and_grant_no_verb_it_does_not_use()
    {
        await using var api = await ApiServer.StartAsync();
        using var bind = new BindServer("example.org");
        using var data = new TempDir();
        await OperatorEndToEndTests.SetUpAsync(api, bind);
        await api.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = OperatorNamespace } });
        using var client = new k8s.Kubernetes(
            new KubernetesClientConfiguration { Host = api.Host.BaseAddress.ToString(), AccessToken = OperatorUser }
        );
        using var stop = new CancellationTokenSource();
        var running = Leadership.RunWhileLeadingAsync(
            client,
            OperatorNamespace,
            "maildns-operator",
            "replica-a",
            LeaseTimings.Default,
            OperatorServices.Create(client, new ControllerOptions(null, data.Path, [bind.Endpoint]), TimeProvider.System).RunAsync,
            stop.Token
        );
        var domains = SendingDomainWait.Domains(api);
        var shared = new ClusterDnsProvider
        {
            Metadata = new V1ObjectMeta { Name = "shared" },
            Spec = new DnsProviderSpec
            {
                Zone = "example.net",
                ZoneFile = new ZoneFileProviderSpec { Path = "example.net.zone" },
            },
        };
        var clusterProviders = new GenericClient(api.Client, ApiGroup.Name, ApiGroup.Version, "clusterdnsproviders", disposeClient: false);
        await clusterProviders.CreateAsync(shared);

        await domains.CreateNamespacedAsync(OperatorEndToEndTests.Domain("gone", deletion: "Delete"), "mail");
        await SendingDomainWait.UntilAsync(domains, "mail", "gone", sd => SendingDomainWait.Ready(sd) == "True/Published", "Ready");
        await domains.PatchNamespacedAsync<SendingDomain>(
            new V1Patch("""{"spec":{"dmarc":{"policy":"quarantine"}}}""", V1Patch.PatchType.MergePatch),
            "mail",
            "gone"
        );
        await SendingDomainWait.UntilAsync(
            domains,
            "mail",
            "gone",
            sd => sd.Status?.ObservedGeneration == 2 && SendingDomainWait.Ready(sd) == "True/Published",
            "the spec change"
        );
        await domains.PatchNamespacedAsync<SendingDomain>(
            new V1Patch("""{"spec":{"dkim":{"rotation":{"interval":"1d"}}}}""", V1Patch.PatchType.MergePatch),
            "mail",
            "gone"
        );
        await SendingDomainWait.UntilAsync(
            domains,
            "mail",
            "gone",
            sd => SendingDomainWait.Ready(sd) == "False/InvalidSpec",
            "InvalidSpec"
        );
        await ReportSourceWithNoServerAsync(api);
        await api.Client.CoreV1.PatchNamespacedSecretAsync(
            new V1Patch("""{"metadata":{"labels":{"rotated":"yes"}}}""", V1Patch.PatchType.MergePatch),
            "tsig",
            "mail"
        );
        await domains.DeleteNamespacedAsync<SendingDomain>("mail", "gone");
        await SendingDomainWait.GoneAsync(domains, "mail", "gone");
        var kept = OperatorEndToEndTests.Domain("kept");
        kept.Spec.MtaSts = new MtaStsSpec { Mode = "testing", Mx = ["mx1.example.org"] }; // its policy goes to a ConfigMap
        await domains.CreateNamespacedAsync(kept, "mail");
        await SendingDomainWait.UntilAsync(domains, "mail", "kept", sd => SendingDomainWait.Ready(sd) == "True/Published", "Ready");
        await SendingDomainWait.UntilAsync(domains, "mail", "kept", sd => sd.Status?.MtaSts?.Policy is not null, "an MTA-STS policy");
        await domains.PatchNamespacedAsync<SendingDomain>(
            new V1Patch("""{"spec":{"mtaSts":{"maxAge":"14d"}}}""", V1Patch.PatchType.MergePatch),
            "mail",
            "kept"
        );
        await SendingDomainWait.UntilAsync(
            domains,
            "mail",
            "kept",
            sd => sd.Status?.MtaSts?.MaxAge == 1_209_600,
            "the changed policy"
        );
        var map = await api.Client.CoreV1.ReadNamespacedConfigMapAsync("kept-mta-sts", "mail");
        Assert.Contains("max_age: 1209600", map.Data["mta-sts.txt"]);
        await domains.DeleteNamespacedAsync<SendingDomain>("mail", "kept");
        await SendingDomainWait.GoneAsync(domains, "mail", "kept");
        var provider = await clusterProviders.ReadAsync<ClusterDnsProvider>("shared");
        Assert.Equal(ConditionStatus.True, provider.Status?.Conditions?.Single(c => c.Type == ConditionTypes.Ready).Status);
        await stop.CancelAsync();
        await running;

        var rules = Rules();
        var calls = api
            .Host.Requests.Where(r => r.User == OperatorUser)
            .Select(r => new Grant(r.Group, r.Subresource is null ? r.Resource : $"{r.Resource}/{r.Subresource}", r.Verb, r.Namespace))
            .Distinct()
            .ToList();
        bool Allows(Grant rule, Grant call) =>
            rule.Group == call.Group
            && rule.Resource == call.Resource
            && rule.Verb == call.Verb
            && (rule.Namespace is null || rule.Namespace == call.Namespace);

        Assert.Contains(calls, c => c.Resource == "leases"); // the journey did run with leader election
        Assert.Empty(
            calls.Where(c => !rules.Any(r => Allows(r, c))).Select(c => $"{c.Verb} {c.Group}/{c.Resource} in {c.Namespace ?? "(cluster)"}")
        );
        Assert.Empty(
            rules.Where(r => !calls.Any(c => Allows(r, c))).Select(r => $"{r.Verb} {r.Group}/{r.Resource} granted but never used")
        );
    }

    /// <summary>A ReportSource whose server is not listening: its Secret is read and its status says so.</summary>
    private static async Task ReportSourceWithNoServerAsync(ApiServer api)
    {
        var sources = Reports.ReportSources.Client(api);
        var imap = new ImapSourceSpec
        {
            Host = "127.0.0.1",
            Port = DnsServerProcess.FreePort(),
            Tls = ImapSourceSpec.None,
        };
        await Reports.ReportSources.CreateAsync(api, "inbox", imap, "dmarc", "unused");
        var deadline = DateTime.UtcNow + SendingDomainWait.Bound;
        while ((await sources.ReadNamespacedAsync<ReportSource>("mail", "inbox")).Status?.Conditions is not [{ Status: "False" }])
        {
            Assert.True(DateTime.UtcNow < deadline, "the ReportSource's status was not written");
            await Task.Delay(100); // polling the API for the outcome; the bound above fails the test
        }
    }
}
