using System.Text.Json;
using k8s;
using k8s.Models;
using MailDns.Core.Api;
using MailDns.Operator.Controllers;
using MailDns.Operator.Kubernetes;
using MailDns.Operator.Tests.Kubernetes;
using MailDns.Testing;
using MailDns.Testing.Reports;
using Prometheus;

namespace MailDns.Operator.Tests.Reports;

/// <summary>
/// The reports journey in the operator: a ReportSource names a real IMAP mailbox (Dovecot, implicit TLS with a private
/// CA); reports delivered there reach the store, the messages move to the archive or invalid folder, and the
/// SendingDomain shows what receivers saw in status.reports and DmarcCompliant, with events and metrics.
/// </summary>
public sealed class OperatorReportsTests : IDisposable
{
    private readonly TestCertificates certificates = new();
    private readonly DovecotServer dovecot;

    public OperatorReportsTests() => dovecot = new DovecotServer(certificates);

    public void Dispose()
    {
        dovecot.Dispose();
        certificates.Dispose();
    }

    private static string? Condition(SendingDomain sd, string type) =>
        sd.Status?.Conditions?.FirstOrDefault(c => c.Type == type) is { } c ? $"{c.Status}/{c.Reason}" : null;

    private static async Task<ReportSource> SourceUntilAsync(GenericClient sources, Func<ReportSource, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + SendingDomainWait.Bound;
        while (true)
        {
            var source = await sources.ReadNamespacedAsync<ReportSource>("mail", "dmarc-inbox");
            if (condition(source))
            {
                return source;
            }

            Assert.True(DateTime.UtcNow < deadline, $"ReportSource {what} not reached: {JsonSerializer.Serialize(source.Status)}");
            await Task.Delay(100); // polling the API for the outcome; the bound above fails the test
        }
    }

    [Fact]
    public async Task Reports_in_a_mailbox_reach_the_domains_status_with_a_dmarc_compliant_verdict_that_follows_new_reports()
    {
        await using var api = await ApiServer.StartAsync();
        using var bind = new BindServer([("example.org", ""), ("100.51.198.in-addr.arpa", "7 IN PTR rogue.example.net.")]);
        using var data = new TempDir();
        await OperatorEndToEndTests.SetUpAsync(api, bind);
        var registry = Metrics.NewCustomRegistry();
        var logs = new ListLogger();
        var options = new ControllerOptions(null, data.Path, [bind.Endpoint]) { Resolvers = [bind.Endpoint] };
        var controller = OperatorServices.Create(api.Client, options, TimeProvider.System, new OperatorMetrics(registry), logs);
        using var stop = new CancellationTokenSource();
        var running = controller.RunAsync(stop.Token);
        var domains = SendingDomainWait.Domains(api);
        var sources = ReportSources.Client(api);
        await domains.CreateNamespacedAsync(OperatorEndToEndTests.Domain("news"), "mail");
        await SendingDomainWait.UntilAsync(domains, "mail", "news", sd => SendingDomainWait.Ready(sd) == "True/Published", "Ready");

        // 150 messages, 10 of them from an address that fails both: 93.33 %, under the 98 % threshold (RFC 7489 §6.6.2:
        // a message passes DMARC when DKIM or SPF passes aligned).
        var yesterday = DateTimeOffset.UtcNow.AddDays(-1);
        TestRow[] mostlyPassing = [new("192.0.2.10", 140, true, true, "ed20261201"), new("198.51.100.7", 10, false, false, "rogue")];
        dovecot.Deliver(
            ReportFiles.GzipMail(
                "Report domain: news.example.org",
                Aggregate("g-1", yesterday, mostlyPassing),
                "google.com!news.example.org!1!2"
            )
        );
        dovecot.Deliver(ReportFiles.GzipMail("Broken report", "<feedback><report_metadata>", "broken"));
        var tls = ReportFiles.Tls("google.com", "t-1", "news.example.org", yesterday, 500, 3);
        dovecot.Deliver(ReportFiles.Mail("TLS report", ReportFiles.Gzip(tls), "t.json.gz", "application", "tlsrpt+gzip"));

        await ReportSources.CreateAsync(
            api,
            "dmarc-inbox",
            new ImapSourceSpec
            {
                Host = "127.0.0.1",
                Port = dovecot.TlsPort,
                CaBundle = certificates.CaPem,
                Idle = true,
            },
            DovecotServer.User,
            DovecotServer.Password
        );

        var read = await SourceUntilAsync(sources, s => s.Status?.Counts is { Stored: 2, Invalid: 1 }, "2 stored, 1 invalid");
        var ready = Assert.Single(read.Status!.Conditions!);
        Assert.Equal(("True", ConditionReasons.MailboxRead), (ready.Status, ready.Reason));
        Assert.Equal(2, dovecot.Subjects("Archive").Count);
        Assert.Equal(["Broken report"], dovecot.Subjects("Invalid"));
        Assert.Empty(dovecot.Subjects("INBOX"));

        var failing = await SendingDomainWait.UntilAsync(
            domains,
            "mail",
            "news",
            sd => Condition(sd, ConditionTypes.DmarcCompliant) == $"False/{ConditionReasons.PassRateBelowThreshold}",
            "DmarcCompliant=False"
        );
        var reports = failing.Status!.Reports!;
        Assert.Equal((1L, 150L, "0.9333"), (reports.Reports, reports.Messages, reports.DmarcPassRate));
        Assert.Equal("7d", reports.Window);
        var worst = Assert.Single(reports.FailingSources!);
        Assert.Equal(("198.51.100.7", "rogue.example.net", 10L, 0L), (worst.Name, worst.ReverseName, worst.Messages, worst.DmarcPass));
        Assert.Contains(reports.Selectors!, s => s.Selector == "ed20261201" && s.Pass == 140);
        Assert.Equal((500L, 3L), (reports.TlsSuccessfulSessions, reports.TlsFailedSessions));
        Assert.Contains("198.51.100.7 (rogue.example.net) 10", failing.Status.Conditions!.Single(c => c.Type == "DmarcCompliant").Message);
        Assert.Equal("True/Published", SendingDomainWait.Ready(failing)); // reports judge DMARC results, not readiness

        // A new day of reports, all passing, lifts the window to 2,150 messages at 99.53 %: compliant, and said.
        TestRow[] allPassing = [new("192.0.2.10", 2000, true, false, "ed20261201")];
        dovecot.Deliver(ReportFiles.ZipMail("Report domain: news.example.org", Aggregate("m-1", yesterday, allPassing), "m!news!1!2"));
        var compliant = await SendingDomainWait.UntilAsync(
            domains,
            "mail",
            "news",
            sd => Condition(sd, ConditionTypes.DmarcCompliant) == $"True/{ConditionReasons.PassRateMet}",
            "DmarcCompliant=True"
        );
        Assert.Equal(
            (2150L, "0.9953", "0.0651"),
            (compliant.Status!.Reports!.Messages, compliant.Status.Reports.DmarcPassRate, compliant.Status.Reports.SpfAlignedPassRate)
        );

        var events = (await api.Client.EventsV1.ListNamespacedEventAsync("mail")).Items;
        Assert.Contains(events, e => e.Regarding.Name == "dmarc-inbox" && e.Reason == "ReportInvalid" && e.Type == "Warning");
        Assert.Contains(events, e => e.Regarding.Name == "dmarc-inbox" && e.Reason == ConditionReasons.MailboxRead);
        Assert.Contains(events, e =>
            e.Regarding.Name == "news" && e.Reason == ConditionReasons.PassRateBelowThreshold && e.Type == "Warning"
        );
        Assert.Contains(events, e => e.Regarding.Name == "news" && e.Reason == ConditionReasons.PassRateMet && e.Type == "Normal");

        var scraped = await ScrapeAsync(registry);
        Assert.Contains("maildns_dmarc_messages_total{domain=\"news.example.org\",dmarc=\"pass\",disposition=\"none\"} 2140", scraped);
        Assert.Contains("maildns_dmarc_messages_total{domain=\"news.example.org\",dmarc=\"fail\",disposition=\"none\"} 10", scraped);
        Assert.Contains("maildns_dmarc_pass_rate{domain=\"news.example.org\",kind=\"dmarc\"} 0.995", scraped);
        Assert.Contains("maildns_reports_ingested_total{source=\"mail/dmarc-inbox\",outcome=\"stored\"} 3", scraped);

        // Nothing of the mailbox password anywhere the operator writes.
        var written = logs
            .Lines.Concat(events.Select(e => JsonSerializer.Serialize(e)))
            .Append(JsonSerializer.Serialize((await sources.ReadNamespacedAsync<ReportSource>("mail", "dmarc-inbox")).Status));
        Assert.DoesNotContain(written, l => l.Contains(DovecotServer.Password, StringComparison.Ordinal));
        await stop.CancelAsync();
        await running;
    }

    private static string Aggregate(string id, DateTimeOffset begin, TestRow[] rows) =>
        ReportFiles.Aggregate("google.com", id, "news.example.org", begin, rows);

    private static async Task<string> ScrapeAsync(CollectorRegistry registry)
    {
        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}
