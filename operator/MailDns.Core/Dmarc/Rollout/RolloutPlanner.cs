using System.Globalization;

namespace MailDns.Core.Dmarc.Rollout;

public enum RolloutAction
{
    Advance,
    Hold,
    Rollback,
    Done,
}

/// <summary>What to do now: the action, the stage to publish, and why, for the event and status.</summary>
public sealed record RolloutDecision(RolloutAction Action, RolloutStage Stage, string Reason)
{
    public string Name => Action.ToString().ToLowerInvariant();
}

/// <summary>
/// The rollout planner: pure, over the settings, the state, the evidence and the time. It advances one stage when the
/// rollout has watched a full window, the stage has lasted stepAfter, the window holds at least minMessages and their
/// DMARC pass rate (RFC 7489 §6.6.2: aligned DKIM or SPF pass) is at least minPassRate. Below the rate it holds, or
/// with rollback steps back one stage (never below where the rollout started). No evidence never advances.
/// </summary>
public static class RolloutPlanner
{
    public static RolloutDecision Plan(RolloutSettings settings, RolloutState state, RolloutEvidence evidence, DateTimeOffset now)
    {
        var stage = state.Stage;
        var figures = Figures(evidence, settings);
        var enough = evidence.Messages >= settings.MinMessages && evidence.PassRate is not null;
        var passing = enough && evidence.PassRate >= settings.MinPassRate;
        var inStage = now - state.Since;
        if (enough && !passing)
        {
            var pause = settings.StepAfter < RolloutSettings.RollbackPause ? settings.StepAfter : RolloutSettings.RollbackPause;
            var failing = evidence.FailingSources.Count > 0 ? $"; failing most: {string.Join(", ", evidence.FailingSources)}" : "";
            var why = $"{figures}, under the threshold{failing}";
            return settings.Rollback && stage.Rank > settings.Start.Rank && inStage >= pause
                ? new(RolloutAction.Rollback, stage.Previous, why)
                : new(stage.Rank >= settings.Target.Rank ? RolloutAction.Done : RolloutAction.Hold, stage, why);
        }

        if (stage.Rank >= settings.Target.Rank)
        {
            return new(RolloutAction.Done, stage, $"{stage} is the target; {figures}");
        }

        if (!enough)
        {
            return new(RolloutAction.Hold, stage, $"{figures}: not enough evidence (at least {settings.MinMessages} messages)");
        }

        if (now - state.StartedAt < settings.Window)
        {
            return new(
                RolloutAction.Hold,
                stage,
                $"{figures}; the rollout has watched {Days(now - state.StartedAt)} of the {Days(settings.Window)} window"
            );
        }

        if (inStage < settings.StepAfter)
        {
            return new(RolloutAction.Hold, stage, $"{figures}; {stage} for {Days(inStage)} of the {Days(settings.StepAfter)} it must last");
        }

        return new(RolloutAction.Advance, stage.Next, $"{figures}; {stage} lasted {Days(inStage)}");
    }

    private static string Figures(RolloutEvidence evidence, RolloutSettings settings) =>
        evidence.PassRate is { } rate
            ? string.Create(
                CultureInfo.InvariantCulture,
                $"{rate:0.##%} of {evidence.Messages} message(s) passed DMARC over {Days(settings.Window)} "
                    + $"(threshold {settings.MinPassRate:0.##%})"
            )
            : $"no reports over {Days(settings.Window)}";

    private static string Days(TimeSpan span) =>
        span.TotalDays >= 1 ? Number(span.TotalDays, "d")
        : span.TotalHours >= 1 ? Number(span.TotalHours, "h")
        : span.TotalMinutes >= 1 ? Number(span.TotalMinutes, "m")
        : Number(Math.Round(span.TotalSeconds), "s");

    private static string Number(double value, string unit) => value.ToString("0.#", CultureInfo.InvariantCulture) + unit;
}
