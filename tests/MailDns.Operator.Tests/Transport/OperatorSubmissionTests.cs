using MailDns.Core.Api;
using MailDns.Operator.Controllers;
using MailDns.Operator.Kubernetes;
using MailDns.Operator.Tests.Kubernetes;
using MailDns.Testing;

namespace MailDns.Operator.Tests.Transport;

/// <summary>
/// spec.submission end to end: the test API server, the operator and BIND taking RFC 2136 updates. The endpoints become
/// SRV records at _submission._tcp and _submissions._tcp (RFC 6186 §3.1, RFC 8314 §5.1), the health check verifies them
/// as served, a changed endpoint replaces only its own value, and deletion with deletionPolicy Delete removes them.
/// </summary>
public sealed class OperatorSubmissionTests
{
    private static string[] Srv(BindServer bind, string name) =>
        bind.Client()
            .Query(name, DnsClient.QueryType.SRV)
            .Answers.OfType<DnsClient.Protocol.SrvRecord>()
            .Select(r => $"{r.Priority} {r.Weight} {r.Port} {r.Target.Value}")
            .Order(StringComparer.Ordinal)
            .ToArray();

    [Fact]
    public async Task Submission_endpoints_are_published_as_srv_records_verified_changed_in_place_and_removed_on_deletion()
    {
        await using var api = await ApiServer.StartAsync();
        using var bind = new BindServer([("example.org", "")]);
        using var data = new TempDir();
        await OperatorEndToEndTests.SetUpAsync(api, bind);
        var options = new ControllerOptions(null, data.Path, [bind.Endpoint]) { Resolvers = [bind.Endpoint] };
        using var stop = new CancellationTokenSource();
        var running = OperatorServices.Create(api.Client, options, TimeProvider.System).RunAsync(stop.Token);
        var domains = SendingDomainWait.Domains(api);
        var sd = OperatorEndToEndTests.Domain("news", deletion: "Delete");
        sd.Spec.Submission = new SubmissionSpec
        {
            StartTls =
            [
                new SubmissionEndpoint { Host = "smtp.example.org" },
                new SubmissionEndpoint { Host = "smtp2.example.org", Priority = 10 },
            ],
            ImplicitTls = [new SubmissionEndpoint { Host = "smtp.example.org" }],
        };
        await domains.CreateNamespacedAsync(sd, "mail");

        var ready = await SendingDomainWait.UntilAsync(
            domains,
            "mail",
            "news",
            s =>
                s.Status?.Health?.Checks is not null
                && s.Status.Conditions?.Any(c => c.Type == ConditionTypes.RecordsVerified && c.Status == "True") == true,
            "records verified"
        );
        Assert.Equal("True/Published", SendingDomainWait.Ready(ready));
        Assert.Equal(["0 1 587 smtp.example.org.", "10 1 587 smtp2.example.org."], Srv(bind, "_submission._tcp.news.example.org"));
        Assert.Equal(["0 1 465 smtp.example.org."], Srv(bind, "_submissions._tcp.news.example.org"));
        Assert.Contains(ready.Status!.Health!.Checks!, c =>
            c.Id == "records.expected" && c.Status == "pass" && c.Message.Contains("_submission._tcp", StringComparison.Ordinal)
        );

        // The second endpoint moves: its value is replaced, the first stays as it was.
        await domains.PatchNamespacedAsync<SendingDomain>(
            new k8s.Models.V1Patch(
                """{"spec":{"submission":{"startTls":[{"host":"smtp.example.org"},{"host":"smtp3.example.org","priority":10}]}}}""",
                k8s.Models.V1Patch.PatchType.MergePatch
            ),
            "mail",
            "news"
        );
        await WaitAsync(
            () =>
                Srv(bind, "_submission._tcp.news.example.org").SequenceEqual(["0 1 587 smtp.example.org.", "10 1 587 smtp3.example.org."]),
            "the moved endpoint in DNS"
        );

        await domains.DeleteNamespacedAsync<SendingDomain>("mail", "news");
        await SendingDomainWait.GoneAsync(domains, "mail", "news");
        Assert.Empty(Srv(bind, "_submission._tcp.news.example.org"));
        Assert.Empty(Srv(bind, "_submissions._tcp.news.example.org"));

        await stop.CancelAsync();
        await running;
    }

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
