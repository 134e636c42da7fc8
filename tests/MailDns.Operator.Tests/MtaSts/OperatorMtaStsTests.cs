using k8s;
using MailDns.Core.Api;
using MailDns.Core.MtaSts;
using MailDns.Operator.Controllers;
using MailDns.Operator.Hosting;
using MailDns.Operator.Kubernetes;
using MailDns.Operator.MtaSts;
using MailDns.Operator.Reports;
using MailDns.Operator.Tests.Kubernetes;
using MailDns.Testing;

namespace MailDns.Operator.Tests.MtaSts;

/// <summary>
/// A managed MTA-STS policy end to end: the test API server, BIND serving example.org with the domain's MX, the operator,
/// and the public listener (Kestrel, as every replica runs it) serving policies from its own watch. The operator reads
/// the policy back through the listener (with the Host a sender sends) before publishing the id: with no listener
/// there is no _mta-sts record; once served, the id is the policy's; a new MX changes the policy, and the id follows
/// only after the new policy is served (RFC 8461 §8.3).
/// </summary>
public sealed class OperatorMtaStsTests
{
    private static string[] MtaStsRecord(BindServer bind) => OperatorEndToEndTests.Served(bind, "_mta-sts.news.example.org");

    [Fact]
    public async Task The_policy_is_served_before_its_id_is_published_and_an_mx_change_moves_both()
    {
        await using var api = await ApiServer.StartAsync();
        using var bind = new BindServer([("example.org", "news MX 10 mx1.example.org.\nmx1 A 127.0.0.1\nmx2 A 127.0.0.1")]);
        using var data = new TempDir();
        await OperatorEndToEndTests.SetUpAsync(api, bind);
        var port = DnsServerProcess.FreePort();
        var options = Options(bind, data, port);
        using var stop = new CancellationTokenSource();
        var running = OperatorServices.Create(api.Client, options, TimeProvider.System).RunAsync(stop.Token);
        var domains = SendingDomainWait.Domains(api);
        var sd = OperatorEndToEndTests.Domain("news");
        sd.Spec.MtaSts = new MtaStsSpec { Mode = MtaStsMode.Enforce, MaxAge = "14d" };
        await domains.CreateNamespacedAsync(sd, "mail");

        // No listener yet: the policy is rendered (from the MX record) but not served, so no id is published.
        var waiting = await SendingDomainWait.UntilAsync(domains, "mail", "news", s => s.Status?.MtaSts?.Policy is not null, "a policy");
        var first = waiting.Status!.MtaSts!;
        Assert.Equal("version: STSv1\r\nmode: enforce\r\nmx: mx1.example.org\r\nmax_age: 1209600\r\n", first.Policy);
        Assert.Equal((MtaStsReasons.NotServed, false, null), (first.Reason, first.Current, first.PublishedId));
        Assert.Contains("could not be read", first.Message);
        await SendingDomainWait.UntilAsync(domains, "mail", "news", s => SendingDomainWait.Ready(s) == "True/Published", "Ready");
        Assert.Empty(MtaStsRecord(bind));

        // The public listener, as a replica runs it, serving from its own watch of SendingDomains.
        var policies = new PolicySource(api.Client, null, TimeSpan.FromMinutes(10));
        var watching = policies.RunAsync(stop.Token);
        await using (var listener = await ListenerAsync(port, policies))
        {
            var published = await SendingDomainWait.UntilAsync(
                domains,
                "mail",
                "news",
                s => s.Status?.MtaSts?.Current == true,
                "id published"
            );
            var id = MtaStsPolicy.IdOf(first.Policy!);
            Assert.Equal(
                (id, id, MtaStsReasons.Published),
                (published.Status!.MtaSts!.PolicyId, published.Status.MtaSts.PublishedId, published.Status.MtaSts.Reason)
            );
            await WaitAsync(() => MtaStsRecord(bind).SequenceEqual([$"v=STSv1; id={id}"]), "the _mta-sts record");

            using var http = new HttpClient();
            using var get = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}/.well-known/mta-sts.txt");
            get.Headers.Host = "mta-sts.news.example.org";
            using var served = await http.SendAsync(get);
            Assert.Equal(System.Net.HttpStatusCode.OK, served.StatusCode);
            Assert.Equal("text/plain", served.Content.Headers.ContentType!.MediaType);
            Assert.Equal(first.Policy, await served.Content.ReadAsStringAsync());
            using var unknown = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}/.well-known/mta-sts.txt");
            unknown.Headers.Host = "mta-sts.other.example.org";
            Assert.Equal(System.Net.HttpStatusCode.NotFound, (await http.SendAsync(unknown)).StatusCode);

            // A second MX: a new policy, served, then its id.
            bind.Update("update add news.example.org. 300 MX 20 mx2.example.org.\n");
            var moved = await SendingDomainWait.UntilAsync(
                domains,
                "mail",
                "news",
                s => s.Status?.MtaSts is { Current: true, Mx.Count: 2 },
                "the new policy's id published"
            );
            var newId = moved.Status!.MtaSts!.PolicyId!;
            Assert.NotEqual(id, newId);
            Assert.Contains("mx: mx2.example.org\r\n", moved.Status.MtaSts.Policy);
            await WaitAsync(() => MtaStsRecord(bind).SequenceEqual([$"v=STSv1; id={newId}"]), "the new id in DNS");

            // For self-hosters, the same policy in a ConfigMap beside the domain, owned by it.
            var map = await api.Client.CoreV1.ReadNamespacedConfigMapAsync("news-mta-sts", "mail");
            Assert.Equal((moved.Status.MtaSts.Policy, newId), (map.Data["mta-sts.txt"], map.Data["id"]));
            Assert.Equal("news", Assert.Single(map.Metadata.OwnerReferences).Name);

            var events = (await api.Client.EventsV1.ListNamespacedEventAsync("mail"))
                .Items.Where(e => e.Regarding.Name == "news" && e.Reason.StartsWith("MtaSts", StringComparison.Ordinal))
                .OrderBy(e => e.EventTime)
                .Select(e => e.Reason)
                .ToList();
            Assert.Equal(["MtaStsIdPublished", "MtaStsPolicyChanged", "MtaStsIdPublished"], events);
        }

        await stop.CancelAsync();
        await running;
        await watching;
    }

    [Fact]
    public async Task Deleting_a_domain_with_an_enforced_policy_serves_mode_none_publishes_its_id_and_waits_out_the_old_max_age()
    {
        await using var api = await ApiServer.StartAsync();
        using var bind = new BindServer([("example.org", "news MX 10 mx1.example.org.\nmx1 A 127.0.0.1")]);
        using var data = new TempDir();
        await OperatorEndToEndTests.SetUpAsync(api, bind);
        var port = DnsServerProcess.FreePort();
        var options = Options(bind, data, port);
        using var stop = new CancellationTokenSource();
        var running = OperatorServices.Create(api.Client, options, TimeProvider.System).RunAsync(stop.Token);
        var policies = new PolicySource(api.Client, null, TimeSpan.FromMinutes(10));
        var watching = policies.RunAsync(stop.Token);
        await using var listener = await ListenerAsync(port, policies);
        var domains = SendingDomainWait.Domains(api);
        var sd = OperatorEndToEndTests.Domain("news", deletion: "Delete");
        sd.Spec.MtaSts = new MtaStsSpec { Mode = MtaStsMode.Enforce, MaxAge = "15s" }; // senders keep it 15 s
        await domains.CreateNamespacedAsync(sd, "mail");
        var enforced = await SendingDomainWait.UntilAsync(domains, "mail", "news", s => s.Status?.MtaSts?.Current == true, "id published");
        var enforceId = enforced.Status!.MtaSts!.PublishedId!;
        await WaitAsync(() => MtaStsRecord(bind).SequenceEqual([$"v=STSv1; id={enforceId}"]), "the enforce id in DNS");

        await domains.DeleteNamespacedAsync<SendingDomain>("mail", "news");

        // RFC 8461 §8.3: a mode none policy is served first, then its id published; the domain and its records stay.
        var withdrawing = await SendingDomainWait.UntilAsync(
            domains,
            "mail",
            "news",
            s => s.Status?.MtaSts?.Withdrawal?.PublishedAt is not null,
            "the none id published"
        );
        var none = withdrawing.Status!.MtaSts!;
        Assert.Equal(("none", 86_400L, 15L), (none.Mode, none.MaxAge, none.Withdrawal!.HeldFor));
        Assert.Equal(none.PolicyId, none.PublishedId);
        Assert.NotEqual(enforceId, none.PublishedId);
        Assert.Equal([$"v=STSv1; id={none.PublishedId}"], MtaStsRecord(bind));
        Assert.NotEmpty(OperatorEndToEndTests.Served(bind, "_dmarc.news.example.org"));
        using (var http = new HttpClient())
        using (var get = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}/.well-known/mta-sts.txt"))
        {
            get.Headers.Host = "mta-sts.news.example.org";
            Assert.Equal(none.Policy, await (await http.SendAsync(get)).Content.ReadAsStringAsync());
        }

        // Once the old policy's max_age has passed since the none id went out, everything goes.
        await SendingDomainWait.GoneAsync(domains, "mail", "news");
        Assert.True(DateTimeOffset.UtcNow >= none.Withdrawal.PublishedAt!.Value.AddSeconds(15));
        Assert.Empty(MtaStsRecord(bind));
        Assert.Empty(OperatorEndToEndTests.Served(bind, "_dmarc.news.example.org"));
        var events = (await api.Client.EventsV1.ListNamespacedEventAsync("mail"))
            .Items.Where(e => e.Regarding.Name == "news")
            .OrderBy(e => e.EventTime)
            .Select(e => e.Reason)
            .Where(r => r.StartsWith("MtaSts", StringComparison.Ordinal) || r == "Finalized")
            .ToList();
        Assert.Equal(["MtaStsIdPublished", "MtaStsWithdrawing", "MtaStsIdPublished", "Finalized"], events);

        await stop.CancelAsync();
        await running;
        await watching;
    }

    /// <summary>The operator with a one-second policy pass, reading policies back from the listener on <paramref name="port"/>.</summary>
    private static ControllerOptions Options(BindServer bind, TempDir data, int port) =>
        new(null, data.Path, [bind.Endpoint])
        {
            Resolvers = [bind.Endpoint],
            MtaStsRefresh = TimeSpan.FromSeconds(1),
            MtaStsFetcher = new HttpPolicyFetcher($"http://127.0.0.1:{port}/.well-known/mta-sts.txt", TimeSpan.FromSeconds(2)),
        };

    /// <summary>The public listener as a replica runs it, serving policies from its own watch.</summary>
    private static Task<PublicListener> ListenerAsync(int port, PolicySource policies) =>
        PublicListener.StartAsync(
            new PublicListenerSettings($"http://127.0.0.1:{port}"),
            new TlsReportReceiver(_ => Task.FromResult<ReportStore?>(null), TimeProvider.System, new(1 << 20, 1000)),
            null,
            default,
            policies.Find
        );

    private static async Task WaitAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + SendingDomainWait.Bound;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"{what} not reached within {SendingDomainWait.Bound.TotalSeconds} s");
            await Task.Delay(100); // polling DNS for the outcome; the deadline fails the test
        }
    }
}
