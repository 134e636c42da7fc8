using MailDns.Core.Dkim;
using MailDns.Core.Dkim.Rotation;
using MailDns.Core.Dkim.Storage;

namespace MailDns.Operator.Dkim;

public sealed record RotationStep(RotationDecision Decision, KeySet Keys);

/// <summary>
/// Carries out one rotation step: load the saved keys, observe DNS, plan, then apply each action, saving the state
/// before the side effect it stands for (a generated key is saved together with its private key before anything
/// publishes it; a revocation or removal is saved before the publisher changes DNS). A crash between any two
/// lines leaves a state from which the next step continues without a second key and without a lost key. What only
/// records an observation (staged keys now published, a key now seen at every server) is kept in memory and saved
/// with the next step's save or by <see cref="SaveProgressAsync"/>: publishing or looking again reproduces it, so it
/// needs no write of its own.
/// </summary>
public sealed class DkimRotationRunner
{
    private readonly IKeyStore store;
    private readonly IDkimPublisher publisher;
    private readonly ISelectorObserver observer;
    private readonly TimeProvider time;
    private readonly Func<DkimAlgorithm, int, DkimKeyMaterial> generate;
    private (string Owner, KeySet Keys)? unsaved;

    public DkimRotationRunner(
        IKeyStore store,
        IDkimPublisher publisher,
        ISelectorObserver observer,
        TimeProvider time,
        Func<DkimAlgorithm, int, DkimKeyMaterial>? generate = null
    )
    {
        this.store = store;
        this.publisher = publisher;
        this.observer = observer;
        this.time = time;
        this.generate = generate ?? ((algorithm, bits) => DkimKeyMaterial.Generate(algorithm, bits));
    }

    public async Task<RotationStep> StepAsync(string owner, string domain, RotationSettings settings, CancellationToken cancellationToken)
    {
        var keys =
            unsaved is { } progress && progress.Owner == owner
                ? progress.Keys
                : await store.LoadAsync(owner, cancellationToken).ConfigureAwait(false) ?? KeySet.Empty(domain);
        var dns = await observer.ObserveAsync(domain, keys.State.Keys, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var decision = RotationPlanner.Plan(settings, keys.State, dns, now);

        foreach (var action in decision.Actions.Where(a => a is not PublishRecords))
        {
            keys = action switch
            {
                GenerateKey g => Generated(keys, g, now),
                DeleteKey d => keys with
                {
                    State = RotationTransitions.Apply(keys.State, d, now),
                    PrivateKeys = keys.PrivateKeys.Remove(d.Selector),
                },
                _ => keys with { State = RotationTransitions.Apply(keys.State, action, now) },
            };
            if (action is MarkVerified)
            {
                // An observation, not a decision: seeing the key again reproduces it, so it rides with the next save.
                unsaved = (owner, keys);
                continue;
            }

            await store.SaveAsync(owner, keys, cancellationToken).ConfigureAwait(false);
            unsaved = null;
        }

        if (decision.NeedsPublish)
        {
            await publisher.PublishAsync(domain, keys.State.Keys, cancellationToken).ConfigureAwait(false);
            if (RotationTransitions.PublishChangesState(keys.State))
            {
                keys = keys with { State = RotationTransitions.AfterPublish(keys.State, time.GetUtcNow()) };
                unsaved = (owner, keys);
            }
        }

        return new RotationStep(decision, keys);
    }

    /// <summary>Saves what the last publish changed, unless a later step saved it already. Call after the last step.</summary>
    public async Task SaveProgressAsync(CancellationToken cancellationToken)
    {
        if (unsaved is { } progress)
        {
            await store.SaveAsync(progress.Owner, progress.Keys, cancellationToken).ConfigureAwait(false);
            unsaved = null;
        }
    }

    private KeySet Generated(KeySet keys, GenerateKey action, DateTimeOffset now)
    {
        var material = generate(action.Algorithm, action.Bits);
        return keys with
        {
            State = RotationTransitions.Apply(keys.State, action, now, material),
            PrivateKeys = keys.PrivateKeys.Add(action.Selector, material.PrivateKeyPem),
        };
    }
}
