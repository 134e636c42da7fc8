using MailDns.Core.Findings;

namespace MailDns.Core.Health;

public enum CheckStatus
{
    Pass,
    Warn,
    Fail,
    Unknown,
}

/// <summary>
/// One check's verdict. <see cref="Id"/> is stable (spf.lookup-limit, dkim.key-matches, ...); <see cref="Selector"/>
/// is set for DKIM checks; <see cref="Server"/> is set when authoritative servers disagree, naming the one this
/// result is about.
/// </summary>
public sealed record CheckResult(string Id, CheckStatus Status, string Message, string? Selector = null, string? Server = null)
{
    public Severity Severity =>
        Status switch
        {
            CheckStatus.Fail => Severity.Error,
            CheckStatus.Warn or CheckStatus.Unknown => Severity.Warning,
            _ => Severity.Info,
        };

    /// <summary>What the result is about when one check gives several: the record or destination its message names.</summary>
    public string Subject => SubjectOf(Id, Message);

    /// <summary>
    /// Checks that give one result per record or per report destination (records.expected,
    /// dmarc.external-report-authorization) are told apart by the name their message starts with; others by id alone. An
    /// SRV record shares its name with the other endpoints of its service, so its message starts with the whole record
    /// ("NAME SRV PRIORITY WEIGHT PORT TARGET"), which is its subject.
    /// </summary>
    public static string SubjectOf(string id, string message)
    {
        if (id is not ("records.expected" or "dmarc.external-report-authorization"))
        {
            return "";
        }

        // Sliced at the spaces rather than split: the report's merge reads the subject of every result of every check.
        var first = message.IndexOf(' ', StringComparison.Ordinal);
        if (first < 0)
        {
            return message.TrimEnd(':');
        }

        if (id == "records.expected" && message.AsSpan(first + 1).StartsWith(Records.RecordTypes.Srv + " ", StringComparison.Ordinal))
        {
            // The whole record: the first six space-separated fields (all of the message when it has exactly six).
            var end = first;
            var spaces = 1;
            while (spaces < 6 && (end = message.IndexOf(' ', end + 1)) >= 0)
            {
                spaces++;
            }

            if (spaces >= 5)
            {
                return spaces == 6 ? message[..end] : message;
            }
        }

        return message[..first].TrimEnd(':');
    }

    public static CheckResult Pass(string id, string message, string? selector = null) => new(id, CheckStatus.Pass, message, selector);

    public static CheckResult Warn(string id, string message, string? selector = null) => new(id, CheckStatus.Warn, message, selector);

    public static CheckResult Fail(string id, string message, string? selector = null) => new(id, CheckStatus.Fail, message, selector);

    public static CheckResult Unknown(string id, string message, string? selector = null) =>
        new(id, CheckStatus.Unknown, message, selector);
}

public enum HealthVerdict
{
    /// <summary>Nothing failed and nothing is unknown (warnings allowed).</summary>
    Healthy,

    /// <summary>At least one check failed.</summary>
    Failing,

    /// <summary>Nothing failed, but some checks could not be made (DNS unreachable).</summary>
    Unknown,
}

public sealed record HealthReport(string Domain, IReadOnlyList<CheckResult> Checks)
{
    /// <summary>The SPF record's include and redirect tree, with lookups per branch, when one was walked.</summary>
    public SpfNode? SpfTree { get; init; }

    public HealthVerdict Verdict =>
        Checks.Any(c => c.Status == CheckStatus.Fail) ? HealthVerdict.Failing
        : Checks.Any(c => c.Status == CheckStatus.Unknown) ? HealthVerdict.Unknown
        : HealthVerdict.Healthy;

    public bool Healthy => Verdict == HealthVerdict.Healthy;
}
