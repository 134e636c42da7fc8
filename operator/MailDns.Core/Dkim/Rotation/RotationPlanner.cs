namespace MailDns.Core.Dkim.Rotation;

/// <summary>
/// The heart of the product: given the spec's settings, the saved key state, what DNS shows and the time, the
/// next steps. Pure and deterministic. The invariants it keeps (DESIGN.md):
/// 1. a key becomes Active only after it was verified at every authoritative server at least propagationDelay ago;
/// 2. a private key is deleted only after its record is gone (DeleteKey needs DNS to show it absent);
/// 3. at most one pending key per series; selectors never reused; a selector's key never changes;
/// 4. decisions depend only on saved state, so a restart never generates a second key for the same step.
/// </summary>
public static class RotationPlanner
{
    /// <summary>How soon to look at DNS again while waiting for it.</summary>
    public static readonly TimeSpan DnsRecheck = TimeSpan.FromMinutes(1);

    public static RotationDecision Plan(
        RotationSettings settings,
        DkimState saved,
        IReadOnlyDictionary<string, SelectorObservation> dns,
        DateTimeOffset now
    )
    {
        var actions = new List<RotationAction>();
        var state = saved;
        void Do(RotationAction action)
        {
            actions.Add(action);
            if (action is not GenerateKey)
            {
                state = RotationTransitions.Apply(state, action, now);
            }
        }

        SelectorDnsState? Seen(string selector) => dns.TryGetValue(selector, out var o) ? o.State : null;

        // Leaked keys first: revoke at once, whatever their phase.
        foreach (
            var key in state
                .Keys.Where(k => settings.Compromised.Contains(k.Selector) && k.Phase is not (KeyPhase.Revoked or KeyPhase.Removing))
                .ToList()
        )
        {
            Do(new Revoke(key.Selector, Compromised: true, $"selector {key.Selector} is listed in compromisedSelectors"));
        }

        // What DNS confirms.
        foreach (var key in state.Keys.Where(k => k.Phase is KeyPhase.Staged or KeyPhase.Published).ToList())
        {
            if (dns.TryGetValue(key.Selector, out var seen) && seen.State == SelectorDnsState.ServesKey)
            {
                Do(new MarkVerified(key.Selector, seen.ObservedAt, $"every authoritative server serves {key.Selector}"));
            }
        }

        var seriesByPrefix = settings.Series.ToDictionary(s => s.Prefix, StringComparer.Ordinal);

        // Series gone from the spec wind down: the active key retires, pending keys are removed (never signed with).
        foreach (var key in state.Keys.Where(k => !seriesByPrefix.ContainsKey(k.Series)).ToList())
        {
            if (key.Phase == KeyPhase.Active)
            {
                Do(new Retire(key.Selector, $"series {key.Series} is no longer in the spec"));
            }
            else if (key.Phase.IsPending())
            {
                Do(new BeginRemoval(key.Selector, $"series {key.Series} is no longer in the spec"));
            }
        }

        // Activation: a verified key whose propagation delay has passed replaces its series' active key.
        foreach (var key in state.Keys.Where(k => k.Phase == KeyPhase.Verified && seriesByPrefix.ContainsKey(k.Series)).ToList())
        {
            // DNS must still serve it now: a record removed behind our back since verification must not be signed with.
            if (now >= key.VerifiedAt!.Value + settings.PropagationDelay && Seen(key.Selector) == SelectorDnsState.ServesKey)
            {
                var current = state.Keys.FirstOrDefault(k => k.Series == key.Series && k.Phase == KeyPhase.Active);
                Do(
                    new Activate(
                        key.Selector,
                        current?.Selector,
                        $"{key.Selector} was verified at every authoritative server {Ago(now - key.VerifiedAt.Value)} ago (propagation "
                            + $"delay {Ago(settings.PropagationDelay)})"
                            + (current is null ? "" : $"; {current.Selector} starts retiring")
                    )
                );
            }
        }

        // Retirement and revocation, by their clocks.
        foreach (var key in state.Keys.ToList())
        {
            if (key.Phase == KeyPhase.Retiring && now >= key.RetiringAt!.Value + settings.RetireAfter)
            {
                Do(
                    new Revoke(
                        key.Selector,
                        false,
                        $"{key.Selector} retired {Ago(now - key.RetiringAt.Value)} ago (retireAfter {Ago(settings.RetireAfter)})"
                    )
                );
            }
            else if (key.Phase == KeyPhase.Revoked && now >= key.RevokedAt!.Value + settings.RevokeFor)
            {
                Do(
                    new BeginRemoval(
                        key.Selector,
                        $"{key.Selector} has been revoked for {Ago(now - key.RevokedAt.Value)} (revokeFor {Ago(settings.RevokeFor)})"
                    )
                );
            }
        }

        // A private key goes only once its record is gone from every authoritative server, and the withdrawal
        // was published at least propagationDelay ago: a secondary that has not yet caught up with the version that
        // first carried the record would otherwise look like "absent" and serve the record later (found by the
        // crash-anywhere simulation with lagging secondaries).
        foreach (
            var key in state
                .Keys.Where(k =>
                    k.Phase == KeyPhase.Removing
                    && Seen(k.Selector) == SelectorDnsState.Absent
                    && k.WithdrawnAt is { } withdrawn
                    && now >= withdrawn + settings.PropagationDelay
                )
                .ToList()
        )
        {
            Do(
                new DeleteKey(
                    key.Selector,
                    $"the record of {key.Selector} is gone from every authoritative server, withdrawn "
                        + $"{Ago(now - key.WithdrawnAt!.Value)} ago"
                )
            );
        }

        // Generation: one pending key per series at most.
        var used = new HashSet<string>(state.UsedSelectors, StringComparer.Ordinal);
        foreach (var series in settings.Series)
        {
            var keys = state.Keys.Where(k => k.Series == series.Prefix).ToList();
            if (keys.Any(k => k.Phase.IsPending()))
            {
                continue;
            }

            var active = keys.FirstOrDefault(k => k.Phase == KeyPhase.Active);
            var newest = keys.Count == 0 ? (DateTimeOffset?)null : keys.Max(k => k.CreatedAt);
            var forced =
                settings.RotateRequestedAt is { } requested
                && settings.RequestCovers(series)
                && requested <= now
                && (!state.HandledRotateRequests.TryGetValue(series.Prefix, out var handled) || requested > handled)
                && (newest is null || requested > newest)
                    ? settings.RotateRequestedAt
                    : null;
            var reason =
                active is null
                    ? (
                        keys.Any(k => k.Compromised && k.Phase == KeyPhase.Revoked)
                            ? $"series {series.Prefix} lost its key to a compromise"
                            : $"series {series.Prefix} has no key"
                    )
                : forced is not null ? $"rotation requested at {forced:O}"
                : active.Algorithm != series.Algorithm || active.Bits != series.Bits
                    ? $"series {series.Prefix} now asks for {series.Algorithm.ToText()} {series.Bits} bits"
                : now >= active.ActivatedAt!.Value + settings.Interval
                    ? $"{active.Selector} has been active for {Ago(now - active.ActivatedAt.Value)} (interval {Ago(settings.Interval)})"
                : null;
            if (reason is null)
            {
                continue;
            }

            var selector = SelectorNames.Next(series.Prefix, now, used);
            used.Add(selector);
            Do(new GenerateKey(series.Prefix, selector, series.Algorithm, series.Bits, forced, reason));
        }

        var awaiting = new List<string>();
        var publishReasons = new List<string>();
        if (actions.OfType<GenerateKey>().Any() || state.Keys.Any(k => k.Phase == KeyPhase.Staged))
        {
            publishReasons.Add("new keys to publish");
        }

        foreach (var key in state.Keys)
        {
            var seen = Seen(key.Selector);
            var (wanted, stale) = key.Phase switch
            {
                KeyPhase.Staged => (SelectorDnsState.ServesKey, false),
                KeyPhase.Published or KeyPhase.Verified or KeyPhase.Active or KeyPhase.Retiring => (
                    SelectorDnsState.ServesKey,
                    seen == SelectorDnsState.Absent
                ),
                KeyPhase.Revoked => (SelectorDnsState.ServesRevoked, seen is SelectorDnsState.ServesKey or SelectorDnsState.Absent),
                _ => (SelectorDnsState.Absent, seen is SelectorDnsState.ServesKey or SelectorDnsState.ServesRevoked),
            };
            if (
                stale
                || (actions.Any(a => a.Selector == key.Selector && a is Revoke or BeginRemoval))
                || (key.Phase == KeyPhase.Removing && key.WithdrawnAt is null)
            )
            {
                publishReasons.Add($"{key.Selector} must be {Describe(wanted)}");
            }

            if (seen != wanted && key.Phase is not (KeyPhase.Verified or KeyPhase.Active or KeyPhase.Retiring))
            {
                awaiting.Add(key.Selector);
            }
        }

        if (publishReasons.Count > 0)
        {
            actions.Add(new PublishRecords(string.Join("; ", publishReasons.Distinct())));
        }

        return new RotationDecision(
            actions,
            NextDecision(settings, state, now, awaiting.Count > 0 || actions.OfType<GenerateKey>().Any()),
            awaiting
        );
    }

    private static DateTimeOffset? NextDecision(RotationSettings settings, DkimState state, DateTimeOffset now, bool waitingForDns)
    {
        var times = new List<DateTimeOffset>();
        foreach (var key in state.Keys)
        {
            switch (key.Phase)
            {
                case KeyPhase.Verified:
                    times.Add(key.VerifiedAt!.Value + settings.PropagationDelay);
                    break;
                case KeyPhase.Active:
                    times.Add(key.ActivatedAt!.Value + settings.Interval);
                    break;
                case KeyPhase.Retiring:
                    times.Add(key.RetiringAt!.Value + settings.RetireAfter);
                    break;
                case KeyPhase.Revoked:
                    times.Add(key.RevokedAt!.Value + settings.RevokeFor);
                    break;
                case KeyPhase.Removing when key.WithdrawnAt is { } withdrawn:
                    times.Add(withdrawn + settings.PropagationDelay);
                    break;
            }
        }

        if (settings.RotateRequestedAt is { } requested && requested > now)
        {
            times.Add(requested);
        }

        if (waitingForDns)
        {
            times.Add(now + DnsRecheck);
        }

        return times.Count == 0 ? null
            : times.Min() is var next && next < now ? now
            : times.Min();
    }

    private static string Describe(SelectorDnsState state) =>
        state switch
        {
            SelectorDnsState.ServesKey => "published",
            SelectorDnsState.ServesRevoked => "published revoked",
            _ => "deleted",
        };

    private static string Ago(TimeSpan span) => Names.DurationText.Format(span < TimeSpan.Zero ? TimeSpan.Zero : span);
}
