using MailDns.Core.Health;
using MailDns.Core.Records;

namespace MailDns.Core.Tests.Health;

/// <summary>The rules of the health checks over hand-built observations: no DNS, every answer spelled out.</summary>
public class HealthEvaluatorTests
{
    private const string Domain = "example.com";
    private const string Ed25519Key = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";

    /// <summary>An observation where one server serves the given names and a resolver answers the rest.</summary>
    private static HealthObservation Observe(
        Dictionary<string, DnsAnswer> served,
        Dictionary<DnsQuestion, DnsAnswer>? resolved = null,
        string server = "ns1"
    )
    {
        var answers = HealthQuestions
            .Authoritative(Domain, ["s1"], null)
            .ToDictionary(q => q, q => served.TryGetValue(q.Name, out var a) ? a : DnsAnswer.NxDomain);
        foreach (var (name, answer) in served)
        {
            answers[new DnsQuestion(name, DnsType.Txt)] = answer;
        }

        return new HealthObservation(Domain, [new ServerView(server, answers)], resolved ?? []);
    }

    private static HealthReport Evaluate(HealthObservation observation, HealthExpectation? expected = null)
    {
        var evaluation = HealthEvaluator.Evaluate(observation, ["s1"], expected);
        while (evaluation.Missing.Count > 0 && evaluation.Missing.All(q => q.Name.StartsWith("_dmarc.", StringComparison.Ordinal)))
        {
            // The RFC 9989 tree walk above the names a test spells out finds nothing, as at _dmarc.com for real.
            var resolved = new Dictionary<DnsQuestion, DnsAnswer>(observation.Resolved);
            foreach (var question in evaluation.Missing)
            {
                resolved[question] = DnsAnswer.NxDomain;
            }

            observation = observation with { Resolved = resolved };
            evaluation = HealthEvaluator.Evaluate(observation, ["s1"], expected);
        }

        Assert.Empty(evaluation.Missing); // every test spells out every other answer the rules need
        return evaluation.Report;
    }

    private static Dictionary<string, DnsAnswer> Healthy(
        string spf = "v=spf1 ip4:192.0.2.0/24 -all",
        string dmarc = "v=DMARC1; p=reject"
    ) =>
        new()
        {
            [Domain] = DnsAnswer.OfTxtValues(spf, "google-site-verification=abc"),
            ["_dmarc." + Domain] = DnsAnswer.OfTxtValues(dmarc),
            ["s1._domainkey." + Domain] = DnsAnswer.OfTxtValues($"v=DKIM1; k=ed25519; p={Ed25519Key}"),
        };

    private static CheckResult Check(HealthReport report, string id) => Assert.Single(report.Checks, c => c.Id == id);

    public static TheoryData<string, string, string, CheckStatus> SpfRules =>
        new()
        {
            { "a plain record with ~all passes", "v=spf1 ip4:192.0.2.1 ~all", "spf.all-mechanism", CheckStatus.Pass },
            { "+all fails", "v=spf1 +all", "spf.all-mechanism", CheckStatus.Fail },
            { "?all warns", "v=spf1 ip4:192.0.2.1 ?all", "spf.all-mechanism", CheckStatus.Warn },
            { "no all and no redirect warns", "v=spf1 ip4:192.0.2.1", "spf.all-mechanism", CheckStatus.Warn },
            { "a syntax error fails the syntax check", "v=spf1 ip4:192.0.2.256 -all", "spf.syntax", CheckStatus.Fail },
            { "a ptr mechanism is a syntax warning", "v=spf1 ptr -all", "spf.syntax", CheckStatus.Warn },
            {
                "a macro counts as a lookup without being looked up",
                "v=spf1 exists:%{i}._spf.example.com -all",
                "spf.lookup-limit",
                CheckStatus.Pass
            },
            {
                "eleven macro lookups exceed the limit",
                "v=spf1" + string.Concat(Enumerable.Repeat(" exists:%{i}.x.example.com", 11)) + " -all",
                "spf.lookup-limit",
                CheckStatus.Fail
            },
        };

    [Theory]
    [MemberData(nameof(SpfRules))]
    public void Spf_rule(string because, string spf, string id, CheckStatus status)
    {
        var report = Evaluate(Observe(Healthy(spf)));

        Assert.True(Check(report, id).Status == status, $"{because}: {Check(report, id)}");
    }

    [Fact]
    public void Lookups_are_counted_through_includes_and_redirects()
    {
        var resolved = new Dictionary<DnsQuestion, DnsAnswer>
        {
            [new("a.esp.net", DnsType.Txt)] = DnsAnswer.OfTxtValues("v=spf1 include:b.esp.net a mx ~all"),
            [new("b.esp.net", DnsType.Txt)] = DnsAnswer.OfTxtValues("v=spf1 redirect=c.esp.net"),
            [new("c.esp.net", DnsType.Txt)] = DnsAnswer.OfTxtValues("v=spf1 ip4:198.51.100.0/24 -all"),
            [new("a.esp.net", DnsType.A)] = DnsAnswer.OfAddresses(1),
            [new("a.esp.net", DnsType.Aaaa)] = DnsAnswer.NoData,
            [new("a.esp.net", DnsType.Mx)] = DnsAnswer.OfHosts("mx.esp.net"),
        };

        var report = Evaluate(Observe(Healthy("v=spf1 include:a.esp.net -all"), resolved));

        // include a, include b, redirect c, a, mx
        Assert.Equal("5 of 10 DNS-querying terms used", Check(report, "spf.lookup-limit").Message);
        Assert.Equal(CheckStatus.Pass, Check(report, "spf.void-lookup-limit").Status);
    }

    [Fact]
    public void The_evaluator_asks_for_what_it_has_not_seen_one_level_at_a_time()
    {
        var first = HealthEvaluator.Evaluate(Observe(Healthy("v=spf1 include:a.esp.net -all")), ["s1"], null);
        Assert.Equal(
            [new DnsQuestion("a.esp.net", DnsType.Txt)],
            first.Missing.Where(q => !q.Name.StartsWith("_dmarc.", StringComparison.Ordinal))
        );

        var second = HealthEvaluator.Evaluate(
            Observe(
                Healthy("v=spf1 include:a.esp.net -all"),
                new() { [new("a.esp.net", DnsType.Txt)] = DnsAnswer.OfTxtValues("v=spf1 include:b.esp.net -all") }
            ),
            ["s1"],
            null
        );
        Assert.Equal(
            [new DnsQuestion("b.esp.net", DnsType.Txt)],
            second.Missing.Where(q => !q.Name.StartsWith("_dmarc.", StringComparison.Ordinal))
        );
    }

    [Fact]
    public void A_failed_include_lookup_makes_the_recursive_checks_unknown_not_failed()
    {
        var resolved = new Dictionary<DnsQuestion, DnsAnswer> { [new("a.esp.net", DnsType.Txt)] = DnsAnswer.Failed("timed out") };

        var report = Evaluate(Observe(Healthy("v=spf1 include:a.esp.net -all"), resolved));

        Assert.Equal(CheckStatus.Unknown, Check(report, "spf.lookup-limit").Status);
        Assert.Contains("timed out", Check(report, "spf.lookup-limit").Message);
        Assert.Equal(HealthVerdict.Unknown, report.Verdict);
    }

    public static TheoryData<string, string?, string, string, CheckStatus> DmarcRules =>
        new()
        {
            { "p=reject passes", "v=DMARC1; p=reject", "dmarc.policy", "", CheckStatus.Pass },
            { "p=none warns", "v=DMARC1; p=none", "dmarc.policy", "", CheckStatus.Warn },
            { "a policy other than the spec's fails", "v=DMARC1; p=quarantine", "dmarc.policy", "reject", CheckStatus.Fail },
            { "a missing record fails", null, "dmarc.exists", "", CheckStatus.Fail },
            { "a bad tag value fails the syntax", "v=DMARC1; p=sometimes", "dmarc.syntax", "", CheckStatus.Fail },
            // RFC 7489 §6.6.3 step 6: a p that is not a policy enforces nothing, so it is judged as p=none.
            { "a p that is not a policy is none", "v=DMARC1; p=sometimes", "dmarc.policy", "", CheckStatus.Warn },
            {
                "an internal report address needs no authorisation",
                "v=DMARC1; p=reject; rua=mailto:d@reports.example.com",
                "dmarc.external-report-authorization",
                "",
                CheckStatus.Pass
            },
        };

    [Theory]
    [MemberData(nameof(DmarcRules))]
    public void Dmarc_rule(string because, string? dmarc, string id, string specPolicy, CheckStatus status)
    {
        var served = Healthy();
        served["_dmarc." + Domain] = dmarc is null ? DnsAnswer.NxDomain : DnsAnswer.OfTxtValues(dmarc);
        var expected =
            specPolicy.Length == 0
                ? null
                : new HealthExpectation(
                    [new DesiredRecord("_dmarc." + Domain, 300, "v=DMARC1; p=reject", RecordPurpose.Dmarc, "ns/x")],
                    specPolicy,
                    Complete: false
                );

        var report = Evaluate(Observe(served), expected);

        Assert.True(Check(report, id).Status == status, $"{because}: {Check(report, id)}");
    }

    [Theory]
    [InlineData("v=DMARC1", CheckStatus.Pass)]
    [InlineData("v=spf1 -all", CheckStatus.Fail)]
    [InlineData(null, CheckStatus.Fail)]
    public void An_external_report_destination_must_authorise_the_domain(string? authorisation, CheckStatus status)
    {
        var served = Healthy(dmarc: "v=DMARC1; p=reject; rua=mailto:d@dmarc.vendor.net");
        var question = new DnsQuestion("example.com._report._dmarc.dmarc.vendor.net", DnsType.Txt);
        var resolved = new Dictionary<DnsQuestion, DnsAnswer>
        {
            [question] = authorisation is null ? DnsAnswer.NxDomain : DnsAnswer.OfTxtValues(authorisation),
        };

        var report = Evaluate(Observe(served, resolved));

        Assert.Equal(status, Check(report, "dmarc.external-report-authorization").Status);
    }

    [Fact]
    public void Expected_records_are_compared_joined_so_a_different_split_is_not_drift()
    {
        var value = "v=spf1 " + string.Join(' ', Enumerable.Range(1, 30).Select(i => $"ip4:192.0.2.{i}")) + " -all";
        var served = Healthy(spf: value);
        served[Domain] = DnsAnswer.OfTxt([value[..100], value[100..]]); // split where the product would not
        var expected = new HealthExpectation([new DesiredRecord(Domain, 300, value, RecordPurpose.Spf, "ns/x")], null);

        var report = Evaluate(Observe(served), expected);

        Assert.Equal(CheckStatus.Pass, Check(report, "records.expected").Status);
    }

    [Fact]
    public void Servers_that_agree_give_one_result_and_servers_that_differ_are_each_named()
    {
        var old = Healthy();
        old["s1._domainkey." + Domain] = DnsAnswer.OfTxtValues("v=DKIM1; k=ed25519; p=");
        var a = Observe(Healthy(), server: "ns1").Authoritative[0];
        var b = Observe(old, server: "ns2").Authoritative[0];

        var report = Evaluate(new HealthObservation(Domain, [a, b], new Dictionary<DnsQuestion, DnsAnswer>()));

        Assert.Single(report.Checks, c => c.Id == "spf.exists");
        var strength = report.Checks.Where(c => c.Id == "dkim.key-strength").ToList();
        Assert.Equal(["ns1", "ns2"], strength.Select(c => c.Server));
    }

    [Fact]
    public void No_authoritative_server_is_unknown()
    {
        var report = Evaluate(new HealthObservation(Domain, [], new Dictionary<DnsQuestion, DnsAnswer>()));

        Assert.Equal(HealthVerdict.Unknown, report.Verdict);
        Assert.Equal("dns.authoritative", Assert.Single(report.Checks).Id);
    }

    [Fact]
    public void Policy_records_are_judged_only_when_configured_or_published()
    {
        var served = Healthy();
        var silent = Evaluate(Observe(served));
        Assert.DoesNotContain(silent.Checks, c => c.Id.StartsWith("mta-sts", StringComparison.Ordinal));

        served["_smtp._tls." + Domain] = DnsAnswer.OfTxtValues("v=TLSRPTv1; rua=ftp://x");
        var published = Evaluate(Observe(served));
        Assert.Equal(CheckStatus.Fail, Check(published, "tls-rpt.syntax").Status);

        var expected = new HealthExpectation(
            [new DesiredRecord("_mta-sts." + Domain, 300, "v=STSv1; id=1", RecordPurpose.MtaSts, "ns/x")],
            null,
            Complete: false
        );
        var missing = Evaluate(Observe(Healthy()), expected);
        Assert.Equal(CheckStatus.Fail, Check(missing, "mta-sts.exists").Status);
    }
}
