using k8s.Models;
using MailDns.Core.Api;

namespace MailDns.Core.Health;

/// <summary>A check whose status changed between two reports: the operator turns each into an event.</summary>
public sealed record CheckTransition(string Id, string? Selector, string? Server, CheckStatus? From, CheckStatus To, string Message);

/// <summary>
/// What a health report means for the SendingDomain's status: the RecordsVerified and Healthy conditions, the
/// health block of status, and the checks that changed since the previous report. Pure, like cert-manager's
/// condition helpers: the lastTransitionTime moves only when a condition's status does.
/// </summary>
public static class HealthOutcome
{
    public static IReadOnlyList<V1Condition> Conditions(
        HealthReport report,
        long generation,
        DateTimeOffset now,
        IEnumerable<V1Condition>? previous
    )
    {
        var old = previous?.ToList();
        var records = RecordsVerdict(report);
        var health = HealthVerdictOf(report);
        return
        [
            Api.Conditions.Make(ConditionTypes.RecordsVerified, records.Status, records.Reason, records.Message, generation, now, old),
            Api.Conditions.Make(ConditionTypes.Healthy, health.Status, health.Reason, health.Message, generation, now, old),
        ];
    }

    /// <summary>RecordsVerified from the records.expected checks: every authoritative server serves every record.</summary>
    public static (string Status, string Reason, string Message) RecordsVerdict(HealthReport report)
    {
        var expected = report.Checks.Where(c => c.Id == "records.expected").ToList();
        var stale = expected.Where(c => c.Status == CheckStatus.Fail).ToList();
        var unknown = expected.Where(c => c.Status == CheckStatus.Unknown).ToList();
        return expected.Count == 0 ? (ConditionStatus.Unknown, ConditionReasons.NothingExpected, "no expected records were compared")
            : stale.Count > 0 ? (ConditionStatus.False, ConditionReasons.RecordsNotServed, Summary(stale))
            : unknown.Count > 0 ? (ConditionStatus.Unknown, ConditionReasons.DnsUnreachable, Summary(unknown))
            : (ConditionStatus.True, ConditionReasons.RecordsServed, EveryServerServes(expected));
    }

    /// <summary>Healthy from the report's verdict.</summary>
    public static (string Status, string Reason, string Message) HealthVerdictOf(HealthReport report) =>
        report.Verdict switch
        {
            HealthVerdict.Healthy => (ConditionStatus.True, ConditionReasons.ChecksPassed, ChecksPassed(report)),
            HealthVerdict.Failing => (
                ConditionStatus.False,
                ConditionReasons.ChecksFailed,
                Summary(report.Checks.Where(c => c.Status == CheckStatus.Fail))
            ),
            _ => (
                ConditionStatus.Unknown,
                ConditionReasons.DnsUnreachable,
                Summary(report.Checks.Where(c => c.Status == CheckStatus.Unknown))
            ),
        };

    private static string EveryServerServes(IEnumerable<CheckResult> expected) =>
        $"every authoritative server serves the {expected.Select(c => c.Subject).Distinct().Count()} expected record(s)";

    private static string ChecksPassed(HealthReport report) =>
        $"{report.Checks.Count} checks, {report.Checks.Count(c => c.Status == CheckStatus.Warn)} warning(s)";

    public static HealthStatus Status(HealthReport report, DateTimeOffset checkedAt, DateTimeOffset? next) =>
        new()
        {
            LastCheckTime = checkedAt,
            NextCheckTime = next,
            Checks = report
                .Checks.Select(ToStatus)
                .ToList(),
        };

    /// <summary>Checks that are new or whose status changed; a first report counts every non-passing check.</summary>
    public static IReadOnlyList<CheckTransition> Transitions(HealthStatus? previous, HealthReport current)
    {
        var before = new Dictionary<(string, string?, string?, string), CheckStatus>();
        foreach (var c in previous?.Checks ?? [])
        {
            before.TryAdd(
                (c.Id, c.Selector, c.Server, CheckResult.SubjectOf(c.Id, c.Message)),
                Enum.Parse<CheckStatus>(c.Status, ignoreCase: true)
            );
        }

        return current
            .Checks.Where(c =>
                before.TryGetValue((c.Id, c.Selector, c.Server, CheckResult.SubjectOf(c.Id, c.Message)), out var was)
                    ? was != c.Status
                    : previous is not null || c.Status != CheckStatus.Pass
            )
            .Select(c => new CheckTransition(
                c.Id,
                c.Selector,
                c.Server,
                before.TryGetValue((c.Id, c.Selector, c.Server, CheckResult.SubjectOf(c.Id, c.Message)), out var was) ? was : null,
                c.Status,
                c.Message
            ))
            .ToList();
    }

    private static string Summary(IEnumerable<CheckResult> checks)
    {
        var list = checks.ToList();
        var shown = list.Take(3)
            .Select(c => $"{c.Id}{(c.Selector is null ? "" : $"[{c.Selector}]")}{(c.Server is null ? "" : $"@{c.Server}")}: {c.Message}");
        return string.Join("; ", shown) + (list.Count > 3 ? $"; and {list.Count - 3} more" : "");
    }

    /// <summary>One check as status.health and `check --output json` show it.</summary>
    public static HealthCheckStatus ToStatus(CheckResult c) =>
        new()
        {
            Id = c.Id,
            Selector = c.Selector,
            Server = c.Server,
            Status = c.Status.ToString().ToLowerInvariant(),
            Severity = c.Severity.ToString().ToLowerInvariant(),
            Message = c.Message,
        };
}
