namespace MailDns.Core.Reports;

/// <summary>Messages from one reporter or one source address over a window, and how many passed DMARC.</summary>
public sealed record SourceTally(string Key, long Messages, long DmarcPass, string? ReverseName = null)
{
    public long Failing => Messages - DmarcPass;
}

/// <summary>A DKIM selector receivers saw (auth_results), with the messages it signed and how many passed.</summary>
public sealed record SelectorTally(string Domain, string Selector, long Messages, long Pass);

/// <summary>Messages by the receivers' disposition and DMARC result: the shape of `maildns_dmarc_messages_total`.</summary>
public sealed record DispositionTally(string Disposition, bool DmarcPass, long Messages);

/// <summary>
/// What receivers reported about one domain over a window: the figures `status.reports`, the `DmarcCompliant`
/// condition, the metrics and `reports summary` all come from. Lists are ordered and already cut to the asked size.
/// </summary>
public sealed record ReportWindow(
    string Domain,
    DateTimeOffset From,
    DateTimeOffset To,
    long Reports,
    long Messages,
    long DmarcPass,
    long DkimAlignedPass,
    long SpfAlignedPass,
    IReadOnlyList<SourceTally> Reporters,
    IReadOnlyList<SourceTally> Sources,
    IReadOnlyList<SourceTally> FailingSources,
    IReadOnlyList<SelectorTally> Selectors,
    IReadOnlyList<DispositionTally> Dispositions,
    long TlsSuccessfulSessions,
    long TlsFailedSessions,
    long FailureReports,
    DateTimeOffset? LastReceived
)
{
    public double? DmarcPassRate => Rate(DmarcPass);

    public double? DkimAlignedRate => Rate(DkimAlignedPass);

    public double? SpfAlignedRate => Rate(SpfAlignedPass);

    private double? Rate(long pass) => Messages == 0 ? null : Math.Round((double)pass / Messages, 4);
}
