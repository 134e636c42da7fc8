using System.Globalization;
using MailDns.Core.Api;

namespace MailDns.Core.Reports;

/// <summary>A report window as status.reports: lists cut to <see cref="DomainReportsStatus.ListLimit"/>, rates as text.</summary>
public static class ReportStatusView
{
    public static DomainReportsStatus From(ReportWindow w, string windowText, DateTimeOffset now) =>
        new()
        {
            Window = windowText,
            ComputedAt = now.UtcDateTime,
            Reports = w.Reports,
            Messages = w.Messages,
            DmarcPassRate = Rate(w.DmarcPassRate),
            DkimAlignedPassRate = Rate(w.DkimAlignedRate),
            SpfAlignedPassRate = Rate(w.SpfAlignedRate),
            Reporters = Tallies(w.Reporters),
            Sources = Tallies(w.Sources),
            FailingSources = Tallies(w.FailingSources),
            Selectors = w
                .Selectors.Take(DomainReportsStatus.ListLimit * 2)
                .Select(s => new ReportSelectorTally
                {
                    Selector = s.Selector,
                    Domain = s.Domain,
                    Messages = s.Messages,
                    Pass = s.Pass,
                })
                .ToList(),
            TlsSuccessfulSessions = w.TlsSuccessfulSessions,
            TlsFailedSessions = w.TlsFailedSessions,
            FailureReports = w.FailureReports,
            LastReceived = w.LastReceived?.UtcDateTime,
        };

    private static List<ReportSourceTally> Tallies(IEnumerable<SourceTally> tallies) =>
        tallies
            .Take(DomainReportsStatus.ListLimit)
            .Select(t => new ReportSourceTally
            {
                Name = t.Key,
                ReverseName = t.ReverseName,
                Messages = t.Messages,
                DmarcPass = t.DmarcPass,
            })
            .ToList();

    private static string? Rate(double? rate) => rate?.ToString("0.0000", CultureInfo.InvariantCulture);
}

/// <summary>
/// One domain's report view, handed from the report view controller to the SendingDomain reconcile (the one writer of
/// SendingDomain status): status.reports and the DmarcCompliant verdict.
/// </summary>
public sealed record DomainReportView(DomainReportsStatus Reports, string Status, string Reason, string Message)
{
    /// <summary>Puts the view into a status about to be written; the condition's transition time moves only on change.</summary>
    public void ApplyTo(SendingDomainStatus status, long generation, DateTimeOffset now)
    {
        status.Reports = Reports;
        Conditions.Set(status, ConditionTypes.DmarcCompliant, Status, Reason, Message, generation, now);
    }

    /// <summary>Whether <paramref name="status"/> already says what this view says (figures and verdict, not the times).</summary>
    public bool SaidBy(SendingDomainStatus? status)
    {
        var condition = status?.Conditions?.FirstOrDefault(c => c.Type == ConditionTypes.DmarcCompliant);
        return condition is not null
            && condition.Status == Status
            && condition.Reason == Reason
            && condition.Message == Message
            && status!.Reports is { } said
            && Figures(said) == Figures(Reports);
    }

    private static string Figures(DomainReportsStatus reports)
    {
        var json = System.Text.Json.JsonSerializer.SerializeToNode(reports)!.AsObject();
        json.Remove("computedAt");
        return json.ToJsonString();
    }
}
