using k8s;
using k8s.Models;
using MailDns.Core.Api;
using MailDns.Core.Health;
using MailDns.Operator.Controllers;
using MailDns.Operator.Kubernetes;
using MailDns.Testing;
using Quartz;

namespace MailDns.Operator.Tests.Kubernetes;

/// <summary>
/// What a user reads right after each step, with the shipped defaults (the 15-minute health schedule): the check
/// after a publish reaches the status at once, a spec change is verified against the new records and never
/// reported as stale, and the providers' READY column is filled.
/// </summary>
public class OperatorStatusJourneyTests
{
    private static V1Condition? Condition(SendingDomain sd, string type) => sd.Status?.Conditions?.FirstOrDefault(c => c.Type == type);

    [Fact]
    public async Task With_the_default_schedule_a_first_publish_is_healthy_at_once_and_a_dmarc_change_is_verified_without_a_warning()
    {
        await using var api = await ApiServer.StartAsync();
        using var bind = new BindServer("example.org");
        using var data = new TempDir();
        await OperatorEndToEndTests.SetUpAsync(api, bind);
        using var stop = new CancellationTokenSource();
        var running = OperatorServices
            .Create(api.Client, new ControllerOptions(null, data.Path, [bind.Endpoint]), TimeProvider.System)
            .RunAsync(stop.Token);
        var domains = SendingDomainWait.Domains(api);
        var sd = OperatorEndToEndTests.Domain("news");
        Assert.Null(sd.Spec.HealthCheck); // the default schedule: next slot up to 15 minutes away

        await domains.CreateNamespacedAsync(sd, "mail");
        var healthy = await SendingDomainWait.UntilAsync(
            domains,
            "mail",
            "news",
            s => Condition(s, ConditionTypes.Healthy) is not null,
            "a Healthy condition",
            TimeSpan.FromSeconds(30)
        );
        Assert.Equal(ConditionStatus.True, Condition(healthy, ConditionTypes.Healthy)!.Status);
        Assert.Equal(ConditionReasons.RecordsServed, Condition(healthy, ConditionTypes.RecordsVerified)!.Reason);
        Assert.StartsWith(
            "every authoritative server",
            Condition(healthy, ConditionTypes.RecordsVerified)!.Message,
            StringComparison.Ordinal
        );
        // The next check is a slot of the default schedule as spread for this domain, not a fast schedule. Which slot,
        // not how far: the slot comes every 15 minutes, so it can be seconds away (a one-minute margin failed then).
        var slot = new CronExpression(CronJitter.Spread(Defaults.HealthSchedule, sd.Key));
        var next = healthy.Status!.Health!.NextCheckTime!.Value;
        Assert.True(slot.IsSatisfiedBy(next), $"the next check {next:O} is not a slot of '{slot.CronExpressionString}'");
        Assert.InRange(next, DateTimeOffset.UtcNow.AddSeconds(-5), DateTimeOffset.UtcNow.AddMinutes(15));

        // RFC 7489 §6.3: p=quarantine is what DNS serves after the change; the check must compare against that.
        var seen = new List<string>();
        await domains.PatchNamespacedAsync<SendingDomain>(
            new V1Patch("""{"spec":{"dmarc":{"policy":"quarantine"}}}""", V1Patch.PatchType.MergePatch),
            "mail",
            "news"
        );
        var changed = await SendingDomainWait.UntilAsync(
            domains,
            "mail",
            "news",
            s =>
            {
                seen.AddRange(
                    (s.Status?.Conditions ?? [])
                        .Where(c => c.Status == ConditionStatus.False)
                        .Select(c => $"{c.Type}/{c.Reason}: {c.Message}")
                );
                return Condition(s, ConditionTypes.Healthy) is { ObservedGeneration: 2, Status: ConditionStatus.True };
            },
            "Healthy for generation 2",
            TimeSpan.FromSeconds(30)
        );

        Assert.Empty(seen);
        Assert.Equal(ConditionStatus.True, Condition(changed, ConditionTypes.RecordsVerified)!.Status);
        Assert.Contains(changed.Status!.Health!.Checks!, c => c.Id == "dmarc.policy" && c.Message == "p=quarantine");
        var events = await api.Client.EventsV1.ListNamespacedEventAsync("mail");
        Assert.DoesNotContain(events.Items, e => e.Type == EventRecorder.Warning);

        // The provider's status: the READY column kubectl shows.
        var (exit, table) = api.Kubectl("get", "dnsp", "-n", "mail");
        Assert.True(exit == 0, table);
        Assert.Matches(@"bind\s+example\.org\s+True", table);

        await stop.CancelAsync();
        await running;
    }

    [Fact]
    public async Task A_provider_whose_secret_is_missing_is_not_ready_and_creating_the_secret_makes_it_ready()
    {
        await using var api = await ApiServer.StartAsync();
        using var bind = new BindServer("example.org");
        using var data = new TempDir();
        await OperatorEndToEndTests.SetUpAsync(api, bind);
        await api.Client.CoreV1.DeleteNamespacedSecretAsync("tsig", "mail");
        using var stop = new CancellationTokenSource();
        var running = OperatorServices
            .Create(api.Client, new ControllerOptions(null, data.Path, [bind.Endpoint]), TimeProvider.System)
            .RunAsync(stop.Token);
        var providers = new GenericClient(api.Client, ApiGroup.Name, ApiGroup.Version, "dnsproviders", disposeClient: false);

        var missing = await ProviderReadyAsync(providers, ConditionStatus.False);
        Assert.Equal(ConditionReasons.SecretNotFound, missing.Reason);
        Assert.Contains("mail/tsig", missing.Message, StringComparison.Ordinal);

        await api.Client.CoreV1.CreateNamespacedSecretAsync(
            new V1Secret
            {
                Metadata = new V1ObjectMeta { Name = "tsig" },
                StringData = new Dictionary<string, string> { ["secret"] = bind.Secret },
            },
            "mail"
        );
        var ready = await ProviderReadyAsync(providers, ConditionStatus.True);
        Assert.Equal(ConditionReasons.ProviderUsable, ready.Reason);
        Assert.DoesNotContain(bind.Secret, ready.Message, StringComparison.Ordinal);

        await stop.CancelAsync();
        await running;
    }

    [Fact]
    public async Task A_second_sending_domain_for_the_same_domain_publishes_nothing_until_the_first_is_deleted()
    {
        await using var api = await ApiServer.StartAsync();
        using var data = new TempDir();
        foreach (var ns in new[] { "team-a", "team-b" })
        {
            await api.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } });
        }

        var providers = new GenericClient(api.Client, ApiGroup.Name, ApiGroup.Version, "dnsproviders", disposeClient: false);
        await providers.CreateNamespacedAsync(Specs.ZoneFileProvider("team-a", "zone", "example.com", "a.zone"), "team-a");
        await providers.CreateNamespacedAsync(Specs.ZoneFileProvider("team-b", "zone", "example.com", "b.zone"), "team-b");
        using var stop = new CancellationTokenSource();
        var running = OperatorServices
            .Create(api.Client, new ControllerOptions(null, data.Path, []), TimeProvider.System)
            .RunAsync(stop.Token);
        var domains = SendingDomainWait.Domains(api);

        await domains.CreateNamespacedAsync(Specs.Domain("team-a", "mail", _ => { }), "team-a");
        await SendingDomainWait.UntilAsync(domains, "team-a", "mail", s => Condition(s, ConditionTypes.Ready) is not null, "Ready");
        await domains.CreateNamespacedAsync(Specs.Domain("team-b", "mail", _ => { }), "team-b");
        var second = await SendingDomainWait.UntilAsync(
            domains,
            "team-b",
            "mail",
            s => Condition(s, ConditionTypes.Ready) is not null,
            "Ready"
        );

        var ready = Condition(second, ConditionTypes.Ready)!;
        Assert.Equal((ConditionStatus.False, ConditionReasons.DomainConflict), (ready.Status, ready.Reason));
        Assert.Contains("SendingDomain team-a/mail", ready.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(data.Path, "zones", "b.zone")), "the second domain published nothing");
        Assert.True(File.Exists(Path.Combine(data.Path, "zones", "a.zone")));

        // The holder goes; the waiting domain takes over without any change of its own.
        await domains.DeleteNamespacedAsync<SendingDomain>("team-a", "mail");
        var took = await SendingDomainWait.UntilAsync(
            domains,
            "team-b",
            "mail",
            s => Condition(s, ConditionTypes.Ready)?.Reason != ConditionReasons.DomainConflict,
            "Ready without DomainConflict"
        );
        Assert.NotEqual(ConditionReasons.DomainConflict, Condition(took, ConditionTypes.Ready)!.Reason);
        Assert.True(File.Exists(Path.Combine(data.Path, "zones", "b.zone")));
        await stop.CancelAsync();
        await running;
    }

    [Fact]
    public async Task A_domain_naming_a_provider_of_another_namespace_is_told_to_use_a_cluster_provider()
    {
        await using var api = await ApiServer.StartAsync();
        using var data = new TempDir();
        foreach (var ns in new[] { "shared", "team" })
        {
            await api.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } });
        }

        var providers = new GenericClient(api.Client, ApiGroup.Name, ApiGroup.Version, "dnsproviders", disposeClient: false);
        await providers.CreateNamespacedAsync(Specs.ZoneFileProvider("shared", "zone", "example.com", "example.com.zone"), "shared");
        using var stop = new CancellationTokenSource();
        var controller = OperatorServices.Create(api.Client, new ControllerOptions(null, data.Path, []), TimeProvider.System);
        var running = controller.RunAsync(stop.Token);
        var domains = SendingDomainWait.Domains(api);

        await domains.CreateNamespacedAsync(Specs.Domain("team", "mail", _ => { }), "team");
        var refused = await SendingDomainWait.UntilAsync(
            domains,
            "team",
            "mail",
            s => Condition(s, ConditionTypes.Ready) is not null,
            "Ready"
        );

        var ready = Condition(refused, ConditionTypes.Ready)!;
        Assert.Equal((ConditionStatus.False, ConditionReasons.ProviderNotFound), (ready.Status, ready.Reason));
        Assert.Contains("one exists in shared", ready.Message, StringComparison.Ordinal);
        Assert.Contains("use a ClusterDnsProvider", ready.Message, StringComparison.Ordinal);
        await stop.CancelAsync();
        await running;
    }

    private static async Task<V1Condition> ProviderReadyAsync(GenericClient providers, string status)
    {
        var deadline = DateTime.UtcNow + SendingDomainWait.Bound;
        while (true)
        {
            var provider = await providers.ReadNamespacedAsync<DnsProvider>("mail", "bind");
            if (provider.Status?.Conditions?.FirstOrDefault(c => c.Type == ConditionTypes.Ready) is { } ready && ready.Status == status)
            {
                return ready;
            }

            Assert.True(
                DateTime.UtcNow < deadline,
                $"provider Ready={status} not reached: {System.Text.Json.JsonSerializer.Serialize(provider.Status)}"
            );
            await Task.Delay(100); // polling the API for the outcome; the bound above fails the test
        }
    }
}
