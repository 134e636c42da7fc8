using k8s;
using MailDns.Operator.Kubernetes;
using MailDns.Testing;

namespace MailDns.Operator.Tests.Kubernetes;

/// <summary>Leader election through Leases on the test API server, with short real timings (bounded waits).</summary>
public class LeadershipTests
{
    private static readonly LeaseTimings Fast = new(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1.5), TimeSpan.FromMilliseconds(200));

    [Fact]
    public async Task Of_two_replicas_one_leads_and_when_it_dies_the_other_takes_over()
    {
        await using var api = await ApiServer.StartAsync();
        var working = new System.Collections.Concurrent.ConcurrentDictionary<string, bool>();
        var started = new SemaphoreSlim(0);
        Func<CancellationToken, Task> Work(string id) =>
            async token =>
            {
                working[id] = true;
                started.Release();
                try
                {
                    await Task.Delay(Timeout.Infinite, token);
                }
                finally
                {
                    working[id] = false;
                }
            };
        using var killA = new CancellationTokenSource();
        using var stopB = new CancellationTokenSource();

        var a = Leadership.RunWhileLeadingAsync(api.Client, "default", "maildns-operator", "a", Fast, Work("a"), killA.Token);
        Assert.True(await started.WaitAsync(TimeSpan.FromSeconds(20)), "a never led");
        var b = Leadership.RunWhileLeadingAsync(api.Client, "default", "maildns-operator", "b", Fast, Work("b"), stopB.Token);
        Assert.False(await started.WaitAsync(TimeSpan.FromSeconds(3)), "b led while a held the lease");
        Assert.Equal("a", (await api.Client.CoordinationV1.ReadNamespacedLeaseAsync("maildns-operator", "default")).Spec.HolderIdentity);

        await killA.CancelAsync(); // a dies without handing over: b must wait for the lease to expire
        await a;
        Assert.True(await started.WaitAsync(TimeSpan.FromSeconds(20)), "b never took over");
        Assert.True(working["b"]);
        Assert.False(working["a"]);
        Assert.Equal("b", (await api.Client.CoordinationV1.ReadNamespacedLeaseAsync("maildns-operator", "default")).Spec.HolderIdentity);

        await stopB.CancelAsync();
        await b;
    }
}
