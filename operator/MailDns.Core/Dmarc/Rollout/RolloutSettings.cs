using MailDns.Core.Api;
using MailDns.Core.Names;

namespace MailDns.Core.Dmarc.Rollout;

/// <summary>A rollout's settings with the defaults applied: where it starts (spec.dmarc.policy) and stops (target).</summary>
public sealed record RolloutSettings(
    RolloutStage Start,
    RolloutStage Target,
    double MinPassRate,
    long MinMessages,
    TimeSpan Window,
    TimeSpan StepAfter,
    bool Rollback
)
{
    /// <summary>
    /// A rollback waits at least this long in a stage (or stepAfter, when shorter): the window still holds the failing
    /// mail that caused the last rollback, and without a pause one bad week would walk the policy back to the start.
    /// </summary>
    public static readonly TimeSpan RollbackPause = TimeSpan.FromDays(1);

    public static RolloutSettings? Of(DmarcSpec? dmarc) =>
        dmarc?.Rollout is not { } rollout
            ? null
            : new(
                RolloutStage.OfPolicy(dmarc.Policy),
                RolloutStage.OfPolicy(rollout.Target),
                rollout.MinPassRate ?? Defaults.RolloutMinPassRate,
                rollout.MinMessages ?? Defaults.RolloutMinMessages,
                DurationText.ParseOr(rollout.Window, Defaults.RolloutWindow),
                DurationText.ParseOr(rollout.StepAfter, Defaults.RolloutStepAfter),
                rollout.Rollback ?? Defaults.RolloutRollback
            );
}

/// <summary>What the reports said over the window: messages, the DMARC pass rate, and the sources failing most.</summary>
public sealed record RolloutEvidence(long Messages, double? PassRate, IReadOnlyList<string> FailingSources)
{
    public static RolloutEvidence Nothing { get; } = new(0, null, []);
}

/// <summary>Where a rollout is: the stage published, since when, and when the rollout began.</summary>
public sealed record RolloutState(RolloutStage Stage, DateTimeOffset Since, DateTimeOffset StartedAt);
