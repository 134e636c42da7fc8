namespace MailDns.Core.Reports;

/// <summary>
/// One row of an aggregate report (RFC 7489 Appendix C `record`): messages from one source that the receiver judged
/// alike. <see cref="DkimAligned"/> and <see cref="SpfAligned"/> are the policy_evaluated results (aligned passes);
/// <see cref="Dkim"/> lists the signatures the receiver checked, with the selector RFC 9990 requires.
/// </summary>
public sealed record AggregateRow(
    string SourceIp,
    long Count,
    string Disposition,
    bool DkimAligned,
    bool SpfAligned,
    string? HeaderFrom,
    IReadOnlyList<DkimSignatureResult> Dkim,
    string? SpfDomain,
    string? SpfResult
)
{
    /// <summary>RFC 7489 §6.6.2: DMARC passes when either aligned result passes.</summary>
    public bool DmarcPass => DkimAligned || SpfAligned;
}

/// <summary>One DKIM signature a receiver checked (auth_results/dkim): domain, selector and result, lower case.</summary>
public sealed record DkimSignatureResult(string Domain, string? Selector, string Result);

/// <summary>One policy of a TLS report (RFC 8460 §4.4): its type, domain, session counts and failure details.</summary>
public sealed record TlsPolicyResult(
    string PolicyType,
    string PolicyDomain,
    long Successful,
    long Failed,
    IReadOnlyList<TlsFailureDetail> Failures
);

/// <summary>One failure-details entry (RFC 8460 §4.3): what failed, between which MTAs, how many sessions.</summary>
public sealed record TlsFailureDetail(string ResultType, string? SendingMtaIp, string? ReceivingMxHostname, long Sessions);

/// <summary>
/// What a failure report (RFC 6591, RFC 9991) says about one message, metadata only: no headers, bodies or addresses
/// of the original message are kept (they are personal data).
/// </summary>
public sealed record FailureReportFacts(
    string FeedbackType,
    string? AuthFailure,
    string? SourceIp,
    string ReportedDomain,
    DateTimeOffset? ArrivalDate,
    string? DkimDomain,
    string? DkimSelector,
    string? DeliveryResult
);

/// <summary>
/// Where the rows of reports go while they are read. Called between <see cref="Begin"/> and <see cref="End"/> for one
/// report; <see cref="End"/> gets the report's summary (or its rejection) and says what became of it.
/// </summary>
public interface IReportSink
{
    void Begin(string source);

    void Row(AggregateRow row);

    void Tls(TlsPolicyResult policy);

    void Failure(FailureReportFacts facts);

    ReportOutcome End(ReportSummary summary);
}

public enum ReportOutcome
{
    /// <summary>Read, not kept (`reports parse`).</summary>
    Parsed,

    /// <summary>Committed to the store.</summary>
    Stored,

    /// <summary>The store already holds a report with this reporting organisation and report id.</summary>
    Duplicate,

    /// <summary>Rejected: its summary says why.</summary>
    Rejected,
}

/// <summary>The sink of `reports parse`: rows are counted by the parser and dropped here.</summary>
public sealed class DiscardingSink : IReportSink
{
    public static DiscardingSink Instance { get; } = new();

    public void Begin(string source) { }

    public void Row(AggregateRow row) { }

    public void Tls(TlsPolicyResult policy) { }

    public void Failure(FailureReportFacts facts) { }

    public ReportOutcome End(ReportSummary summary) => summary.Error is null ? ReportOutcome.Parsed : ReportOutcome.Rejected;
}
