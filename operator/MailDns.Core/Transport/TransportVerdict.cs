using MailDns.Core.Api;
using MailDns.Core.Health;

namespace MailDns.Core.Transport;

/// <summary>
/// The TransportSecure condition from one transport check: False on any failure, Unknown when something could not be
/// settled (a port 25 that does not answer, a policy URL that cannot be reached: unknown, never a failure), else True.
/// </summary>
public static class TransportVerdict
{
    public static (string Status, string Reason, string Message) Of(IReadOnlyList<CheckResult> checks)
    {
        var failed = checks.Where(c => c.Status == CheckStatus.Fail).ToList();
        if (failed.Count > 0)
        {
            return (ConditionStatus.False, ConditionReasons.TransportChecksFailed, Summary(failed, "failing"));
        }

        var unknown = checks.Where(c => c.Status == CheckStatus.Unknown).ToList();
        if (unknown.Count > 0)
        {
            return (ConditionStatus.Unknown, ConditionReasons.TransportUnanswered, Summary(unknown, "not settled"));
        }

        var warnings = checks.Count(c => c.Status == CheckStatus.Warn);
        return (ConditionStatus.True, ConditionReasons.TransportChecksPassed, $"{checks.Count} transport checks, {warnings} warning(s)");
    }

    private static string Summary(IReadOnlyList<CheckResult> checks, string what) =>
        $"{checks.Count} transport check(s) {what}: "
        + string.Join("; ", checks.Take(3).Select(c => $"{c.Id}: {c.Message}"))
        + (checks.Count > 3 ? $"; and {checks.Count - 3} more" : "");
}
