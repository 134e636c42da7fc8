namespace MailDns.Core.Reports;

/// <summary>Where a read mail message goes.</summary>
public enum MessageDestination
{
    /// <summary>Every report in it is in the store (stored now, or held already): archive it.</summary>
    Archive,

    /// <summary>It holds no report the store could take: the invalid folder, with the reason.</summary>
    Invalid,
}

/// <summary>
/// The rule that keeps a mailbox from losing reports: a message leaves its folder only after what it holds is
/// committed, so a crash at any point either reads it again (the store drops the duplicate) or has already stored it.
/// A message with a rejected report goes to the invalid folder, never deleted; the reports in it that were valid stay
/// stored (a person who mends and moves it back imports only what was missing).
/// </summary>
public static class MessageRouting
{
    public static (MessageDestination Destination, string Reason) Route(IReadOnlyList<(ReportOutcome Outcome, string? Error)> reports)
    {
        var rejected = reports.Where(r => r.Outcome == ReportOutcome.Rejected).ToList();
        if (reports.Count == 0)
        {
            return (MessageDestination.Invalid, "the message holds no report");
        }

        if (rejected.Count > 0)
        {
            return (MessageDestination.Invalid, string.Join("; ", rejected.Select(r => r.Error ?? "rejected").Distinct()));
        }

        var stored = reports.Count(r => r.Outcome == ReportOutcome.Stored);
        return (MessageDestination.Archive, $"{stored} report(s) stored, {reports.Count - stored} already held");
    }
}
