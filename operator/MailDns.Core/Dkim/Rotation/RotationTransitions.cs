using System.Collections.Immutable;

namespace MailDns.Core.Dkim.Rotation;

/// <summary>
/// How each action changes the saved state. Pure; the runner saves the result before (or, for a key, together
/// with) the side effect it stands for.
/// </summary>
public static class RotationTransitions
{
    public static DkimState Apply(DkimState state, RotationAction action, DateTimeOffset now, DkimKeyMaterial? generated = null)
    {
        switch (action)
        {
            case GenerateKey g:
                if (generated is null || generated.Algorithm != g.Algorithm)
                {
                    throw new ArgumentException("GenerateKey needs the generated key material of its algorithm", nameof(generated));
                }

                if (state.UsedSelectors.Contains(g.Selector))
                {
                    throw new InvalidOperationException($"selector {g.Selector} was used before; selectors are never reused");
                }

                var added = state.Add(
                    new DkimKey(g.Selector, g.Series, g.Algorithm, generated.Bits, generated.PublicKey, KeyPhase.Staged, now)
                );
                return g.ForcedBy is { } forced
                    ? added with
                    {
                        HandledRotateRequests = added.HandledRotateRequests.SetItem(g.Series, forced),
                    }
                    : added;

            case MarkVerified v:
                return Update(
                    state,
                    v.Selector,
                    k => k with { Phase = KeyPhase.Verified, PublishedAt = k.PublishedAt ?? v.At, VerifiedAt = v.At }
                );

            case Activate a:
                var activated = Update(state, a.Selector, k => k with { Phase = KeyPhase.Active, ActivatedAt = now });
                return a.Replaces is null
                    ? activated
                    : Update(activated, a.Replaces, k => k with { Phase = KeyPhase.Retiring, RetiringAt = now });

            case Retire r:
                return Update(state, r.Selector, k => k with { Phase = KeyPhase.Retiring, RetiringAt = now });

            case Revoke r:
                return Update(
                    state,
                    r.Selector,
                    k => k with { Phase = KeyPhase.Revoked, RevokedAt = now, Compromised = k.Compromised || r.Compromised }
                );

            case BeginRemoval b:
                return Update(state, b.Selector, k => k with { Phase = KeyPhase.Removing });

            case DeleteKey d:
                return state.Find(d.Selector) is { Phase: KeyPhase.Removing }
                    ? state.Remove(d.Selector)
                    : throw new InvalidOperationException($"key {d.Selector} is not being removed; its private key must stay");

            case PublishRecords:
                return state;

            default:
                throw new ArgumentOutOfRangeException(nameof(action), action, "unknown action");
        }
    }

    /// <summary>
    /// After the publisher reported success: staged keys are published, and keys being removed are withdrawn
    /// from the primary as of now (the clock their deletion waits on).
    /// </summary>
    public static DkimState AfterPublish(DkimState state, DateTimeOffset now) =>
        state with
        {
            Keys = state
                .Keys.Select(k =>
                    k.Phase switch
                    {
                        KeyPhase.Staged => k with { Phase = KeyPhase.Published, PublishedAt = now },
                        KeyPhase.Removing when k.WithdrawnAt is null => k with { WithdrawnAt = now },
                        _ => k,
                    }
                )
                .ToImmutableList(),
        };

    /// <summary>Whether a successful publish changes the saved state (see <see cref="AfterPublish"/>).</summary>
    public static bool PublishChangesState(DkimState state) =>
        state.Keys.Any(k => k.Phase == KeyPhase.Staged || (k.Phase == KeyPhase.Removing && k.WithdrawnAt is null));

    private static DkimState Update(DkimState state, string selector, Func<DkimKey, DkimKey> change) =>
        state.Find(selector) is { } key ? state.Replace(change(key)) : throw new InvalidOperationException($"no key {selector}");
}
