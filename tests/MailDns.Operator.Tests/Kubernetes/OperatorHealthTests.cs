using k8s;
using MailDns.Core.Api;
using MailDns.Operator.Controllers;
using MailDns.Operator.Kubernetes;
using MailDns.Testing;

namespace MailDns.Operator.Tests.Kubernetes;

/// <summary>Scheduled health checks inside the operator: Healthy after publishing, and a DNS change behind its back detected.</summary>
public class OperatorHealthTests
{
    private static Task<SendingDomain> WaitForAsync(GenericClient domains, Func<SendingDomain, bool> condition, string what) =>
        SendingDomainWait.UntilAsync(domains, "mail", "news", condition, what);

    private static string? Healthy(SendingDomain sd) => sd.Status?.Conditions?.FirstOrDefault(c => c.Type == "Healthy")?.Status;

    [Fact]
    public async Task Checks_run_after_publishing_and_on_schedule_and_a_second_spf_added_behind_the_operators_back_turns_healthy_false()
    {
        await using var api = await ApiServer.StartAsync();
        using var bind = new BindServer("example.org");
        using var data = new TempDir();
        await OperatorEndToEndTests.SetUpAsync(api, bind);
        using var stop = new CancellationTokenSource();
        var controller = OperatorServices.Create(api.Client, new ControllerOptions(null, data.Path, [bind.Endpoint]), TimeProvider.System);
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        controller.Queue.Failed += (key, count, _, error) => failures.Enqueue($"{key} #{count}: {error}");
        var running = controller.RunAsync(stop.Token);
        var domains = new GenericClient(api.Client, "maildns.io", "v1alpha1", "sendingdomains", disposeClient: false);
        var sd = OperatorEndToEndTests.Domain("news");
        sd.Spec.HealthCheck = new HealthCheckSpec { Schedule = "* * * * * ?" }; // every second, so the test needs no long wait

        await domains.CreateNamespacedAsync(sd, "mail");
        var healthy = await WaitForAsync(domains, s => Healthy(s) == "True", "Healthy=True");
        Assert.Contains(healthy.Status!.Health!.Checks!, c => c.Id == "dkim.key-matches" && c.Status == "pass");
        Assert.Equal("True", healthy.Status.Conditions!.Single(c => c.Type == "RecordsVerified").Status);

        bind.Update("update add news.example.org. 300 TXT \"v=spf1 include:rogue.example -all\"\n");
        var broken = await WaitForAsync(domains, s => Healthy(s) == "False" || failures.Count > 3, "Healthy=False");
        Assert.True(failures.IsEmpty, string.Join("\n", failures.Take(2)));

        Assert.Contains("spf.single", broken.Status!.Conditions!.Single(c => c.Type == "Healthy").Message);
        var events = await api.Client.EventsV1.ListNamespacedEventAsync("mail");
        Assert.Contains(
            events.Items,
            e => e.Reason == "HealthCheckChanged" && e.Note.StartsWith("spf.single", StringComparison.Ordinal) && e.Type == "Warning"
        );
        await stop.CancelAsync();
        await running;
    }
}
