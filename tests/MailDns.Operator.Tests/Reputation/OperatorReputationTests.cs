using k8s;
using MailDns.Core.Api;
using MailDns.Core.Reputation;
using MailDns.Operator.Controllers;
using MailDns.Operator.Kubernetes;
using MailDns.Operator.Tests.Kubernetes;
using MailDns.Testing;

namespace MailDns.Operator.Tests.Reputation;

/// <summary>
/// The reputation journey through the operator: test API server, BIND publishing the domain, and a second BIND serving
/// test copies of Spamhaus ZEN and DBL with the sender's reverse zone (<see cref="BlocklistZones"/>). A sending address
/// listed on ZEN sets Reputation False with a Blocklisted event; delisted (the entry removed from the list's zone) and
/// checked again after a spec change, Reputation is True with a Delisted event; reputation turned off takes the
/// condition away. Checks run on the real clock, triggered by spec changes (the hourly schedule never fires here).
/// </summary>
public sealed class OperatorReputationTests
{
    private readonly ListLogger logs = new();

    private static k8s.Models.V1Condition? Reputation(SendingDomain sd) =>
        sd.Status?.Conditions?.FirstOrDefault(c => c.Type == ConditionTypes.Reputation);

    /// <summary>A spec change as kubectl patch makes it: a merge patch, which the operator's status writes cannot conflict with.</summary>
    private static Task PatchSpecAsync(GenericClient domains, string spec) =>
        domains.PatchNamespacedAsync<SendingDomain>(
            new k8s.Models.V1Patch($"{{\"spec\":{spec}}}", k8s.Models.V1Patch.PatchType.MergePatch),
            "mail",
            "news"
        );

    [Fact]
    public async Task A_listed_sending_address_sets_reputation_false_with_an_event_and_delisting_sets_it_true_again()
    {
        await using var api = await ApiServer.StartAsync();
        using var bind = new BindServer("example.org");
        using var lists = new BlocklistZones();
        using var data = new TempDir();
        await OperatorEndToEndTests.SetUpAsync(api, bind);
        var options = new ControllerOptions(null, data.Path, [bind.Endpoint])
        {
            Resolvers = [lists.Server.Endpoint],
            Blocklists = [BlocklistCatalog.SpamhausZen, BlocklistCatalog.SpamhausDbl],
        };
        var controller = OperatorServices.Create(api.Client, options, TimeProvider.System, logs: logs);
        using var stop = new CancellationTokenSource();
        var running = controller.RunAsync(stop.Token);
        var domains = SendingDomainWait.Domains(api);
        var sd = OperatorEndToEndTests.Domain("news");
        sd.Spec.Spf!.Ip4 = [BlocklistZones.Clean, BlocklistZones.SpamhausSbl];
        await domains.CreateNamespacedAsync(sd, "mail");

        var listed = await SendingDomainWait.UntilAsync(domains, "mail", "news", s => Reputation(s) is not null, "Reputation");
        var condition = Reputation(listed)!;
        Assert.Equal(("False", ConditionReasons.Listed), (condition.Status, condition.Reason));
        Assert.Contains("192.0.2.2 on zen.spamhaus.org (SBL", condition.Message);
        var listing = Assert.Single(listed.Status!.Reputation!.Listed!);
        Assert.Equal(
            ("192.0.2.2", "ip", "zen.spamhaus.org", "127.0.0.2"),
            (listing.Target, listing.Kind, listing.List, listing.Codes!.Single())
        );
        Assert.Equal(2, listed.Status.Reputation.Addresses);
        Assert.Equal(["news.example.org"], listed.Status.Reputation.Domains);
        Assert.Equal(2, listed.Status.Reputation.FcrdnsPassed);
        Assert.Equal("True", SendingDomainWait.Ready(listed).Split('/')[0]); // a listing is not a publishing failure

        // Delisted at the list; a spec change (one more sending address) asks again at once.
        lists.DelistSpamhausSbl(); // its TTL of 0 keeps it out of the operator's cache
        await PatchSpecAsync(domains, $$$"""{"reputation":{"ips":["{{{BlocklistZones.Clean}}}"]}}""");
        var clean = await SendingDomainWait.UntilAsync(
            domains,
            "mail",
            "news",
            s => Reputation(s)?.Reason == ConditionReasons.NotListed,
            "Reputation NotListed"
        );
        Assert.Equal("True", Reputation(clean)!.Status);
        Assert.Equal(0, clean.Status!.Reputation!.ListedCount);

        var events = (await api.Client.EventsV1.ListNamespacedEventAsync("mail"))
            .Items.Where(e => e.Regarding.Name == "news" && e.Reason is "Blocklisted" or "Delisted")
            .OrderBy(e => e.EventTime)
            .Select(e => $"{e.Type} {e.Reason} {e.Note}")
            .ToList();
        Assert.Equal(2, events.Count);
        Assert.StartsWith("Warning Blocklisted 192.0.2.2 listed on zen.spamhaus.org: SBL", events[0]);
        Assert.StartsWith("Normal Delisted 192.0.2.2 no longer listed on zen.spamhaus.org", events[1]);

        // Reputation turned off: the condition and status.reputation go.
        await PatchSpecAsync(domains, """{"reputation":{"enabled":false}}""");
        var off = await SendingDomainWait.UntilAsync(domains, "mail", "news", s => Reputation(s) is null, "no Reputation");
        Assert.Null(off.Status!.Reputation);

        await stop.CancelAsync();
        await running;
    }
}
