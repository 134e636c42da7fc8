using MailDns.Core.Health;

namespace MailDns.Core.Tests.Health;

public class HealthOutcomeTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.Parse(
        "2026-03-01T00:00:00Z",
        System.Globalization.CultureInfo.InvariantCulture
    );

    private static HealthReport Report(params CheckResult[] checks) => new("example.com", checks);

    private static CheckResult Expected(CheckStatus status, string? server = null) =>
        new("records.expected", status, "s1._domainkey.example.com serves the expected dkim record", "s1", server);

    public static TheoryData<string, CheckResult[], string, string, string> Rules =>
        new()
        {
            {
                "all expected records served and nothing failing",
                [Expected(CheckStatus.Pass), CheckResult.Warn("dmarc.policy", "p=none")],
                "True",
                "True",
                "ChecksPassed"
            },
            { "a stale server", [Expected(CheckStatus.Pass, "ns1"), Expected(CheckStatus.Fail, "ns2")], "False", "False", "ChecksFailed" },
            { "an unreachable server", [Expected(CheckStatus.Unknown)], "Unknown", "Unknown", "DnsUnreachable" },
            {
                "a failing SPF with records served",
                [Expected(CheckStatus.Pass), CheckResult.Fail("spf.single", "2 SPF records")],
                "True",
                "False",
                "ChecksFailed"
            },
            { "nothing expected", [CheckResult.Pass("spf.exists", "ok")], "Unknown", "True", "ChecksPassed" },
        };

    [Theory]
    [MemberData(nameof(Rules))]
    public void Conditions_follow_the_report(
        string because,
        CheckResult[] checks,
        string recordsVerified,
        string healthy,
        string healthyReason
    )
    {
        var conditions = HealthOutcome.Conditions(Report(checks), 3, T0, null);

        var records = conditions.Single(c => c.Type == "RecordsVerified");
        var health = conditions.Single(c => c.Type == "Healthy");
        Assert.True(records.Status == recordsVerified, because);
        Assert.True(health.Status == healthy && health.Reason == healthyReason, $"{because}: {health.Status} {health.Reason}");
        Assert.All(conditions, c => Assert.Equal(3, c.ObservedGeneration));
    }

    [Fact]
    public void The_transition_time_moves_only_when_the_status_does()
    {
        var first = HealthOutcome.Conditions(Report(Expected(CheckStatus.Pass)), 1, T0, null);
        var same = HealthOutcome.Conditions(
            Report(Expected(CheckStatus.Pass), CheckResult.Warn("dmarc.policy", "p=none")),
            1,
            T0.AddHours(1),
            first
        );
        var changed = HealthOutcome.Conditions(Report(Expected(CheckStatus.Fail)), 1, T0.AddHours(2), same);

        Assert.Equal(T0.UtcDateTime, same.Single(c => c.Type == "Healthy").LastTransitionTime);
        Assert.Equal(T0.AddHours(2).UtcDateTime, changed.Single(c => c.Type == "Healthy").LastTransitionTime);
    }

    [Fact]
    public void Transitions_name_the_checks_that_changed_and_a_first_report_names_what_is_not_passing()
    {
        var first = Report(Expected(CheckStatus.Pass), CheckResult.Fail("spf.single", "2 SPF records"));
        var firstTransitions = HealthOutcome.Transitions(null, first);
        Assert.Equal("spf.single", Assert.Single(firstTransitions).Id);

        var previous = HealthOutcome.Status(first, T0, T0.AddMinutes(15));
        var second = Report(Expected(CheckStatus.Fail), CheckResult.Fail("spf.single", "2 SPF records"));
        var change = Assert.Single(HealthOutcome.Transitions(previous, second));
        Assert.Equal(
            ("records.expected", "s1", (CheckStatus?)CheckStatus.Pass, CheckStatus.Fail),
            (change.Id, change.Selector, change.From, change.To)
        );
        Assert.Empty(HealthOutcome.Transitions(HealthOutcome.Status(second, T0, null), second));
    }
}

public class HealthOutcomeRepeatedCheckTests
{
    [Fact]
    public void Checks_with_one_result_per_record_are_compared_record_by_record()
    {
        var t0 = DateTimeOffset.UnixEpoch;
        var first = new HealthReport(
            "example.com",
            [
                new CheckResult("records.expected", CheckStatus.Pass, "example.com serves the expected spf record"),
                new CheckResult("records.expected", CheckStatus.Pass, "_dmarc.example.com serves the expected dmarc record"),
            ]
        );
        var second = new HealthReport(
            "example.com",
            [
                new CheckResult("records.expected", CheckStatus.Pass, "example.com serves the expected spf record"),
                new CheckResult("records.expected", CheckStatus.Fail, "_dmarc.example.com does not serve the expected dmarc record"),
            ]
        );

        var change = Assert.Single(HealthOutcome.Transitions(HealthOutcome.Status(first, t0, null), second));

        Assert.StartsWith("_dmarc.example.com", change.Message, StringComparison.Ordinal);
        Assert.Equal(CheckStatus.Pass, change.From);
    }
}
