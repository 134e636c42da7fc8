using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using k8s;
using k8s.Models;
using MailDns.Core.Operations;
using MailDns.Operator.Controllers;
using MailDns.Operator.Kubernetes;
using MailDns.Testing;
using Xunit.Abstractions;

namespace MailDns.Operator.Tests.Kubernetes;

/// <summary>
/// The operator against an API server that fails 10% of its requests (409, 429 and 500 in equal parts), answers
/// slowly, drops every watch after a few seconds and answers resumed watches with 410 Gone: 200 SendingDomains
/// still all reach Ready with one key each, retries back off within their cap, and no secret leaks anywhere.
/// </summary>
public class OperatorFaultTests(ITestOutputHelper output)
{
    private const string OperatorUser = "system:serviceaccount:maildns-system:maildns-operator";
    private const int Count = 200;

    [Fact]
    public async Task Under_api_faults_two_hundred_domains_all_become_ready_with_one_selector_each_and_capped_backoff_and_no_secret_leaks()
    {
        await using var api = await ApiServer.StartAsync();
        using var bind = new BindServer("example.org");
        using var data = new TempDir();
        await OperatorEndToEndTests.SetUpAsync(api, bind);
        var domains = SendingDomainWait.Domains(api);
        await Parallel.ForEachAsync(
            Enumerable.Range(0, Count),
            new ParallelOptions { MaxDegreeOfParallelism = 16 },
            async (i, token) => await domains.CreateNamespacedAsync(OperatorEndToEndTests.Domain($"f{i}"), "mail", token)
        );

        var faults = api.Host.Faults;
        faults.User = OperatorUser; // the test's own reads and writes stay clean
        faults.ConflictRate = 0.034;
        faults.TooManyRequestsRate = 0.033;
        faults.ServerErrorRate = 0.033;
        faults.Latency = TimeSpan.FromMilliseconds(2);
        faults.DropWatchesAfter = TimeSpan.FromSeconds(3);
        var backoff = new Backoff(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5));
        using var client = new k8s.Kubernetes(
            new KubernetesClientConfiguration { Host = api.Host.BaseAddress.ToString(), AccessToken = OperatorUser }
        );
        var logger = new ListLogger();
        var controller = OperatorServices.Create(
            client,
            new ControllerOptions(null, data.Path, [bind.Endpoint]) { Backoff = backoff },
            TimeProvider.System,
            logs: logger
        );
        var failures = new ConcurrentQueue<(string Key, int Count, TimeSpan Delay)>();
        controller.Queue.Failed += (key, count, delay, _) => failures.Enqueue((key, count, delay));
        using var stop = new CancellationTokenSource();
        var watch = Stopwatch.StartNew();
        var running = controller.RunAsync(stop.Token);
        var gone = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                api.Host.Store.ForceGone = true; // the next resumed watch gets 410 and the informer lists again
                await Task.Delay(2000); // a fault every two seconds, not a wait for an outcome
            }
        });

        var all = await SendingDomainWait.UntilAllAsync(
            domains,
            "mail",
            Count,
            sd => SendingDomainWait.Ready(sd) == "True/Published",
            TimeSpan.FromSeconds(240)
        );
        var seconds = watch.Elapsed.TotalSeconds;
        await stop.CancelAsync();
        await running;
        await gone;

        // One selector per domain: in status, in the key Secret, and in what BIND was ever asked to add.
        var secrets = (await api.Client.CoreV1.ListNamespacedSecretAsync("mail")).Items;
        string bindLog;
        lock (bind.Log)
        {
            bindLog = bind.Log.ToString();
        }

        foreach (var sd in all)
        {
            var selector = Assert.Single(sd.Status!.Dkim!.Keys!).Selector;
            var secret = secrets.Single(s => s.Metadata.Name == $"{sd.Metadata.Name}-dkim");
            Assert.Equal([$"{selector}.key"], secret.Data.Keys.Where(k => k.EndsWith(".key", StringComparison.Ordinal)));
            var added = System
                .Text.RegularExpressions.Regex.Matches(bindLog, $@"adding an RR at '([^']+)\._domainkey\.{sd.Metadata.Name}\.example\.org'")
                .Select(m => m.Groups[1].Value)
                .Distinct()
                .ToList();
            Assert.Equal([selector], added);
        }

        // The faults did happen, and the retries that followed them backed off, capped.
        var mine = api.Host.Requests.Where(r => r.User == OperatorUser).ToList();
        var injected = mine.Count(r => r.Status is 409 or 429 or 500 && r.Verb != "watch");
        Assert.All(new[] { 409, 429, 500 }, code => Assert.Contains(mine, r => r.Status == code));
        Assert.Contains(mine, r => r.Verb == "watch" && r.Status == 410);
        Assert.NotEmpty(failures);
        Assert.All(
            failures,
            f =>
            {
                var raw = Math.Min(backoff.Initial.TotalMilliseconds * Math.Pow(2, f.Count - 1), backoff.Cap.TotalMilliseconds);
                Assert.InRange(f.Delay.TotalMilliseconds, (raw * 0.5) - 1, backoff.Cap.TotalMilliseconds);
            }
        );

        // Nothing secret, in any encoding, in the logs of every category, events, statuses or the data directory.
        var events = await api.Client.EventsV1.ListNamespacedEventAsync("mail");
        var needles = SecretScan.Needles(secrets);
        Assert.True(needles.Count > Count, $"only {needles.Count} needles");
        var hits = SecretScan.Hits(
            needles,
            logger
                .Lines.Select(l => ("log", l))
                .Concat(events.Items.Select(e => ("event", JsonSerializer.Serialize(e))))
                .Concat(all.Select(sd => ("status", JsonSerializer.Serialize(sd.Status))))
                .Concat(SecretScan.Files(data.Path))
        );
        Assert.Empty(hits);

        output.WriteLine(
            $"{Count} Ready in {seconds:F1} s; operator requests {mine.Count}, injected {injected} "
                + $"({100.0 * injected / mine.Count(r => r.Verb != "watch"):F1}% of non-watch), "
                + $"watches {mine.Count(r => r.Verb == "watch")}, 410s {mine.Count(r => r.Status == 410)}; failed reconciles "
                    + $"{failures.Count}, longest streak {failures.Max(f => f.Count)}, "
                + $"longest delay {failures.Max(f => f.Delay).TotalSeconds:F2} s; scanned {logger.Lines.Count} log lines, "
                    + $"{events.Items.Count} events, {all.Count} statuses for {needles.Count} needles"
        );
    }

    [Fact]
    public async Task An_operator_asked_to_stop_before_it_has_started_stops_without_an_error()
    {
        await using var api = await ApiServer.StartAsync();
        using var data = new TempDir();
        var controller = OperatorServices.Create(api.Client, new ControllerOptions(null, data.Path, []), TimeProvider.System);
        using var stop = new CancellationTokenSource();
        await stop.CancelAsync();

        await controller.RunAsync(stop.Token); // the schedulers' start sees the cancelled token first

        Assert.False(controller.Leading);
    }
}
