using MailDns.Core.Api;
using MailDns.Core.Reports;

namespace MailDns.Core.Tests.Reports;

/// <summary>
/// The DmarcCompliant verdict (RFC 7489 §6.6.2: a message passes DMARC when DKIM or SPF passes and is aligned; that is
/// what the pass rate counts), and how a view is carried into a SendingDomain's status.
/// </summary>
public class DmarcComplianceTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private static ReportWindow Window(long messages, long pass, IReadOnlyList<SourceTally>? failing = null) =>
        new(
            "news.example.org",
            Now.AddDays(-7),
            Now,
            Reports: messages == 0 ? 0 : 3,
            Messages: messages,
            DmarcPass: pass,
            DkimAlignedPass: pass,
            SpfAlignedPass: 0,
            Reporters: [],
            Sources: [],
            FailingSources: failing ?? [],
            Selectors: [],
            Dispositions: [],
            TlsSuccessfulSessions: 0,
            TlsFailedSessions: 0,
            FailureReports: 0,
            LastReceived: null
        );

    [Theory]
    [InlineData(0, 0, "Unknown", "NotEnoughReports")] // no reports is no evidence, never a failure
    [InlineData(99, 0, "Unknown", "NotEnoughReports")] // under the minimum, even when all fail
    [InlineData(100, 98, "True", "PassRateMet")] // exactly the threshold meets it
    [InlineData(100, 97, "False", "PassRateBelowThreshold")]
    [InlineData(1_000_000, 999_999, "True", "PassRateMet")]
    public void The_verdict_needs_enough_messages_then_compares_the_pass_rate_with_the_threshold(
        long messages,
        long pass,
        string status,
        string reason
    )
    {
        var (got, why, _) = DmarcCompliance.Judge(Window(messages, pass), ComplianceSettings.Default);

        Assert.Equal((status, reason), (got, why));
    }

    [Fact]
    public void A_failing_verdict_names_the_sources_that_fail_most_with_their_reverse_names()
    {
        var failing = new List<SourceTally> { new("198.51.100.7", 40, 0, "rogue.example.net"), new("203.0.113.9", 10, 5) };

        var (_, _, message) = DmarcCompliance.Judge(Window(1000, 950, failing), ComplianceSettings.Default);

        Assert.Contains("95% of 1000 message(s) passed DMARC over 7 day(s)", message);
        Assert.EndsWith("failing most: 198.51.100.7 (rogue.example.net) 40, 203.0.113.9 5", message);
    }

    [Fact]
    public void A_view_applied_to_a_status_keeps_the_other_conditions_and_moves_the_transition_time_only_on_change()
    {
        var ready = Conditions.Make(ConditionTypes.Ready, "True", "Published", "ok", 1, Now.AddDays(-1), null);
        var status = new SendingDomainStatus { Conditions = [ready] };
        var reports = ReportStatusView.From(Window(1000, 990), "7d", Now);
        var view = new DomainReportView(reports, "True", ConditionReasons.PassRateMet, "99%");

        Assert.False(view.SaidBy(status));
        view.ApplyTo(status, 1, Now);
        Assert.True(view.SaidBy(status));
        Assert.Equal([ConditionTypes.DmarcCompliant, ConditionTypes.Ready], status.Conditions!.Select(c => c.Type));

        var later = new DomainReportView(ReportStatusView.From(Window(1000, 990), "7d", Now.AddMinutes(5)), "True", "PassRateMet", "99%");
        Assert.True(later.SaidBy(status)); // only the computation time moved: nothing to write
        later.ApplyTo(status, 1, Now.AddMinutes(5));
        Assert.Equal(Now.UtcDateTime, status.Conditions!.Single(c => c.Type == ConditionTypes.DmarcCompliant).LastTransitionTime);
        Assert.Equal(ready, status.Conditions!.Single(c => c.Type == ConditionTypes.Ready));
    }
}
