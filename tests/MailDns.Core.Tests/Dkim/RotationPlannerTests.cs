using System.Collections.Immutable;
using MailDns.Core.Dkim;
using MailDns.Core.Dkim.Rotation;
using MailDns.Core.Tests.Support;

namespace MailDns.Core.Tests.Dkim;

/// <summary>Every transition of the rotation, one sentence each.</summary>
public class RotationPlannerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly SeriesSettings Rsa = new("rsa", DkimAlgorithm.RsaSha256, 2048);
    private static readonly SeriesSettings Ed = new("ed", DkimAlgorithm.Ed25519Sha256, 256);

    private static RotationSettings Settings(params SeriesSettings[] series) =>
        new(
            series.Length == 0 ? [Rsa] : series,
            TimeSpan.FromDays(90),
            TimeSpan.FromDays(1),
            TimeSpan.FromDays(7),
            TimeSpan.FromDays(7),
            null,
            ImmutableHashSet<string>.Empty
        );

    private static DkimKey Key(string selector, KeyPhase phase, DateTimeOffset at, string series = "rsa") =>
        new(
            selector,
            series,
            series == "ed" ? DkimAlgorithm.Ed25519Sha256 : DkimAlgorithm.RsaSha256,
            series == "ed" ? 256 : 2048,
            series == "ed" ? TestKeys.Ed25519.PublicKey : TestKeys.Rsa2048.PublicKey,
            phase,
            at,
            PublishedAt: phase >= KeyPhase.Published ? at : null,
            VerifiedAt: phase >= KeyPhase.Verified ? at : null,
            ActivatedAt: phase >= KeyPhase.Active ? at : null,
            RetiringAt: phase >= KeyPhase.Retiring ? at : null,
            RevokedAt: phase >= KeyPhase.Revoked ? at : null
        );

    private static DkimState State(params DkimKey[] keys) => keys.Aggregate(DkimState.Empty, (s, k) => s.Add(k));

    private static Dictionary<string, SelectorObservation> Dns(
        DateTimeOffset at,
        params (string Selector, SelectorDnsState State)[] seen
    ) => seen.ToDictionary(s => s.Selector, s => new SelectorObservation(s.Selector, s.State, at));

    private static RotationDecision Plan(
        RotationSettings settings,
        DkimState state,
        Dictionary<string, SelectorObservation> dns,
        DateTimeOffset now
    ) => RotationPlanner.Plan(settings, state, dns, now);

    [Fact]
    public void A_series_without_keys_generates_its_first_key_named_after_the_day_and_publishes_it()
    {
        var decision = Plan(Settings(), DkimState.Empty, [], T0);

        var generate = Assert.Single(decision.Actions.OfType<GenerateKey>());
        Assert.Equal("rsa20260301", generate.Selector);
        Assert.Equal(2048, generate.Bits);
        Assert.True(decision.NeedsPublish);
        Assert.Equal(T0 + RotationPlanner.DnsRecheck, decision.NextDecisionAt);
    }

    [Fact]
    public void Dual_signing_generates_one_key_per_series()
    {
        var decision = Plan(Settings(Rsa, Ed), DkimState.Empty, [], T0);

        Assert.Equal(["rsa20260301", "ed20260301"], decision.Actions.OfType<GenerateKey>().Select(g => g.Selector));
        Assert.Equal(DkimAlgorithm.Ed25519Sha256, decision.Actions.OfType<GenerateKey>().Last().Algorithm);
    }

    [Fact]
    public void A_staged_key_that_dns_does_not_serve_yet_is_published_again_and_awaited()
    {
        var decision = Plan(Settings(), State(Key("rsa1", KeyPhase.Staged, T0)), Dns(T0, ("rsa1", SelectorDnsState.Absent)), T0);

        Assert.DoesNotContain(decision.Actions, a => a is GenerateKey);
        Assert.True(decision.NeedsPublish);
        Assert.Equal(["rsa1"], decision.AwaitingDns);
    }

    [Fact]
    public void A_published_key_served_exactly_by_every_server_is_verified_at_the_observation_time()
    {
        var seenAt = T0.AddMinutes(5);
        var decision = Plan(
            Settings(),
            State(Key("rsa1", KeyPhase.Published, T0)),
            Dns(seenAt, ("rsa1", SelectorDnsState.ServesKey)),
            T0.AddMinutes(6)
        );

        var verified = Assert.Single(decision.Actions.OfType<MarkVerified>());
        Assert.Equal(seenAt, verified.At);
        Assert.Equal(seenAt + TimeSpan.FromDays(1), decision.NextDecisionAt);
    }

    [Theory]
    [InlineData(SelectorDnsState.Mixed)]
    [InlineData(SelectorDnsState.Unknown)]
    [InlineData(SelectorDnsState.Absent)]
    public void A_published_key_is_not_verified_while_any_server_lacks_it_or_does_not_answer(SelectorDnsState seen)
    {
        var decision = Plan(Settings(), State(Key("rsa1", KeyPhase.Published, T0)), Dns(T0, ("rsa1", seen)), T0.AddHours(1));

        Assert.DoesNotContain(decision.Actions, a => a is MarkVerified);
        Assert.Equal(["rsa1"], decision.AwaitingDns);
    }

    [Fact]
    public void A_verified_key_is_not_activated_before_the_propagation_delay_has_passed()
    {
        var decision = Plan(
            Settings(),
            State(Key("rsa1", KeyPhase.Verified, T0)),
            Dns(T0, ("rsa1", SelectorDnsState.ServesKey)),
            T0.AddHours(23)
        );

        Assert.DoesNotContain(decision.Actions, a => a is Activate);
        Assert.Equal(T0.AddDays(1), decision.NextDecisionAt);
    }

    [Fact]
    public void A_verified_key_is_activated_once_the_propagation_delay_has_passed()
    {
        var decision = Plan(
            Settings(),
            State(Key("rsa1", KeyPhase.Verified, T0)),
            Dns(T0, ("rsa1", SelectorDnsState.ServesKey)),
            T0.AddDays(1)
        );

        var activate = Assert.Single(decision.Actions.OfType<Activate>());
        Assert.Equal("rsa1", activate.Selector);
        Assert.Null(activate.Replaces);
    }

    [Fact]
    public void A_verified_key_that_dns_no_longer_serves_is_not_activated_and_is_republished()
    {
        var decision = Plan(
            Settings(),
            State(Key("rsa1", KeyPhase.Verified, T0)),
            Dns(T0, ("rsa1", SelectorDnsState.Absent)),
            T0.AddDays(2)
        );

        Assert.DoesNotContain(decision.Actions, a => a is Activate);
        Assert.True(decision.NeedsPublish);
    }

    [Fact]
    public void Activating_a_new_key_starts_retiring_the_series_previous_active_key()
    {
        var state = State(Key("rsa1", KeyPhase.Active, T0.AddDays(-90)), Key("rsa2", KeyPhase.Verified, T0));

        var decision = Plan(
            Settings(),
            state,
            Dns(T0, ("rsa1", SelectorDnsState.ServesKey), ("rsa2", SelectorDnsState.ServesKey)),
            T0.AddDays(1)
        );

        Assert.Equal("rsa1", Assert.Single(decision.Actions.OfType<Activate>()).Replaces);
        var after = RotationTransitions.Apply(state, decision.Actions.OfType<Activate>().Single(), T0.AddDays(1));
        Assert.Equal(KeyPhase.Retiring, after.Find("rsa1")!.Phase);
        Assert.Equal(KeyPhase.Active, after.Find("rsa2")!.Phase);
    }

    [Fact]
    public void An_active_key_older_than_the_interval_gets_a_successor()
    {
        var decision = Plan(
            Settings(),
            State(Key("rsa1", KeyPhase.Active, T0)),
            Dns(T0, ("rsa1", SelectorDnsState.ServesKey)),
            T0.AddDays(90)
        );

        Assert.Contains("interval", Assert.Single(decision.Actions.OfType<GenerateKey>()).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void An_active_key_younger_than_the_interval_is_left_alone_until_its_time()
    {
        var decision = Plan(
            Settings(),
            State(Key("rsa1", KeyPhase.Active, T0)),
            Dns(T0, ("rsa1", SelectorDnsState.ServesKey)),
            T0.AddDays(30)
        );

        Assert.Empty(decision.Actions);
        Assert.Equal(T0.AddDays(90), decision.NextDecisionAt);
    }

    [Fact]
    public void No_second_key_is_generated_while_one_is_pending()
    {
        var state = State(Key("rsa1", KeyPhase.Active, T0.AddDays(-200)), Key("rsa2", KeyPhase.Published, T0));

        var decision = Plan(
            Settings() with
            {
                RotateRequestedAt = T0.AddMinutes(1),
            },
            state,
            Dns(T0, ("rsa2", SelectorDnsState.Mixed)),
            T0.AddDays(1)
        );

        Assert.DoesNotContain(decision.Actions, a => a is GenerateKey);
    }

    [Fact]
    public void A_rotation_request_newer_than_the_keys_forces_one_rotation_and_is_remembered()
    {
        var state = State(Key("rsa1", KeyPhase.Active, T0));
        var settings = Settings() with { RotateRequestedAt = T0.AddDays(3) };

        var decision = Plan(settings, state, Dns(T0, ("rsa1", SelectorDnsState.ServesKey)), T0.AddDays(3));

        var generate = Assert.Single(decision.Actions.OfType<GenerateKey>());
        Assert.Equal(T0.AddDays(3), generate.ForcedBy);
        var after = RotationTransitions.Apply(state, generate, T0.AddDays(3), TestKeys.Rsa2048);
        Assert.Equal(T0.AddDays(3), after.HandledRotateRequests["rsa"]);
    }

    [Theory]
    [InlineData("ed25519-sha256")]
    [InlineData("ed")]
    public void A_rotation_request_for_one_series_rotates_that_series_alone(string series)
    {
        var state = State(Key("rsa1", KeyPhase.Active, T0), Key("ed1", KeyPhase.Active, T0, "ed"));
        var settings = Settings(Rsa, Ed) with
        {
            RotateRequestedAt = T0.AddDays(3),
            RotateSeries = new HashSet<string> { series },
        };

        var decision = Plan(
            settings,
            state,
            Dns(T0, ("rsa1", SelectorDnsState.ServesKey), ("ed1", SelectorDnsState.ServesKey)),
            T0.AddDays(3)
        );

        var generate = Assert.Single(decision.Actions.OfType<GenerateKey>());
        Assert.Equal("ed", generate.Series);
    }

    [Fact]
    public void A_rotation_request_already_handled_or_older_than_the_key_forces_nothing()
    {
        var handled = State(Key("rsa1", KeyPhase.Active, T0)) with
        {
            HandledRotateRequests = ImmutableSortedDictionary<string, DateTimeOffset>.Empty.Add("rsa", T0.AddDays(3)),
        };
        var seen = Dns(T0, ("rsa1", SelectorDnsState.ServesKey));

        Assert.Empty(Plan(Settings() with { RotateRequestedAt = T0.AddDays(3) }, handled, seen, T0.AddDays(4)).Actions);
        Assert.Empty(
            Plan(
                Settings() with
                {
                    RotateRequestedAt = T0.AddDays(-1),
                },
                State(Key("rsa1", KeyPhase.Active, T0)),
                seen,
                T0.AddDays(4)
            ).Actions
        );
    }

    [Fact]
    public void A_rotation_request_in_the_future_waits_for_its_time()
    {
        var decision = Plan(
            Settings() with
            {
                RotateRequestedAt = T0.AddDays(5),
            },
            State(Key("rsa1", KeyPhase.Active, T0)),
            Dns(T0, ("rsa1", SelectorDnsState.ServesKey)),
            T0.AddDays(1)
        );

        Assert.Empty(decision.Actions);
        Assert.Equal(T0.AddDays(5), decision.NextDecisionAt);
    }

    [Fact]
    public void A_changed_key_size_rotates_the_series()
    {
        var decision = Plan(
            Settings(Rsa with { Bits = 3072 }),
            State(Key("rsa1", KeyPhase.Active, T0)),
            Dns(T0, ("rsa1", SelectorDnsState.ServesKey)),
            T0.AddDays(1)
        );

        Assert.Equal(3072, Assert.Single(decision.Actions.OfType<GenerateKey>()).Bits);
    }

    [Fact]
    public void A_retiring_key_is_revoked_after_retire_after_and_the_revocation_is_published()
    {
        var decision = Plan(
            Settings(),
            State(Key("rsa1", KeyPhase.Retiring, T0)),
            Dns(T0, ("rsa1", SelectorDnsState.ServesKey)),
            T0.AddDays(7)
        );

        Assert.False(Assert.Single(decision.Actions.OfType<Revoke>()).Compromised);
        Assert.True(decision.NeedsPublish);
    }

    [Fact]
    public void A_retiring_key_stays_published_before_retire_after()
    {
        var state = State(Key("rsa1", KeyPhase.Retiring, T0), Key("rsa2", KeyPhase.Active, T0));

        var decision = Plan(
            Settings(),
            state,
            Dns(T0, ("rsa1", SelectorDnsState.ServesKey), ("rsa2", SelectorDnsState.ServesKey)),
            T0.AddDays(6)
        );

        Assert.Empty(decision.Actions);
        Assert.Equal(T0.AddDays(7), decision.NextDecisionAt);
    }

    [Fact]
    public void A_series_whose_only_key_is_retiring_gets_a_new_key()
    {
        var decision = Plan(
            Settings(),
            State(Key("rsa1", KeyPhase.Retiring, T0)),
            Dns(T0, ("rsa1", SelectorDnsState.ServesKey)),
            T0.AddDays(1)
        );

        Assert.Single(decision.Actions.OfType<GenerateKey>());
    }

    [Fact]
    public void A_revoked_key_begins_removal_after_revoke_for()
    {
        var decision = Plan(
            Settings(),
            State(Key("rsa1", KeyPhase.Revoked, T0)),
            Dns(T0, ("rsa1", SelectorDnsState.ServesRevoked)),
            T0.AddDays(7)
        );

        Assert.Single(decision.Actions.OfType<BeginRemoval>());
        Assert.True(decision.NeedsPublish);
    }

    [Fact]
    public void A_revoked_key_that_dns_still_serves_unrevoked_is_published_again()
    {
        var decision = Plan(
            Settings(),
            State(Key("rsa1", KeyPhase.Revoked, T0)),
            Dns(T0, ("rsa1", SelectorDnsState.ServesKey)),
            T0.AddDays(1)
        );

        Assert.True(decision.NeedsPublish);
    }

    [Fact]
    public void The_private_key_of_a_key_being_removed_is_kept_while_any_server_still_has_its_record()
    {
        var state = State(Key("rsa1", KeyPhase.Removing, T0) with { WithdrawnAt = T0 });
        var later = T0 + Settings().PropagationDelay + TimeSpan.FromMinutes(1);

        Assert.DoesNotContain(Plan(Settings(), state, Dns(later, ("rsa1", SelectorDnsState.ServesRevoked)), later).Actions, a =>
            a is DeleteKey
        );
        Assert.DoesNotContain(Plan(Settings(), state, Dns(later, ("rsa1", SelectorDnsState.Unknown)), later).Actions, a => a is DeleteKey);
        Assert.Single(Plan(Settings(), state, Dns(later, ("rsa1", SelectorDnsState.Absent)), later).Actions.OfType<DeleteKey>());
    }

    [Fact]
    public void A_key_looking_absent_is_kept_until_its_withdrawal_has_had_propagation_delay_to_reach_lagging_secondaries()
    {
        var withdrawn = State(Key("rsa1", KeyPhase.Removing, T0) with { WithdrawnAt = T0 });
        var soon = T0 + Settings().PropagationDelay - TimeSpan.FromMinutes(1);

        var early = Plan(Settings(), withdrawn, Dns(soon, ("rsa1", SelectorDnsState.Absent)), soon);
        Assert.DoesNotContain(early.Actions, a => a is DeleteKey);
        Assert.Equal(T0 + Settings().PropagationDelay, early.NextDecisionAt);

        // Not yet withdrawn (the publish crashed): publish first, whatever DNS shows.
        var notWithdrawn = Plan(
            Settings(),
            State(Key("rsa1", KeyPhase.Removing, T0)),
            Dns(T0.AddDays(30), ("rsa1", SelectorDnsState.Absent)),
            T0.AddDays(30)
        );
        Assert.DoesNotContain(notWithdrawn.Actions, a => a is DeleteKey);
        Assert.Contains(notWithdrawn.Actions, a => a is PublishRecords);
        Assert.Equal(
            T0.AddDays(30),
            RotationTransitions.AfterPublish(State(Key("rsa1", KeyPhase.Removing, T0)), T0.AddDays(30)).Keys[0].WithdrawnAt
        );
    }

    [Fact]
    public void Deleting_a_key_that_is_not_being_removed_is_refused()
    {
        Assert.Throws<InvalidOperationException>(() =>
            RotationTransitions.Apply(State(Key("rsa1", KeyPhase.Revoked, T0)), new DeleteKey("rsa1", "test"), T0)
        );
    }

    [Fact]
    public void A_compromised_active_key_is_revoked_at_once_and_replaced()
    {
        var settings = Settings() with { Compromised = new HashSet<string> { "rsa1" } };

        var decision = Plan(
            settings,
            State(Key("rsa1", KeyPhase.Active, T0)),
            Dns(T0, ("rsa1", SelectorDnsState.ServesKey)),
            T0.AddDays(1)
        );

        Assert.True(Assert.Single(decision.Actions.OfType<Revoke>()).Compromised);
        Assert.Contains("compromise", Assert.Single(decision.Actions.OfType<GenerateKey>()).Reason, StringComparison.Ordinal);
        Assert.True(decision.NeedsPublish);
    }

    [Fact]
    public void A_series_removed_from_the_spec_retires_its_active_key_and_removes_its_pending_key()
    {
        var state = State(
            Key("rsa1", KeyPhase.Active, T0),
            Key("ed1", KeyPhase.Active, T0, "ed"),
            Key("ed2", KeyPhase.Published, T0, "ed")
        );

        var decision = Plan(
            Settings(Rsa),
            state,
            Dns(T0, ("rsa1", SelectorDnsState.ServesKey), ("ed1", SelectorDnsState.ServesKey), ("ed2", SelectorDnsState.Mixed)),
            T0.AddDays(1)
        );

        Assert.Equal("ed1", Assert.Single(decision.Actions.OfType<Retire>()).Selector);
        Assert.Equal("ed2", Assert.Single(decision.Actions.OfType<BeginRemoval>()).Selector);
    }

    [Fact]
    public void Selectors_are_never_reused_even_after_their_key_was_deleted()
    {
        var used = new HashSet<string> { "rsa20260301", "rsa20260301-2" };

        Assert.Equal("rsa20260301-3", SelectorNames.Next("rsa", T0, used));
        Assert.Equal("rsa20260302", SelectorNames.Next("rsa", T0.AddDays(1), used));
    }

    [Fact]
    public void Generating_a_selector_that_was_used_before_is_refused()
    {
        var state = DkimState.Empty with { UsedSelectors = DkimState.Empty.UsedSelectors.Add("rsa20260301") };

        Assert.Throws<InvalidOperationException>(() =>
            RotationTransitions.Apply(
                state,
                new GenerateKey("rsa", "rsa20260301", DkimAlgorithm.RsaSha256, 2048, null, "test"),
                T0,
                TestKeys.Rsa2048
            )
        );
    }

    [Fact]
    public void Publishing_marks_staged_keys_published_and_leaves_the_others()
    {
        var state = State(Key("rsa1", KeyPhase.Staged, T0), Key("rsa0", KeyPhase.Active, T0.AddDays(-10)));

        var after = RotationTransitions.AfterPublish(state, T0.AddMinutes(1));

        Assert.Equal(KeyPhase.Published, after.Find("rsa1")!.Phase);
        Assert.Equal(T0.AddMinutes(1), after.Find("rsa1")!.PublishedAt);
        Assert.Equal(KeyPhase.Active, after.Find("rsa0")!.Phase);
    }

    [Fact]
    public void Settings_from_a_spec_apply_the_m3aawg_defaults()
    {
        var settings = RotationSettings.From(new Api.DkimSpec());

        Assert.Equal([new SeriesSettings("rsa", DkimAlgorithm.RsaSha256, 2048)], settings.Series);
        Assert.Equal(TimeSpan.FromDays(90), settings.Interval);
        Assert.Equal(TimeSpan.FromDays(1), settings.PropagationDelay);
        Assert.Equal(TimeSpan.FromDays(7), settings.RetireAfter);
        Assert.Equal(TimeSpan.FromDays(7), settings.RevokeFor);
        Assert.Empty(RotationSettings.From(null).Series);
    }
}
