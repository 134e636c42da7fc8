using CsCheck;
using MailDns.Core.Api;
using MailDns.Core.Dmarc.Rollout;

namespace MailDns.Core.Tests.Dmarc;

/// <summary>
/// The DMARC rollout planner. The stages are RFC 9989's: p=none, then quarantine and reject each first with t=y (testing
/// mode, which replaced pct). The evidence is the DMARC pass rate of RFC 7489 §6.6.2 (aligned DKIM or SPF pass).
/// </summary>
public class RolloutPlannerTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private static RolloutSettings Settings(string start = "none", string target = "reject", bool rollback = false) =>
        new(RolloutStage.OfPolicy(start), RolloutStage.OfPolicy(target), 0.98, 1000, TimeSpan.FromDays(14), TimeSpan.FromDays(7), rollback);

    private static RolloutState State(RolloutStage stage, double daysInStage, double daysSinceStart = 30) =>
        new(stage, Now.AddDays(-daysInStage), Now.AddDays(-daysSinceStart));

    private static RolloutEvidence Evidence(long messages, double? rate) => new(messages, rate, rate < 0.98 ? ["198.51.100.7"] : []);

    public static TheoryData<string, double, double, long, double?, bool, string, string> Table =>
        new()
        {
            // stage, days in stage, days since start, messages, pass rate, rollback → action, stage after
            { "none", 8, 30, 5000, 0.99, false, "advance", "quarantine-testing" },
            { "quarantine-testing", 8, 30, 5000, 0.99, false, "advance", "quarantine" },
            { "quarantine", 8, 30, 5000, 0.99, false, "advance", "reject-testing" },
            { "reject-testing", 8, 30, 5000, 0.99, false, "advance", "reject" },
            { "reject", 100, 100, 5000, 0.99, false, "done", "reject" },
            { "none", 6.9, 30, 5000, 0.99, false, "hold", "none" }, // stepAfter not reached
            { "none", 8, 13, 5000, 0.99, false, "hold", "none" }, // the rollout has not watched a full window
            { "none", 8, 30, 999, 1.0, false, "hold", "none" }, // too few messages
            { "none", 8, 30, 0, null, false, "hold", "none" }, // no reports at all: a broken mailbox never advances
            { "none", 8, 30, 5000, 0.98, false, "advance", "quarantine-testing" }, // exactly the threshold
            { "quarantine", 8, 30, 5000, 0.97, false, "hold", "quarantine" }, // under the threshold, no rollback
            { "quarantine", 8, 30, 5000, 0.97, true, "rollback", "quarantine-testing" },
            { "quarantine", 0.5, 30, 5000, 0.97, true, "hold", "quarantine" }, // a rollback waits a day in the stage
            { "none", 8, 30, 5000, 0.5, true, "hold", "none" }, // never below where it started
            { "reject", 8, 30, 5000, 0.5, true, "rollback", "reject-testing" }, // the target too steps back
            { "reject", 8, 30, 5000, 0.5, false, "done", "reject" },
        };

    [Theory]
    [MemberData(nameof(Table))]
    public void A_stage_advances_holds_or_steps_back_as_the_evidence_and_the_time_in_it_say(
        string stage,
        double daysInStage,
        double daysSinceStart,
        long messages,
        double? rate,
        bool rollback,
        string action,
        string after
    )
    {
        var decision = RolloutPlanner.Plan(
            Settings(rollback: rollback),
            State(RolloutStage.Parse(stage)!, daysInStage, daysSinceStart),
            Evidence(messages, rate),
            Now
        );

        Assert.Equal((action, after), (decision.Name, decision.Stage.Name));
    }

    [Fact]
    public void A_rollout_to_quarantine_stops_there_and_one_starting_at_quarantine_begins_at_its_testing_free_stage()
    {
        var atTarget = RolloutPlanner.Plan(Settings(target: "quarantine"), State(RolloutStage.Quarantine, 30), Evidence(5000, 1), Now);
        var fromQuarantine = RolloutPlanner.Plan(Settings(start: "quarantine"), State(RolloutStage.Quarantine, 8), Evidence(5000, 1), Now);

        Assert.Equal(RolloutAction.Done, atTarget.Action);
        Assert.Equal(RolloutStage.RejectTesting, fromQuarantine.Stage);
    }

    [Fact]
    public void The_reason_names_the_evidence_and_the_sources_that_hold_the_rollout_back()
    {
        var decision = RolloutPlanner.Plan(Settings(), State(RolloutStage.None, 8), Evidence(5000, 0.9), Now);

        Assert.Equal(
            "90% of 5000 message(s) passed DMARC over 14d (threshold 98%), under the threshold; failing most: 198.51.100.7",
            decision.Reason
        );
    }

    private static readonly Gen<RolloutSettings> AnySettings = Gen.Select(
        Gen.Int[0, 2],
        Gen.Int[1, 2],
        Gen.Double[0.5, 1.0],
        Gen.Long[1, 10_000],
        Gen.Int[1, 30],
        Gen.Int[1, 30],
        Gen.Bool,
        (start, target, rate, messages, window, stepAfter, rollback) =>
            new RolloutSettings(
                RolloutStage.Road[start * 2],
                RolloutStage.Road[target * 2],
                rate,
                messages,
                TimeSpan.FromDays(window),
                TimeSpan.FromDays(stepAfter),
                rollback
            )
    );

    private static readonly Gen<(RolloutSettings, RolloutState, RolloutEvidence, DateTimeOffset)> Case = Gen.Select(
        AnySettings,
        Gen.Int[0, 4],
        Gen.Double[0, 60],
        Gen.Double[0, 60],
        Gen.Long[0, 20_000],
        Gen.Double[-0.2, 1],
        (settings, rank, inStage, extra, messages, rate) =>
        {
            var stage = EffectiveDmarc.Clamp(RolloutStage.Road[rank], settings);
            var state = new RolloutState(stage, Now.AddDays(-inStage), Now.AddDays(-inStage - extra));
            // A negative draw stands for no reports at all (no rate, no messages).
            return (settings, state, rate < 0 ? RolloutEvidence.Nothing : new RolloutEvidence(messages, rate, []), Now);
        }
    );

    [Fact]
    public void It_never_skips_a_stage_passes_the_target_or_leaves_the_road_between_start_and_target()
    {
        Case.Sample(c =>
        {
            var (settings, state, evidence, now) = c;
            var next = RolloutPlanner.Plan(settings, state, evidence, now).Stage;
            var top = Math.Max(settings.Start.Rank, settings.Target.Rank);
            return Math.Abs(next.Rank - state.Stage.Rank) <= 1 && next.Rank <= top && next.Rank >= settings.Start.Rank;
        });
    }

    [Fact]
    public void It_never_advances_without_enough_evidence_over_a_full_window_nor_before_step_after()
    {
        Case.Sample(c =>
        {
            var (settings, state, evidence, now) = c;
            var decision = RolloutPlanner.Plan(settings, state, evidence, now);
            return decision.Action != RolloutAction.Advance
                || (
                    evidence.Messages >= settings.MinMessages
                    && evidence.PassRate >= settings.MinPassRate
                    && now - state.StartedAt >= settings.Window
                    && now - state.Since >= settings.StepAfter
                );
        });
    }

    [Fact]
    public void It_is_deterministic_and_a_failing_window_never_advances()
    {
        Case.Sample(c =>
        {
            var (settings, state, evidence, now) = c;
            var first = RolloutPlanner.Plan(settings, state, evidence, now);
            var again = RolloutPlanner.Plan(settings, state, evidence, now);
            var failing = evidence.PassRate < settings.MinPassRate;
            return first == again && !(failing && first.Action == RolloutAction.Advance);
        });
    }

    [Fact]
    public void The_effective_dmarc_record_follows_the_stage_in_status_kept_between_start_and_target()
    {
        var domain = new SendingDomain
        {
            Spec = new SendingDomainSpec
            {
                Domain = "news.example.org",
                Dmarc = new DmarcSpec
                {
                    Policy = "none",
                    Rollout = new DmarcRolloutSpec { Target = "quarantine" },
                },
            },
        };
        Assert.Equal(("none", null), (EffectiveDmarc.Of(domain)!.Policy, EffectiveDmarc.Of(domain)!.Testing));

        domain.Status = new SendingDomainStatus { Dmarc = new DmarcRolloutStatus { Stage = "quarantine-testing" } };
        Assert.Equal(("quarantine", (bool?)true), (EffectiveDmarc.Of(domain)!.Policy, EffectiveDmarc.Of(domain)!.Testing));
        Assert.Equal("v=DMARC1; p=quarantine; t=y", MailDns.Core.Records.RecordSynthesis.DmarcValue(EffectiveDmarc.Of(domain)!));

        domain.Status.Dmarc.Stage = "reject"; // the target was lowered after the rollout passed it
        Assert.Equal(RolloutStage.Quarantine, EffectiveDmarc.Stage(domain));
    }
}
