using MailDns.Core.Health;
using MailDns.Operator.Dns;
using MailDns.Operator.Health;
using MailDns.Operator.Observability;
using Prometheus;

namespace MailDns.Operator.Tests.Health;

public class HealthMetricsAndDiscoveryTests(HealthZones zones) : IClassFixture<HealthZones>
{
    [Fact]
    public async Task Metrics_carry_each_checks_status_and_a_deleted_domain_leaves_no_series()
    {
        var exposition = new MetricsExposition(Metrics.NewCustomRegistry());
        var metrics = new HealthMetrics(exposition);
        var at = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);

        metrics.Record(
            "mail/a",
            new HealthReport("a.test", [CheckResult.Fail("spf.single", "2 SPF records"), CheckResult.Pass("dkim.exists", "ok", "s1")]),
            at
        );
        metrics.Record("mail/b", new HealthReport("b.test", [CheckResult.Pass("spf.single", "ok")]), at);
        var text = await exposition.ScrapeAsync();
        Assert.Contains("maildns_health_check_status{domain=\"mail/a\",check=\"spf.single\",selector=\"\",server=\"\"} 2", text);
        Assert.Contains("maildns_health_check_status{domain=\"mail/a\",check=\"dkim.exists\",selector=\"s1\",server=\"\"} 0", text);
        Assert.Contains("maildns_domain_healthy{domain=\"mail/a\"} 0", text);
        Assert.Contains("maildns_health_last_check_timestamp_seconds{domain=\"mail/b\"} 1800000000", text);

        metrics.Record("mail/a", new HealthReport("a.test", [CheckResult.Pass("spf.single", "ok")]), at); // s1 no longer checked
        metrics.Forget("mail/b");
        text = await exposition.ScrapeAsync();
        Assert.DoesNotContain("selector=\"s1\"", text);
        Assert.DoesNotContain("domain=\"mail/b\"", text);
        Assert.Contains("maildns_domain_healthy{domain=\"mail/a\"} 1", text);
    }

    [Fact]
    public async Task Discovery_walks_up_to_the_zone_and_finds_its_nameservers_addresses()
    {
        var (zone, servers, error) = await DnsClientQuery.DiscoverAsync(
            "no.such.name.healthy.test",
            [zones.Primary.Endpoint],
            zones.Primary.Port,
            TimeSpan.FromSeconds(2),
            CancellationToken.None
        );

        Assert.Null(error);
        Assert.Equal("healthy.test", zone);
        Assert.Equal([zones.Primary.Endpoint], servers);
    }

    [Fact]
    public async Task Discovery_through_an_unreachable_resolver_reports_why()
    {
        var (zone, servers, error) = await DnsClientQuery.DiscoverAsync(
            "healthy.test",
            [new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 1)],
            53,
            TimeSpan.FromMilliseconds(300),
            CancellationToken.None
        );

        Assert.Null(zone);
        Assert.Empty(servers);
        Assert.False(string.IsNullOrEmpty(error));
    }
}
