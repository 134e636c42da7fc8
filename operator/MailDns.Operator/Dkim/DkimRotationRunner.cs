using MailDns.Core.Dkim;
using MailDns.Core.Dkim.Rotation;
using MailDns.Core.Dkim.Storage;

namespace MailDns.Operator.Dkim;

public sealed record RotationStep(RotationDecision Decision, KeySet Keys);

/// <summary>
/// Carries out one rotation step: load the saved keys, observe DNS, plan, then apply each action, saving the state
/// before the side effect it stands for (a generated key is saved together with its private key before anything
/// publishes it; a revocation or removal is saved before the publisher changes DNS). A crash between any two
/// lines leaves a state from which the next step continues without a second key and without a lost key.
/// </summary>
public sealed class DkimRotationRunner
{
    private readonly IKeyStore store;
    private readonly IDkimPublisher publisher;
    private readonly ISelectorObserver observer;
    private readonly TimeProvider time;
    private readonly Func<DkimAlgorithm, int, DkimKeyMaterial> generate;

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
        var keys = await store.LoadAsync(owner, cancellationToken).ConfigureAwait(false) ?? KeySet.Empty(domain);
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
            await store.SaveAsync(owner, keys, cancellationToken).ConfigureAwait(false);
        }

        if (decision.NeedsPublish)
        {
            await publisher.PublishAsync(domain, keys.State.Keys, cancellationToken).ConfigureAwait(false);
            if (RotationTransitions.PublishChangesState(keys.State))
            {
                keys = keys with { State = RotationTransitions.AfterPublish(keys.State, time.GetUtcNow()) };
                await store.SaveAsync(owner, keys, cancellationToken).ConfigureAwait(false);
            }
        }

        return new RotationStep(decision, keys);
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
