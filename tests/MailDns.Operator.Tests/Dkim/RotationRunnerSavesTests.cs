using System.Collections.Immutable;
using MailDns.Core.Dkim;
using MailDns.Core.Dkim.Rotation;
using MailDns.Operator.Dkim;
using MailDns.Testing;
using Microsoft.Extensions.Time.Testing;

namespace MailDns.Operator.Tests.Dkim;

/// <summary>
/// How often a reconcile writes the key store (each save is an API write of the key Secret): the key is saved before
/// anything publishes it; what publishing and verifying record rides along with the next save instead of writes of their own.
/// </summary>
public class RotationRunnerSavesTests
{
    private const string Owner = "mail/sd";
    private const string Domain = "mail.example.com";

    [Theory]
    [InlineData(0, KeyPhase.Active)] // seen at once and nothing to wait for: active in the same reconcile
    [InlineData(1, KeyPhase.Verified)] // seen, but the propagation delay has not passed: verified, waiting
    public async Task A_new_domains_first_reconcile_saves_its_key_twice_and_publishes_only_what_was_saved(
        int propagationHours,
        KeyPhase phaseAfter
    )
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 8, 0, 0, TimeSpan.Zero));
        var dns = new SimulatedDns(1, TimeSpan.Zero, new Random(1));
        var inner = new InMemoryKeyStore();
        var store = new CrashingKeyStore(inner);
        var publisher = new CheckingPublisher(new SimulatedPublisher(dns, time), inner);
        var runner = new DkimRotationRunner(store, publisher, new SimulatedObserver(dns, time), time);
        var settings = new RotationSettings(
            [new SeriesSettings("ed", DkimAlgorithm.Ed25519Sha256, 256)],
            TimeSpan.FromDays(90),
            TimeSpan.FromHours(propagationHours),
            TimeSpan.FromDays(1),
            TimeSpan.FromDays(1),
            null,
            ImmutableHashSet<string>.Empty
        );

        for (var step = 0; step < 8; step++)
        {
            if ((await runner.StepAsync(Owner, Domain, settings, CancellationToken.None)).Decision.Actions.Count == 0)
            {
                break;
            }
        }

        await runner.SaveProgressAsync(CancellationToken.None);

        Assert.Equal(2, store.Saves);
        Assert.True(publisher.Calls > 0);
        var key = Assert.Single((await inner.LoadAsync(Owner, CancellationToken.None))!.State.Keys);
        Assert.Equal(phaseAfter, key.Phase);
        Assert.Equal(time.GetUtcNow(), key.PublishedAt); // the publish's own change was saved, not lost
    }

    /// <summary>Fails a publish of a key whose private key is not in the store yet (the rule the first save exists for).</summary>
    private sealed class CheckingPublisher(IDkimPublisher inner, InMemoryKeyStore saved) : IDkimPublisher
    {
        public int Calls { get; private set; }

        public async Task PublishAsync(string domain, IReadOnlyList<DkimKey> keys, CancellationToken cancellationToken)
        {
            var stored = await saved.LoadAsync(Owner, cancellationToken);
            Assert.All(keys, k => Assert.True(stored?.PrivateKeys.ContainsKey(k.Selector) == true, $"{k.Selector} published unsaved"));
            Calls++;
            await inner.PublishAsync(domain, keys, cancellationToken);
        }
    }
}
