using k8s.Models;
using MailDns.Core.Api;
using MailDns.Core.Findings;
using MailDns.Core.Health;
using MailDns.Core.Readiness;

namespace MailDns.Core.Tests.Readiness;

public class StatusPolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly HashSet<string> Records = ["example.com v=spf1 -all", "_dmarc.example.com v=DMARC1; p=reject"];
    private static readonly HashSet<string> OldRecords = ["example.com v=spf1 -all", "_dmarc.example.com v=DMARC1; p=none"];

    private static readonly HealthReport Passing = new(
        "example.com",
        [
            CheckResult.Pass("records.expected", "example.com serves the expected spf record"),
            CheckResult.Pass("spf.single", "exactly one SPF record"),
        ]
    );

    private static readonly HealthReport Stale = new(
        "example.com",
        [
            CheckResult.Fail("records.expected", "_dmarc.example.com serves p=reject instead of p=none"),
            CheckResult.Pass("spf.single", "exactly one SPF record"),
        ]
    );

    private static readonly HealthReport Unreachable = new(
        "example.com",
        [CheckResult.Unknown("dns.authoritative", "127.0.0.1:53: timed out")]
    );

    private static ReadinessInput Published(params string[] notServed) =>
        new(2, Now, []) { Publish = new PublishEvidence(Records.Count, notServed, "127.0.0.1:53"), Records = Records };

    private static HealthEvidence Evidence(HealthReport report, long generation = 2, HashSet<string>? records = null) =>
        new(report, generation, records ?? Records, Now.AddSeconds(-5));

    /// <summary>(because, input, Ready, RecordsVerified, Healthy, retry) — each row is a rule of the policy.</summary>
    public static TheoryData<string, ReadinessInput, string, string, string, RetryPolicy> Rules =>
        new()
        {
            {
                "an invalid spec is InvalidSpec and waits for a change",
                Published() with
                {
                    SpecErrors = [Finding.Error("spf.lookups", "11 lookups", "spec.spf")],
                },
                "False/InvalidSpec",
                "True/RecordsServed",
                "",
                RetryPolicy.WaitForChange
            },
            {
                "a missing provider waits for a change",
                new ReadinessInput(2, Now, [])
                {
                    Failure = new Blocked(ConditionReasons.ProviderNotFound, "spec.providerRef: DnsProvider 'x' was not found"),
                },
                "False/ProviderNotFound",
                "",
                "",
                RetryPolicy.WaitForChange
            },
            {
                "a failed publish is retried with backoff",
                new ReadinessInput(2, Now, []) { Failure = new Blocked(ConditionReasons.PublishFailed, "127.0.0.1:53 timed out") },
                "False/PublishFailed",
                "",
                "",
                RetryPolicy.Backoff
            },
            {
                "records the store does not serve are not verified and retried",
                Published("_dmarc.example.com"),
                "False/NotVerified",
                "False/RecordsNotServed",
                "",
                RetryPolicy.Backoff
            },
            {
                "records the store serves, before any health check, are Ready",
                Published(),
                "True/Published",
                "True/RecordsServed",
                "",
                RetryPolicy.None
            },
            {
                "a current passing report verifies at every authoritative server and is Healthy",
                Published() with
                {
                    Health = Evidence(Passing),
                },
                "True/Published",
                "True/RecordsServed",
                "True/ChecksPassed",
                RetryPolicy.None
            },
            {
                "a report of the previous generation decides nothing (no stale RecordsNotServed after a spec change)",
                Published() with
                {
                    Health = Evidence(Stale, generation: 1, records: OldRecords),
                },
                "True/Published",
                "True/RecordsServed",
                "",
                RetryPolicy.None
            },
            {
                "a report of other records of the same generation decides nothing",
                Published() with
                {
                    Health = Evidence(Stale, records: OldRecords),
                },
                "True/Published",
                "True/RecordsServed",
                "",
                RetryPolicy.None
            },
            {
                "a current report that finds a record missing at a server is not verified",
                Published() with
                {
                    Health = Evidence(Stale),
                },
                "False/NotVerified",
                "False/RecordsNotServed",
                "False/ChecksFailed",
                RetryPolicy.Backoff
            },
            {
                "an unreachable server is unknown, never a failure: the store's read-back stands (RFC 7208 §2.6.7 temperror)",
                Published() with
                {
                    Health = Evidence(Unreachable),
                },
                "True/Published",
                "True/RecordsServed",
                "Unknown/DnsUnreachable",
                RetryPolicy.None
            },
            {
                "a current report still reaches Healthy while publishing fails",
                new ReadinessInput(2, Now, [])
                {
                    Failure = new Blocked(ConditionReasons.PublishFailed, "timed out"),
                    Records = Records,
                    Health = Evidence(Unreachable),
                },
                "False/PublishFailed",
                "",
                "Unknown/DnsUnreachable",
                RetryPolicy.Backoff
            },
        };

    [Theory]
    [MemberData(nameof(Rules))]
    public void Decide(string because, ReadinessInput input, string ready, string recordsVerified, string healthy, RetryPolicy retry)
    {
        var decision = StatusPolicy.Decide(input);

        string Of(string type) => decision.Conditions.FirstOrDefault(c => c.Type == type) is { } c ? $"{c.Status}/{c.Reason}" : "";
        Assert.True(ready == Of(ConditionTypes.Ready), $"{because}: Ready {Of(ConditionTypes.Ready)}");
        Assert.True(
            recordsVerified == Of(ConditionTypes.RecordsVerified),
            $"{because}: RecordsVerified {Of(ConditionTypes.RecordsVerified)}"
        );
        Assert.True(healthy == Of(ConditionTypes.Healthy), $"{because}: Healthy {Of(ConditionTypes.Healthy)}");
        Assert.True(retry == decision.Retry, $"{because}: retry {decision.Retry}");
        Assert.All(decision.Conditions, c => Assert.Equal(2, c.ObservedGeneration));
    }

    [Fact]
    public void A_condition_keeps_its_transition_time_while_its_status_stays_the_same()
    {
        var earlier = Now.AddHours(-3).UtcDateTime;
        V1Condition[] previous =
        [
            new()
            {
                Type = ConditionTypes.Ready,
                Status = ConditionStatus.True,
                Reason = "Published",
                LastTransitionTime = earlier,
            },
        ];

        var decision = StatusPolicy.Decide(Published() with { Previous = previous });

        Assert.Equal(earlier, decision.Ready.LastTransitionTime);
    }

    [Fact]
    public void A_stale_report_leaves_the_previous_healthy_condition_as_it_was()
    {
        V1Condition[] previous =
        [
            new()
            {
                Type = ConditionTypes.Healthy,
                Status = ConditionStatus.True,
                Reason = "ChecksPassed",
                ObservedGeneration = 1,
            },
        ];

        var decision = StatusPolicy.Decide(
            Published() with
            {
                Previous = previous,
                Health = Evidence(Stale, generation: 1, records: OldRecords),
            }
        );

        var healthy = decision.Conditions.Single(c => c.Type == ConditionTypes.Healthy);
        Assert.Equal((ConditionStatus.True, 1L), (healthy.Status, healthy.ObservedGeneration!.Value));
    }

    [Fact]
    public void The_ready_message_names_the_signing_selectors_or_when_the_first_key_activates()
    {
        var next = Now.AddDays(1);

        var waiting = StatusPolicy.Decide(Published() with { DkimConfigured = true, NextRotation = next });
        var none = StatusPolicy.Decide(Published());

        Assert.Contains("first key activates after 2026-12-02 12:00:00Z", waiting.Ready.Message, StringComparison.Ordinal);
        Assert.EndsWith("no DKIM", none.Ready.Message, StringComparison.Ordinal);
        Assert.Equal(next, waiting.RequeueAt);
    }
}
