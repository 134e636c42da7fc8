using k8s;
using k8s.Models;
using MailDns.Core.Api;
using MailDns.Operator.Controllers;
using MailDns.Operator.Kubernetes;
using MailDns.Operator.Tests.Kubernetes;
using MailDns.Testing;
using MailDns.Testing.Reports;

namespace MailDns.Operator.Tests.Reports;

/// <summary>
/// A DMARC rollout through the operator on reports whose pass rate the test controls, delivered to a real Dovecot and
/// read by a ReportSource: the record BIND serves walks none, quarantine with t=y (RFC 9989 testing mode), quarantine,
/// reject with t=y and reject; failing reports then hold it at the target and, with rollback, step it back; every step
/// leaves its event. On the real clock with the rollout's durations in seconds (window 20s, stepAfter 4s): Quartz's
/// in-memory store recomputes misfired triggers from the system clock, so the health scheduler cannot run under a
/// test clock moved by days.
/// </summary>
public sealed class OperatorRolloutTests : IDisposable
{
    private readonly TestCertificates certificates = new();
    private readonly DovecotServer dovecot;
    private int delivered;
    private readonly ListLogger logs = new();

    /// <summary>The operator's last log lines, for a failure message.</summary>
    private string Tail() => string.Join("\n", logs.Lines.Where(l => !l.StartsWith("scope", StringComparison.Ordinal)).TakeLast(20));

    public OperatorRolloutTests() => dovecot = new DovecotServer(certificates);

    public void Dispose()
    {
        dovecot.Dispose();
        certificates.Dispose();
    }

    private static string Dmarc(BindServer bind) => Assert.Single(OperatorEndToEndTests.Served(bind, "_dmarc.news.example.org"));

    /// <summary>A report ending a second ago: 1,000 messages, of which the share <paramref name="rate"/> pass.</summary>
    private async Task DeliverAsync(GenericClient sources, double rate)
    {
        var passing = (long)(1000 * rate);
        TestRow[] rows = [new("192.0.2.10", passing, true, true), new("198.51.100.7", 1000 - passing, false, false, "rogue")];
        var begin = DateTimeOffset.UtcNow.AddDays(-1).AddSeconds(-1);
        var xml = ReportFiles.Aggregate("google.com", $"r-{++delivered}", "news.example.org", begin, rows.Where(r => r.Count > 0));
        dovecot.Deliver(ReportFiles.GzipMail($"Report {delivered}", xml, $"google.com!news.example.org!{delivered}"));
        var deadline = DateTime.UtcNow + SendingDomainWait.Bound;
        while ((await sources.ReadNamespacedAsync<ReportSource>("mail", "inbox")).Status?.Counts?.Stored != delivered)
        {
            Assert.True(DateTime.UtcNow < deadline, $"report {delivered} was not stored: {Tail()}");
            await Task.Delay(100); // polling the API for the outcome; the bound above fails the test
        }
    }

    /// <summary>Reports at the given rate every two seconds until status.dmarc says <paramref name="condition"/>.</summary>
    private async Task<SendingDomain> ReportUntilAsync(
        GenericClient domains,
        GenericClient sources,
        double rate,
        Func<DmarcRolloutStatus, bool> condition,
        string what
    )
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (true)
        {
            var sd = await domains.ReadNamespacedAsync<SendingDomain>("mail", "news");
            if (sd.Status?.Dmarc is { } d && condition(d))
            {
                return sd;
            }

            Assert.True(DateTime.UtcNow < deadline, $"{what} not reached: {System.Text.Json.JsonSerializer.Serialize(sd.Status?.Dmarc)}");
            await DeliverAsync(sources, rate);
            await Task.Delay(2000); // a report every two seconds is the traffic; the bound above fails the test
        }
    }

    [Fact]
    public async Task The_published_dmarc_record_walks_the_stages_to_reject_on_passing_reports_and_failing_ones_hold_then_step_it_back()
    {
        await using var api = await ApiServer.StartAsync();
        using var bind = new BindServer("example.org");
        using var data = new TempDir();
        await OperatorEndToEndTests.SetUpAsync(api, bind);
        var options = new ControllerOptions(null, data.Path, [bind.Endpoint]) { ReportRefresh = TimeSpan.FromSeconds(1) };
        var controller = OperatorServices.Create(api.Client, options, TimeProvider.System, logs: logs);
        using var stop = new CancellationTokenSource();
        var running = controller.RunAsync(stop.Token);
        var domains = SendingDomainWait.Domains(api);
        var sources = ReportSources.Client(api);
        await ReportSources.CreateAsync(
            api,
            "inbox",
            new ImapSourceSpec
            {
                Host = "127.0.0.1",
                Port = dovecot.Port,
                Tls = ImapSourceSpec.None,
                Idle = true,
            },
            DovecotServer.User,
            DovecotServer.Password
        );
        var sd = OperatorEndToEndTests.Domain("news", policy: "none");
        sd.Spec.Dmarc!.Rollout = new DmarcRolloutSpec
        {
            Target = "reject",
            MinMessages = 500,
            Window = "20s",
            StepAfter = "4s",
            Rollback = true,
        };
        await domains.CreateNamespacedAsync(sd, "mail");
        var first = await SendingDomainWait.UntilAsync(domains, "mail", "news", s => s.Status?.Dmarc is not null, "status.dmarc");
        Assert.Equal(("none", "hold"), (first.Status!.Dmarc!.Stage, first.Status.Dmarc.Decision)); // no reports: no evidence
        await SendingDomainWait.UntilAsync(domains, "mail", "news", s => SendingDomainWait.Ready(s) == "True/Published", "Ready");
        Assert.StartsWith("v=DMARC1; p=none;", Dmarc(bind), StringComparison.Ordinal);

        // Passing reports: the rollout holds until it has watched its 20s window, then steps a stage at a time.
        var reject = await ReportUntilAsync(domains, sources, 0.995, d => d.Stage == "reject" && d.Decision == "done", "reject, done");
        Assert.Equal(
            ("reject", false, "done"),
            (reject.Status!.Dmarc!.EffectivePolicy, reject.Status.Dmarc.Testing, reject.Status.Dmarc.Decision)
        );
        Assert.StartsWith("v=DMARC1; p=reject;", await PublishedAsync(bind, "reject", false), StringComparison.Ordinal);

        // Failing reports: at the target it holds (done, under the threshold) until the stage has lasted the rollback
        // pause, then steps back one stage.
        var back = await ReportUntilAsync(domains, sources, 0.5, d => d.Stage == "reject-testing", "a rollback");
        Assert.Contains(back.Status!.Dmarc!.Decision, new[] { "rollback", "hold" }); // hold: evaluated again since the step
        Assert.Contains("under the threshold; failing most: 198.51.100.7", back.Status.Dmarc.Reason);
        Assert.StartsWith("v=DMARC1; p=reject; t=y;", await PublishedAsync(bind, "reject", true), StringComparison.Ordinal);

        var events = (await api.Client.EventsV1.ListNamespacedEventAsync("mail"))
            .Items.Where(e => e.Regarding.Name == "news" && e.Reason.StartsWith("DmarcRollout", StringComparison.Ordinal))
            .OrderBy(e => e.EventTime)
            .Select(e => $"{e.Type} {e.Reason} {e.Note[..e.Note.IndexOf(':', StringComparison.Ordinal)]}")
            .ToList();
        Assert.Equal(
            [
                "Normal DmarcRolloutAdvanced p=none -> p=quarantine; t=y",
                "Normal DmarcRolloutAdvanced p=quarantine; t=y -> p=quarantine",
                "Normal DmarcRolloutAdvanced p=quarantine -> p=reject; t=y",
                "Normal DmarcRolloutAdvanced p=reject; t=y -> p=reject",
                "Warning DmarcRolloutRolledBack p=reject -> p=reject; t=y",
            ],
            events.Take(5) // with failing reports still coming, a later step back may follow
        );
        await stop.CancelAsync();
        await running;
    }

    /// <summary>The DMARC record BIND serves once it says the stage's policy and t=.</summary>
    private static async Task<string> PublishedAsync(BindServer bind, string policy, bool testing)
    {
        var deadline = DateTime.UtcNow + SendingDomainWait.Bound;
        while (true)
        {
            var record = Dmarc(bind);
            if (record.Contains($"p={policy};", StringComparison.Ordinal) && record.Contains("t=y", StringComparison.Ordinal) == testing)
            {
                return record;
            }

            Assert.True(DateTime.UtcNow < deadline, $"BIND serves {record}, not p={policy}{(testing ? "; t=y" : "")}");
            await Task.Delay(100); // polling DNS for the outcome; the bound above fails the test
        }
    }
}
