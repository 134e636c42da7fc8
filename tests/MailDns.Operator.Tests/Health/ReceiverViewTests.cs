using MailDns.Core.Health;
using MailDns.Operator.Dns;
using MailDns.Operator.Health;

namespace MailDns.Operator.Tests.Health;

/// <summary>
/// Real-world setups judged as a receiving MTA judges them: the domain's own BIND asked without recursion, and
/// everything else through a real recursive resolver (<see cref="HealthZones.Resolver"/>) that follows CNAMEs into
/// zones the domain's server does not hold.
/// </summary>
public class ReceiverViewTests(HealthZones zones) : IClassFixture<HealthZones>
{
    private readonly HealthGatherer gatherer = new(new DnsClientQuery(TimeSpan.FromSeconds(2)));

    private Task<HealthReport> CheckAsync(string domain, params string[] selectors) =>
        gatherer.CheckAsync(
            domain,
            selectors,
            null,
            new HealthTargets([zones.Primary.Endpoint], [zones.Resolver.Endpoint]),
            CancellationToken.None
        );

    private static CheckResult Only(HealthReport report, string id, string? selector = null) =>
        Assert.Single(report.Checks, c => c.Id == id && c.Selector == selector);

    [Fact]
    public async Task A_selector_delegated_to_an_esp_by_cname_is_the_key_at_the_end_of_the_chain()
    {
        // RFC 6376 §3.6.2.2: the key is looked up with an ordinary TXT query, which follows CNAMEs (RFC 1034 §3.6.2).
        var report = await CheckAsync("cnamed.test", "s1");

        var exists = Only(report, "dkim.exists", "s1");
        Assert.Equal(CheckStatus.Pass, exists.Status);
        Assert.Contains("via CNAME to s1.domainkey.u123.wl.espmail.test", exists.Message);
        Assert.Equal(CheckStatus.Pass, Only(report, "dkim.key-strength", "s1").Status);
    }

    [Fact]
    public async Task A_cname_loop_at_a_selector_is_a_failure_that_shows_the_chain()
    {
        var report = await CheckAsync("cnamed.test", "loop1");

        var exists = Only(report, "dkim.exists", "loop1");
        Assert.Equal(CheckStatus.Fail, exists.Status);
        Assert.Contains("loop1._domainkey.cnamed.test → loop2._domainkey.cnamed.test → loop1._domainkey.cnamed.test", exists.Message);
    }

    [Fact]
    public async Task A_dmarc_record_hosted_by_a_dmarc_service_through_a_cname_is_the_domains_policy()
    {
        // RFC 9989 §4.10.1: the policy record is the TXT answer at _dmarc.<domain>, CNAMEs followed by the resolver.
        var report = await CheckAsync("cnamed.test");

        Assert.Equal(CheckStatus.Pass, Only(report, "dmarc.exists").Status);
        Assert.Equal("p=quarantine", Only(report, "dmarc.policy").Message);
        var authorization = Only(report, "dmarc.external-report-authorization");
        Assert.Equal(CheckStatus.Pass, authorization.Status);
        Assert.Contains("dmarcservice.test authorises reports for cnamed.test", authorization.Message);
    }

    [Fact]
    public async Task An_spf_include_that_is_a_cname_resolves_and_is_not_a_void_lookup()
    {
        // RFC 7208 §4.6.4: a void lookup is one that returns no records; a CNAME whose target has the record is not.
        var report = await CheckAsync("cnamed.test");

        Assert.Equal(CheckStatus.Pass, Only(report, "spf.include-targets").Status);
        Assert.Equal("no void lookups", Only(report, "spf.void-lookup-limit").Message);
    }

    [Fact]
    public async Task A_subdomain_without_its_own_record_inherits_the_organisational_domains_policy_with_sp_applied()
    {
        // RFC 9989 §4.10.1 (tree walk) and §5.3 (sp applies to subdomains of the organisational domain).
        var report = await CheckAsync("mail.example.co.uk");

        var exists = Only(report, "dmarc.exists");
        Assert.Equal(CheckStatus.Pass, exists.Status);
        Assert.Contains("receivers apply the policy of example.co.uk", exists.Message);
        Assert.Contains("p=quarantine", exists.Message);
        Assert.Equal("p=quarantine (from example.co.uk)", Only(report, "dmarc.policy").Message);
        // RFC 9990 §3: the inherited record was published by example.co.uk, so that is the domain the outside
        // destination must authorise (not mail.example.co.uk, which published nothing).
        Assert.Equal(
            "reports.other.co.uk authorises reports for example.co.uk",
            Only(report, "dmarc.external-report-authorization").Message
        );
        Assert.DoesNotContain(report.Checks, c => c.Status == CheckStatus.Fail);
    }

    [Fact]
    public async Task An_inherited_record_whose_sp_is_not_a_policy_enforces_nothing()
    {
        // RFC 7489 §6.6.3 step 6: a record with an sp that is not valid is acted on as p=none (its rua is valid), so
        // the subdomain gets none, not the p=reject the record names nor the quarantine the typo meant.
        var report = await CheckAsync("mail.typo.test");

        Assert.Contains("which gives this domain p=none", Only(report, "dmarc.exists").Message);
        Assert.Equal(CheckStatus.Fail, Only(report, "dmarc.syntax").Status);
        var policy = Only(report, "dmarc.policy");
        Assert.Equal(CheckStatus.Warn, policy.Status);
        Assert.StartsWith("p=none (from typo.test) monitors only", policy.Message);
        Assert.Contains("sp=quarantin is not none, quarantine or reject", policy.Message);
        Assert.Contains("RFC 7489 §6.6.3", policy.Message);
    }

    [Fact]
    public async Task A_report_destination_under_co_uk_belongs_to_its_own_organisation_not_to_co_uk()
    {
        // RFC 9990 §3: only a destination outside the organisation must authorise reports. The organisational domain
        // of news.example.co.uk is example.co.uk (RFC 9989 §4.10.2), so d@example.co.uk needs nothing, and
        // reports.other.co.uk is outside it.
        var report = await CheckAsync("news.example.co.uk");

        var authorization = Only(report, "dmarc.external-report-authorization");
        Assert.Equal(CheckStatus.Pass, authorization.Status);
        Assert.Equal("reports.other.co.uk authorises reports for news.example.co.uk", authorization.Message);
    }

    [Fact]
    public async Task A_domain_with_no_record_at_or_above_it_fails_after_walking_to_the_top_level()
    {
        var report = await CheckAsync("nodmarc.test");

        var exists = Only(report, "dmarc.exists");
        Assert.Equal(CheckStatus.Fail, exists.Status);
        Assert.Contains("or above it", exists.Message);
    }

    [Fact]
    public async Task Names_outside_the_zone_asked_of_the_domains_own_server_are_unknown_not_failed()
    {
        // The authoritative server refuses names it does not hold: REFUSED is unknown, never a failure.
        var report = await gatherer.CheckAsync(
            "cnamed.test",
            ["s1"],
            null,
            new HealthTargets([zones.Primary.Endpoint], [zones.Primary.Endpoint]),
            CancellationToken.None
        );

        var exists = Only(report, "dkim.exists", "s1");
        Assert.Equal(CheckStatus.Unknown, exists.Status);
        Assert.Contains("REFUSED", exists.Message);
    }
}
