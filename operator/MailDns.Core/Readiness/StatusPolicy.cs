using k8s.Models;
using MailDns.Core.Api;
using MailDns.Core.Dkim.Rotation;
using MailDns.Core.Health;

namespace MailDns.Core.Readiness;

/// <summary>How a reconcile ends: nothing more to do, retry with backoff, or wait for a change the informers bring.</summary>
public enum RetryPolicy
{
    None,
    Backoff,
    WaitForChange,
}

/// <summary>The conditions to write, when to look again, and how a failure is retried.</summary>
public sealed record StatusDecision(IReadOnlyList<V1Condition> Conditions, RetryPolicy Retry, DateTimeOffset? RequeueAt)
{
    public V1Condition Ready => Conditions.Single(c => c.Type == ConditionTypes.Ready);
}

/// <summary>
/// The status of a SendingDomain as a pure function of what was gathered, in the shape of cert-manager's readiness
/// policy chain: each condition is decided by an ordered list of policies, the first that has something to say
/// wins, and every verdict carries a named reason. The standalone reconcile and the operator both end here, so
/// the same input gives the same status.
/// </summary>
public static class StatusPolicy
{
    /// <summary>One link of a chain: (status, reason, message) when it applies, null to pass to the next.</summary>
    private delegate (string Status, string Reason, string Message)? Policy(ReadinessInput input, IReadOnlyList<V1Condition> decided);

    private static readonly Policy[] RecordsVerifiedChain = [HealthVerifiedRecords, StoreServesRecords];

    private static readonly Policy[] HealthyChain = [CurrentHealthReport];

    private static readonly Policy[] ReadyChain = [SpecIsValid, NothingBlocked, RecordsAreVerified, PublishedAndVerified];

    public static StatusDecision Decide(ReadinessInput input)
    {
        var conditions = input.Previous.ToList();
        Apply(conditions, input, ConditionTypes.RecordsVerified, RecordsVerifiedChain);
        Apply(conditions, input, ConditionTypes.Healthy, HealthyChain);
        Apply(conditions, input, ConditionTypes.Ready, ReadyChain);
        var ready = conditions.Single(c => c.Type == ConditionTypes.Ready);
        var retry =
            ready.Status == ConditionStatus.True ? RetryPolicy.None
            : ConditionReasons.WaitsForAChange(ready.Reason) ? RetryPolicy.WaitForChange
            : RetryPolicy.Backoff;
        return new StatusDecision(conditions, retry, input.NextRotation);
    }

    private static void Apply(List<V1Condition> conditions, ReadinessInput input, string type, Policy[] chain)
    {
        foreach (var policy in chain)
        {
            if (policy(input, conditions) is { } verdict)
            {
                var made = Conditions.Make(
                    type,
                    verdict.Status,
                    verdict.Reason,
                    verdict.Message,
                    input.Generation,
                    input.Now,
                    input.Previous
                );
                Conditions.Upsert(conditions, [made]);
                return;
            }
        }
    }

    /// <summary>
    /// A current health report is the authority when it could ask: every authoritative server, not just the store
    /// written to. A report that could not (servers unreachable or not found) is unknown, never a failure, and
    /// leaves the verdict to the store the publisher read back.
    /// </summary>
    private static (string, string, string)? HealthVerifiedRecords(ReadinessInput input, IReadOnlyList<V1Condition> decided) =>
        input.HealthIsCurrent
        && HealthOutcome.RecordsVerdict(input.Health!.Report) is var verdict
        && verdict.Status != ConditionStatus.Unknown
            ? verdict
            : null;

    private static (string, string, string)? StoreServesRecords(ReadinessInput input, IReadOnlyList<V1Condition> decided) =>
        input.Publish switch
        {
            null => null,
            { NotServed.Count: 0 } p => (
                ConditionStatus.True,
                ConditionReasons.RecordsServed,
                $"{p.Store} serves the {p.Desired} expected record(s)"
            ),
            var p => (
                ConditionStatus.False,
                ConditionReasons.RecordsNotServed,
                $"{p.Store} does not serve: {string.Join(", ", p.NotServed)}"
            ),
        };

    /// <summary>Healthy is written from a report of this generation's records only; a stale one leaves it as it was.</summary>
    private static (string, string, string)? CurrentHealthReport(ReadinessInput input, IReadOnlyList<V1Condition> decided) =>
        input.HealthIsCurrent ? HealthOutcome.HealthVerdictOf(input.Health!.Report) : null;

    private static (string, string, string)? SpecIsValid(ReadinessInput input, IReadOnlyList<V1Condition> decided) =>
        input.SpecErrors.Count == 0
            ? null
            : (
                ConditionStatus.False,
                ConditionReasons.InvalidSpec,
                string.Join("; ", input.SpecErrors.Select(f => $"{f.Path}: {f.Message} ({f.Code})"))
            );

    private static (string, string, string)? NothingBlocked(ReadinessInput input, IReadOnlyList<V1Condition> decided) =>
        input.Failure is { } f ? (ConditionStatus.False, f.Reason, f.Message) : null;

    private static (string, string, string)? RecordsAreVerified(ReadinessInput input, IReadOnlyList<V1Condition> decided) =>
        decided.FirstOrDefault(c => c.Type == ConditionTypes.RecordsVerified)?.Status == ConditionStatus.True
            ? null
            : (ConditionStatus.False, ConditionReasons.NotVerified, "published records are not all served yet");

    private static (string, string, string)? PublishedAndVerified(ReadinessInput input, IReadOnlyList<V1Condition> decided) =>
        (ConditionStatus.True, ConditionReasons.Published, $"{input.Records.Count} record(s) published and verified; {Signing(input)}");

    private static string Signing(ReadinessInput input)
    {
        var active = input.Keys.Where(k => k.Phase == KeyPhase.Active).Select(k => k.Selector).ToList();
        return active.Count > 0 ? $"signing with {string.Join(", ", active)}"
            : !input.DkimConfigured ? "no DKIM"
            : $"first key activates after {input.NextRotation:u}";
    }
}
