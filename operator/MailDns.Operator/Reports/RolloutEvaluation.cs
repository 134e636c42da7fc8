using System.Globalization;
using MailDns.Core.Api;
using MailDns.Core.Dmarc.Rollout;
using MailDns.Core.Names;

namespace MailDns.Operator.Reports;

/// <summary>One rollout weighed: where it was, what the planner decided, and the status.dmarc that says so.</summary>
public sealed record RolloutStep(RolloutStage From, RolloutDecision Decision, RolloutEvidence Evidence, DmarcRolloutStatus Status);

/// <summary>
/// The I/O around the pure <see cref="RolloutPlanner"/>, shared by the operator, `maildns reconcile --reports` and
/// `maildns rollout plan`: the evidence from the report store over the rollout's window, the state from status.dmarc
/// (a rollout without one starts now), and the next status.dmarc.
/// </summary>
public static class RolloutEvaluation
{
    public static async Task<RolloutStep?> WeighAsync(
        SendingDomain domain,
        ReportStore store,
        DateTimeOffset now,
        CancellationToken cancellationToken
    )
    {
        if (RolloutSettings.Of(domain.Spec.Dmarc) is not { } settings)
        {
            return null;
        }

        var name = DomainName.Normalize(domain.Spec.Domain);
        var window = await store.WindowAsync(name, now - settings.Window, now, 3, cancellationToken);
        var evidence = new RolloutEvidence(window.Messages, window.DmarcPassRate, window.FailingSources.Select(s => s.Key).ToList());
        var current = domain.Status?.Dmarc;
        var stage = EffectiveDmarc.Stage(domain)!;
        var since = current?.Stage == stage.Name && current.Since is { } at ? new DateTimeOffset(at, TimeSpan.Zero) : now;
        var startedAt = current?.StartedAt is { } began ? new DateTimeOffset(began, TimeSpan.Zero) : now;
        var decision = RolloutPlanner.Plan(settings, new RolloutState(stage, since, startedAt), evidence, now);
        var next = new DmarcRolloutStatus
        {
            Stage = decision.Stage.Name,
            EffectivePolicy = decision.Stage.Policy,
            Testing = decision.Stage.Testing,
            StartedAt = startedAt.UtcDateTime,
            Since = (decision.Stage == stage ? since : now).UtcDateTime,
            Decision = decision.Name,
            Reason = decision.Reason,
            EvaluatedAt = now.UtcDateTime,
            Messages = evidence.Messages,
            PassRate = evidence.PassRate?.ToString("0.0000", CultureInfo.InvariantCulture),
            FailingSources = evidence.FailingSources.Count > 0 ? [.. evidence.FailingSources] : null,
        };
        return new RolloutStep(stage, decision, evidence, next);
    }

    /// <summary>Whether a written status.dmarc already says what the new one says (the evaluation time aside).</summary>
    public static bool Same(DmarcRolloutStatus? a, DmarcRolloutStatus b) =>
        a is not null
        && a.Stage == b.Stage
        && a.Since == b.Since
        && a.StartedAt == b.StartedAt
        && a.Decision == b.Decision
        && a.Reason == b.Reason
        && a.Messages == b.Messages;
}
