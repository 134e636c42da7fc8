using MailDns.Core.Dmarc;
using MailDns.Core.Health;

namespace MailDns.Core.Tests.Health;

/// <summary>RFC 9989 §4.10: DMARC policy discovery and the organisational domain by the DNS tree walk.</summary>
public class DmarcDiscoveryTests
{
    private static Func<DnsQuestion, DnsAnswer?> Zone(params (string Name, string Record)[] records) =>
        q =>
            records.Where(r => $"_dmarc.{r.Name}" == q.Name).Select(r => r.Record).ToArray() is { Length: > 0 } found
                ? DnsAnswer.OfTxtValues(found)
                : DnsAnswer.NxDomain;

    [Theory]
    [InlineData("example.com", "example.com,com")]
    [InlineData("a.mail.example.com", "a.mail.example.com,mail.example.com,example.com,com")]
    // §4.10.1: a name of eight labels or more is asked once, then from seven labels up: at most eight queries.
    [InlineData(
        "a.b.c.d.e.f.g.h.example.com",
        "a.b.c.d.e.f.g.h.example.com,d.e.f.g.h.example.com,e.f.g.h.example.com,f.g.h.example.com,"
            + "g.h.example.com,h.example.com,example.com,com"
    )]
    public void The_walk_asks_the_domain_then_its_parents_at_most_eight_times(string domain, string targets)
    {
        var walk = DmarcDiscovery.Targets(domain);

        Assert.Equal(targets.Split(','), walk);
        Assert.True(walk.Count <= DmarcDiscovery.MaxQueries);
    }

    public static TheoryData<string, (string, string)[], string?, string?, string?> Rules =>
        new()
        {
            // domain, records, policy domain, applied policy, organisational domain
            { "example.com", [("example.com", "v=DMARC1; p=reject")], "example.com", "reject", "example.com" },
            // §5.3: a subdomain without its own record gets sp of the record it inherits...
            { "mail.example.com", [("example.com", "v=DMARC1; p=reject; sp=quarantine")], "example.com", "quarantine", "example.com" },
            // ...and p when the record has no sp.
            { "mail.example.com", [("example.com", "v=DMARC1; p=reject")], "example.com", "reject", "example.com" },
            // The first record up the tree is the policy, even an intermediate one.
            {
                "a.mail.example.com",
                [("mail.example.com", "v=DMARC1; p=none"), ("example.com", "v=DMARC1; p=reject")],
                "mail.example.com",
                "none",
                "example.com"
            },
            // §4.10.2: psd=n marks the organisational domain and stops the walk.
            {
                "a.mail.example.com",
                [("mail.example.com", "v=DMARC1; p=none; psd=n"), ("example.com", "v=DMARC1; p=reject")],
                "mail.example.com",
                "none",
                "mail.example.com"
            },
            // psd=y at a public suffix: the organisational domain is the one just below it.
            { "a.mail.example.com", [("com", "v=DMARC1; p=reject; psd=y")], "com", "reject", "example.com" },
            // Two records at one name count as none (§4.10.1 step 2).
            { "example.com", [("example.com", "v=DMARC1; p=reject"), ("example.com", "v=DMARC1; p=none")], null, null, null },
            { "example.com", [], null, null, null },
        };

    [Theory]
    [MemberData(nameof(Rules))]
    public void The_policy_and_organisation_follow_the_rfc_9989_rules(
        string domain,
        (string, string)[] records,
        string? policyDomain,
        string? applied,
        string? organisation
    )
    {
        var result = DmarcDiscovery.Discover(domain, Zone(records));

        Assert.Empty(result.Missing);
        Assert.Equal(policyDomain, result.PolicyDomain);
        Assert.Equal(applied, result.AppliedPolicy);
        Assert.Equal(organisation, result.OrganizationalDomain);
        LintIsThePolicyRecords(result);
    }

    /// <summary>The walk's lint is the policy record's, so the health checks use it instead of linting the record again.</summary>
    private static void LintIsThePolicyRecords(DmarcDiscoveryResult result)
    {
        Assert.Equal(result.Record is null, result.Lint is null);
        if (result.Record is { } record)
        {
            var fresh = DmarcLinter.Lint(record);
            Assert.Equal(fresh.Policy, result.Lint!.Policy);
            Assert.Equal(fresh.Tags.Select(t => (t.Name, t.Value)), result.Lint.Tags.Select(t => (t.Name, t.Value)));
            Assert.Equal(fresh.Findings.Select(f => f.Code), result.Lint.Findings.Select(f => f.Code));
        }
    }

    [Fact]
    public void Np_applies_to_a_name_that_does_not_exist()
    {
        // RFC 9989 §5.3: np is the policy for non-existent subdomains.
        var result = DmarcDiscovery.Discover(
            "ghost.example.com",
            Zone(("example.com", "v=DMARC1; p=reject; sp=quarantine; np=reject")),
            domainExists: false
        );

        Assert.Equal("reject", result.AppliedPolicy);
    }

    [Fact]
    public void A_lookup_that_gets_no_answer_leaves_the_policy_unknown_but_keeps_one_found_below()
    {
        var failing = DmarcDiscovery.Discover("mail.example.com", _ => DnsAnswer.Failed("SERVFAIL"));
        Assert.Null(failing.PolicyDomain);
        Assert.Contains("SERVFAIL", failing.Unknown);

        var above = DmarcDiscovery.Discover(
            "mail.example.com",
            q => q.Name == "_dmarc.mail.example.com" ? DnsAnswer.OfTxtValues("v=DMARC1; p=reject") : DnsAnswer.Failed("REFUSED")
        );
        Assert.Equal("mail.example.com", above.PolicyDomain);
        Assert.Equal("reject", above.AppliedPolicy);
        Assert.Null(above.OrganizationalDomain);
        LintIsThePolicyRecords(above);
    }

    [Fact]
    public void Questions_not_answered_yet_are_returned_one_step_at_a_time()
    {
        var result = DmarcDiscovery.Discover("mail.example.com", q => q.Name == "_dmarc.mail.example.com" ? DnsAnswer.NoData : null);

        Assert.Equal([new DnsQuestion("_dmarc.example.com", DnsType.Txt)], result.Missing);
    }

    [Fact]
    public void A_cname_chain_that_returns_to_its_start_is_a_loop()
    {
        var missing = new HashSet<DnsQuestion>();
        var answer = CnameChain.Follow(
            "a.example.com",
            DnsType.Txt,
            DnsAnswer.AliasTo(["b.example.net"]),
            _ => DnsAnswer.AliasTo(["a.example.com"]),
            missing
        );

        Assert.Equal(LookupOutcome.CnameLoop, answer!.Outcome);
        Assert.Contains("a.example.com → b.example.net → a.example.com", answer.Error);
    }
}
