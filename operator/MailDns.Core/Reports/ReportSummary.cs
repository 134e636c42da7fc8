namespace MailDns.Core.Reports;

public enum ReportKind
{
    Aggregate,
    Tls,
    Failure,
}

/// <summary>
/// What one report says in brief (the `reports parse` contract): who sent it, for which domain and period, how many
/// rows and messages, and how many messages passed DMARC; or why it was rejected.
/// </summary>
public sealed record ReportSummary(
    ReportKind Kind,
    string? OrgName,
    string? ReportId,
    string? PolicyDomain,
    DateTimeOffset? Begin,
    DateTimeOffset? End,
    long? Records,
    long? Messages,
    long? DmarcPass,
    string? Error = null
)
{
    public static ReportSummary Rejected(ReportKind kind, string error) => new(kind, null, null, null, null, null, null, null, null, error);
}

/// <summary>Limits against decompression bombs and runaway reports; exceeding one rejects the report with a clear error.</summary>
public sealed record ReportLimits(long MaxBytes = 1L << 30, long MaxRows = 5_000_000)
{
    public static ReportLimits Default { get; } = new();
}

/// <summary>A report broke a limit or a rule of its format: the message says which.</summary>
public sealed class ReportFormatException(string message) : Exception(message);
