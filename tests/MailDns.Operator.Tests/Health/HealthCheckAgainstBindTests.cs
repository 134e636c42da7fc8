using System.Net;
using System.Net.Sockets;
using MailDns.Core.Health;
using MailDns.Operator.Dns;
using MailDns.Operator.Health;

namespace MailDns.Operator.Tests.Health;

/// <summary>Each failure class of the health checks, served by a real BIND and found by the real gatherer.</summary>
public class HealthCheckAgainstBindTests(HealthZones zones) : IClassFixture<HealthZones>
{
    private readonly HealthGatherer gatherer = new(new DnsClientQuery(TimeSpan.FromSeconds(2)));

    private Task<HealthReport> CheckAsync(
        string domain,
        string[]? selectors = null,
        HealthExpectation? expected = null,
        params IPEndPoint[] servers
    )
    {
        var endpoints = servers.Length == 0 ? [zones.Primary.Endpoint] : servers;
        return gatherer.CheckAsync(
            domain,
            selectors ?? [],
            expected,
            new HealthTargets(endpoints, [zones.Resolver.Endpoint]),
            CancellationToken.None
        );
    }

    private static CheckResult Only(HealthReport report, string id, string? selector = null) =>
        Assert.Single(report.Checks, c => c.Id == id && c.Selector == selector);

    [Fact]
    public async Task A_healthy_domain_passes_every_check()
    {
        var expected = new HealthExpectation([HealthZones.Dkim("healthy.test", "s1", zones.Key)], null, Complete: false);

        var report = await CheckAsync("healthy.test", expected: expected);

        Assert.True(report.Healthy, string.Join("\n", report.Checks.Where(c => c.Status != CheckStatus.Pass)));
        Assert.Equal(CheckStatus.Pass, Only(report, "dkim.key-matches", "s1").Status);
        Assert.Equal(CheckStatus.Pass, Only(report, "records.expected", "s1").Status);
        Assert.Equal(CheckStatus.Pass, Only(report, "dmarc.external-report-authorization").Status);
        Assert.Contains("1 of 10", Only(report, "spf.lookup-limit").Message);
    }

    [Theory]
    [InlineData("twospf.test", "spf.single", "2 SPF records")]
    [InlineData("lookups.test", "spf.lookup-limit", "11 DNS-querying terms")]
    [InlineData("voids.test", "spf.void-lookup-limit", "3 void lookups")]
    [InlineData("loop.test", "spf.include-loop", "loop.test → a.loop.test → loop.test")]
    [InlineData("notarget.test", "spf.include-targets", "include:nospf.esp.test has no SPF record")]
    [InlineData("bigmx.test", "spf.mx-limit", "mx:bigmx.test has 11 hosts")]
    [InlineData("plusall.test", "spf.all-mechanism", "'+all'")]
    [InlineData("nodmarc.test", "dmarc.exists", "no DMARC record")]
    [InlineData("unauthorised.test", "dmarc.external-report-authorization", "unauthorised.test._report._dmarc.reports.test")]
    public async Task Each_failure_class_fails_its_check_with_a_message_naming_the_record(string domain, string id, string message)
    {
        var report = await CheckAsync(domain);

        var check = Only(report, id);
        Assert.Equal(CheckStatus.Fail, check.Status);
        Assert.Contains(message, check.Message);
        Assert.Equal(HealthVerdict.Failing, report.Verdict);
    }

    [Fact]
    public async Task P_none_is_a_warning_not_a_failure()
    {
        var report = await CheckAsync("monitor.test");

        Assert.Equal(CheckStatus.Warn, Only(report, "dmarc.policy").Status);
        Assert.Equal(HealthVerdict.Healthy, report.Verdict);
    }

    [Fact]
    public async Task Dkim_keys_are_checked_against_the_keys_the_operator_holds()
    {
        var expected = new HealthExpectation(
            [HealthZones.Dkim("keys.test", "wrong", zones.Key), HealthZones.Dkim("keys.test", "revoked", zones.Key, revoked: true)],
            null,
            Complete: false
        );

        var report = await CheckAsync("keys.test", ["weak", "testing", "absent"], expected);

        Assert.Equal(CheckStatus.Fail, Only(report, "dkim.key-matches", "wrong").Status);
        Assert.Contains("is not the one the operator holds", Only(report, "dkim.key-matches", "wrong").Message);
        Assert.Equal(CheckStatus.Fail, Only(report, "dkim.key-matches", "revoked").Status);
        Assert.Contains("should be revoked", Only(report, "dkim.key-matches", "revoked").Message);
        Assert.Equal(CheckStatus.Warn, Only(report, "dkim.key-strength", "weak").Status);
        Assert.Contains("RSA 1024 bits", Only(report, "dkim.key-strength", "weak").Message);
        Assert.Equal(CheckStatus.Warn, Only(report, "dkim.testing-flag", "testing").Status);
        Assert.Equal(CheckStatus.Fail, Only(report, "dkim.exists", "absent").Status);
    }

    [Fact]
    public async Task A_stale_secondary_is_named_as_the_server_that_serves_the_old_key()
    {
        var expected = new HealthExpectation([HealthZones.Dkim("stale.test", "s2", zones.Key)], null, Complete: false);

        var report = await CheckAsync("stale.test", expected: expected, servers: [zones.Primary.Endpoint, zones.Secondary.Endpoint]);

        var perServer = report.Checks.Where(c => c.Id == "records.expected" && c.Selector == "s2").ToList();
        Assert.Equal(2, perServer.Count);
        Assert.Equal(CheckStatus.Pass, perServer.Single(c => c.Server == zones.Primary.Endpoint.ToString()).Status);
        Assert.Equal(CheckStatus.Fail, perServer.Single(c => c.Server == zones.Secondary.Endpoint.ToString()).Status);
        var keyChecks = report.Checks.Where(c => c.Id == "dkim.key-matches" && c.Selector == "s2").ToList();
        Assert.Equal(CheckStatus.Fail, keyChecks.Single(c => c.Server == zones.Secondary.Endpoint.ToString()).Status);
        Assert.Equal(CheckStatus.Pass, keyChecks.Single(c => c.Server == zones.Primary.Endpoint.ToString()).Status);
        Assert.Single(report.Checks, c => c.Id == "spf.exists" && c.Server is null); // where the servers agree, one result
    }

    [Fact]
    public async Task A_closed_port_makes_every_check_unknown_never_failed()
    {
        var report = await CheckAsync("healthy.test", ["s1"], servers: new IPEndPoint(IPAddress.Loopback, ClosedPort()));

        Assert.NotEmpty(report.Checks);
        Assert.All(report.Checks, c => Assert.Equal(CheckStatus.Unknown, c.Status));
        Assert.Equal(HealthVerdict.Unknown, report.Verdict);
    }

    private static int ClosedPort()
    {
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)udp.Client.LocalEndPoint!).Port; // released when disposed: nothing listens there
    }
}
