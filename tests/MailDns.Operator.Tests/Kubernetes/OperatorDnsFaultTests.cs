using System.Collections.Concurrent;
using MailDns.Core.Api;
using MailDns.Core.Operations;
using MailDns.Core.Readiness;
using MailDns.Operator.Controllers;
using MailDns.Operator.Kubernetes;
using MailDns.Testing;
using Xunit.Abstractions;

namespace MailDns.Operator.Tests.Kubernetes;

/// <summary>
/// The authoritative server goes away: checks become Unknown (not Fail), the status says why, retries back off
/// instead of storming the server, and when it comes back everything recovers with no one touching anything.
/// </summary>
public class OperatorDnsFaultTests(ITestOutputHelper output)
{
    private static string Condition(SendingDomain sd, string type) =>
        sd.Status?.Conditions?.FirstOrDefault(c => c.Type == type) is { } c ? $"{c.Status}/{c.Reason}" : "";

    [Fact]
    public async Task When_the_authoritative_server_stops_checks_are_unknown_retries_back_off_and_its_return_recovers_everything()
    {
        await using var api = await ApiServer.StartAsync();
        using var bind = new BindServer("example.org");
        using var data = new TempDir();
        await OperatorEndToEndTests.SetUpAsync(api, bind);
        var backoff = new Backoff(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(4));
        var controller = OperatorServices.Create(
            api.Client,
            new ControllerOptions(null, data.Path, [bind.Endpoint]) { Backoff = backoff },
            TimeProvider.System
        );
        var failures = new ConcurrentQueue<(DateTime At, string Reason)>();
        controller.Queue.Failed += (_, _, _, error) =>
            failures.Enqueue((DateTime.UtcNow, (error as ReconcileException)?.Reason ?? error.GetType().Name));
        using var stop = new CancellationTokenSource();
        var running = controller.RunAsync(stop.Token);
        var domains = SendingDomainWait.Domains(api);
        var sd = OperatorEndToEndTests.Domain("news");
        sd.Spec.HealthCheck = new HealthCheckSpec { Schedule = "* * * * * ?" }; // every second
        await domains.CreateNamespacedAsync(sd, "mail");
        await SendingDomainWait.UntilAsync(
            domains,
            "mail",
            "news",
            s => Condition(s, "Ready") == "True/Published" && Condition(s, "Healthy").StartsWith("True", StringComparison.Ordinal),
            "Ready and Healthy"
        );

        bind.Stop();
        var stoppedAt = DateTime.UtcNow;
        var writesBefore = StatusWrites(api);
        var down = await SendingDomainWait.UntilAsync(
            domains,
            "mail",
            "news",
            s => Condition(s, "Healthy").StartsWith("Unknown", StringComparison.Ordinal),
            "Healthy=Unknown"
        );
        await Task.Delay(TimeSpan.FromSeconds(10)); // the outage lasts; the window in which a retry storm would show
        var outage = DateTime.UtcNow - stoppedAt;
        var retries = failures.Count(f => f.At >= stoppedAt);
        var writes = StatusWrites(api) - writesBefore;
        var during = await domains.ReadNamespacedAsync<SendingDomain>("mail", "news");

        bind.Restart();
        var back = await SendingDomainWait.UntilAsync(
            domains,
            "mail",
            "news",
            s => Condition(s, "Ready") == "True/Published" && Condition(s, "Healthy").StartsWith("True", StringComparison.Ordinal),
            "recovery",
            TimeSpan.FromSeconds(60)
        );
        var recovered = DateTime.UtcNow - stoppedAt - outage;
        await stop.CancelAsync();
        await running;

        var healthy = down.Status!.Conditions!.Single(c => c.Type == "Healthy");
        Assert.False(string.IsNullOrWhiteSpace(healthy.Message));
        // an unreachable server proves nothing wrong with the records
        Assert.DoesNotContain(down.Status.Health!.Checks!, c => c.Status == "fail");
        Assert.NotEqual("True", during.Status!.Conditions!.Single(c => c.Type == "Ready").Status);

        // Exponential from 0.5 s, capped at 4 s: over ~12 s at most about log2(12/0.5)+3 retries, never one per check.
        Assert.InRange(retries, 1, 8);
        Assert.InRange(writes, 1, 8);
        Assert.Equal("True", back.Status!.Conditions!.Single(c => c.Type == "RecordsVerified").Status);
        output.WriteLine(
            $"outage {outage.TotalSeconds:F1} s: Healthy={Condition(down, "Healthy")} ({healthy.Message}); "
                + $"Ready={Condition(during, "Ready")}; "
                + $"{retries} retries ({string.Join(", ", failures.Where(f => f.At >= stoppedAt).Select(f => f.Reason).Distinct())}), "
                    + $"{writes} status writes; recovered {recovered.TotalSeconds:F1} s after the restart"
        );
    }

    private static int StatusWrites(ApiServer api) =>
        api.Host.Requests.Count(r => r.Resource == "sendingdomains" && r.Subresource == "status");
}
