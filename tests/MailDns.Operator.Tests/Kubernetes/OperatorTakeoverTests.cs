using k8s;
using MailDns.Core.Api;
using MailDns.Operator.Controllers;
using MailDns.Operator.Kubernetes;
using MailDns.Testing;

namespace MailDns.Operator.Tests.Kubernetes;

/// <summary>Two operator replicas with leader election: one works; when it dies the other takes over and finishes the work.</summary>
public class OperatorTakeoverTests
{
    private static readonly LeaseTimings Fast = new(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1.5), TimeSpan.FromMilliseconds(200));

    private static async Task WaitReadyAsync(GenericClient domains, string name)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (
            (await domains.ReadNamespacedAsync<SendingDomain>("mail", name)).Status?.Conditions?.Any(c =>
                c.Type == "Ready" && c.Status == "True"
            ) != true
        )
        {
            Assert.True(DateTime.UtcNow < deadline, $"{name} not Ready within 60 s");
            await Task.Delay(100); // polling the API for the outcome; the deadline fails the test
        }
    }

    [Fact]
    public async Task When_the_leader_dies_the_other_replica_takes_over_and_finishes_the_work()
    {
        await using var api = await ApiServer.StartAsync();
        using var bind = new BindServer("example.org");
        using var dataA = new TempDir();
        using var dataB = new TempDir();
        await OperatorEndToEndTests.SetUpAsync(api, bind);
        var domains = new GenericClient(api.Client, "maildns.io", "v1alpha1", "sendingdomains", disposeClient: false);
        using var killA = new CancellationTokenSource();
        using var stopB = new CancellationTokenSource();
        var a = Leadership.RunWhileLeadingAsync(
            api.Client,
            "default",
            "maildns-operator",
            "replica-a",
            Fast,
            OperatorServices.Create(api.Client, new ControllerOptions(null, dataA.Path, [bind.Endpoint]), TimeProvider.System).RunAsync,
            killA.Token
        );
        await domains.CreateNamespacedAsync(OperatorEndToEndTests.Domain("first"), "mail");
        await WaitReadyAsync(domains, "first");
        var b = Leadership.RunWhileLeadingAsync(
            api.Client,
            "default",
            "maildns-operator",
            "replica-b",
            Fast,
            OperatorServices.Create(api.Client, new ControllerOptions(null, dataB.Path, [bind.Endpoint]), TimeProvider.System).RunAsync,
            stopB.Token
        );
        Assert.Equal(
            "replica-a",
            (await api.Client.CoordinationV1.ReadNamespacedLeaseAsync("maildns-operator", "default")).Spec.HolderIdentity
        );

        await killA.CancelAsync(); // the leader dies without handing over
        await a;
        await domains.CreateNamespacedAsync(OperatorEndToEndTests.Domain("second"), "mail");
        await WaitReadyAsync(domains, "second");

        Assert.Equal(
            "replica-b",
            (await api.Client.CoordinationV1.ReadNamespacedLeaseAsync("maildns-operator", "default")).Spec.HolderIdentity
        );
        Assert.Equal(["v=spf1 ip4:198.51.100.10 -all"], OperatorEndToEndTests.Served(bind, "second.example.org"));
        await stopB.CancelAsync();
        await b;
    }
}
