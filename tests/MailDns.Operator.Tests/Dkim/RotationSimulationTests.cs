using System.Collections.Immutable;
using CsCheck;
using MailDns.Core.Dkim;
using MailDns.Core.Dkim.Rotation;
using MailDns.Core.Dkim.Storage;
using MailDns.Operator.Dkim;
using MailDns.Testing;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace MailDns.Operator.Tests.Dkim;

/// <summary>
/// Two simulated years per schedule with FakeTimeProvider: random DNS propagation lags and outages, random
/// crashes before and after every save and every publish (the runner is then rebuilt from the store alone),
/// random forced rotations, compromised selectors and series changes. After every step the invariants of
/// DESIGN.md must hold; after a quiet month at the end, every series must have converged to one active key.
/// </summary>
public class RotationSimulationTests(ITestOutputHelper output)
{
    private const int Schedules = 20;
    private const string Owner = "mail/sd";
    private const string Domain = "mail.example.com";
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    // RSA generation costs ~100 ms; the simulation draws RSA keys from a pool (a selector still never changes key).
    private static readonly Lazy<DkimKeyMaterial[]> RsaPool = new(() =>
        Enumerable.Range(0, 6).Select(_ => DkimKeyMaterial.Generate(DkimAlgorithm.RsaSha256, 1024)).ToArray()
    );

    [Fact]
    public void Two_simulated_years_keep_the_rotation_invariants_under_crashes_dns_lag_and_spec_changes()
    {
        var totals = new Totals();
        Gen.Int.Sample(seed => Run(seed, totals), iter: Schedules, threads: 2);

        output.WriteLine(
            $"schedules={totals.Schedules} steps={totals.Steps} crashes={totals.Crashes} activations={totals.Activations} "
                + $"compromises={totals.Compromises}"
        );
        Assert.Equal(Schedules, totals.Schedules);
        Assert.True(totals.Crashes > Schedules * 5, $"only {totals.Crashes} crashes were injected");
        Assert.True(totals.Activations > Schedules * 10, $"only {totals.Activations} activations happened");
    }

    private sealed class Totals
    {
        private int schedules;
        private long steps;
        private long crashes;
        private long activations;
        private long compromises;

        public int Schedules => schedules;

        public long Steps => Interlocked.Read(ref steps);

        public long Crashes => Interlocked.Read(ref crashes);

        public long Activations => Interlocked.Read(ref activations);

        public long Compromises => Interlocked.Read(ref compromises);

        public void Add(long s, long c, long a, long k)
        {
            Interlocked.Increment(ref schedules);
            Interlocked.Add(ref steps, s);
            Interlocked.Add(ref crashes, c);
            Interlocked.Add(ref activations, a);
            Interlocked.Add(ref compromises, k);
        }
    }

    private static void Run(int seed, Totals totals)
    {
        var random = new Random(seed);
        var time = new FakeTimeProvider(Start);
        // The operating assumption, as for record TTLs: propagationDelay is at least the secondaries' lag.
        var propagation = TimeSpan.FromHours(random.Next(1, 48));
        var dns = new SimulatedDns(random.Next(1, 4), TimeSpan.FromHours(random.Next(0, (int)propagation.TotalHours + 1)), random);
        var store = new InMemoryKeyStore();
        var crashingStore = new CrashingKeyStore(store)
        {
            CrashBefore = 0.02,
            CrashAfter = 0.02,
            Random = random,
        };
        var publisher = new SimulatedPublisher(dns, time)
        {
            CrashBefore = 0.03,
            CrashAfter = 0.03,
            Random = random,
        };
        var observer = new SimulatedObserver(dns, time);
        var generate = (DkimAlgorithm algorithm, int bits) =>
            algorithm == DkimAlgorithm.RsaSha256 ? RsaPool.Value[random.Next(RsaPool.Value.Length)] : DkimKeyMaterial.Generate(algorithm);

        var rsa = new SeriesSettings("rsa", DkimAlgorithm.RsaSha256, 1024);
        var ed = new SeriesSettings("ed", DkimAlgorithm.Ed25519Sha256, 256);
        var settings = new RotationSettings(
            random.Next(2) == 0 ? [rsa] : [rsa, ed],
            propagation + TimeSpan.FromDays(random.Next(3, 90)),
            propagation,
            TimeSpan.FromDays(random.Next(1, 8)),
            TimeSpan.FromDays(random.Next(1, 8)),
            null,
            ImmutableHashSet<string>.Empty
        );

        var everSeen = new Dictionary<string, string>(StringComparer.Ordinal);
        var usedBefore = ImmutableSortedSet<string>.Empty;
        long steps = 0,
            crashes = 0,
            activations = 0,
            compromises = 0;
        var active = new HashSet<string>(StringComparer.Ordinal);
        var runner = new DkimRotationRunner(crashingStore, publisher, observer, time, generate);

        void Step(bool quiet)
        {
            steps++;
            time.Advance(random.Next(2) == 0 ? TimeSpan.FromMinutes(random.Next(1, 30)) : TimeSpan.FromHours(random.Next(1, 120)));
            dns.Advance(time.GetUtcNow());
            dns.Down = !quiet && random.NextDouble() < 0.05;
            if (!quiet)
            {
                settings = MaybeChangeSpec(settings, store, random, time.GetUtcNow(), ed, ref compromises);
            }

            try
            {
                // One step per reconcile, which then saves what its publish changed (as DomainReconciler does).
                runner.StepAsync(Owner, Domain, settings, CancellationToken.None).GetAwaiter().GetResult();
                runner.SaveProgressAsync(CancellationToken.None).GetAwaiter().GetResult();
            }
            catch (SimulatedCrash)
            {
                crashes++;
                runner = new DkimRotationRunner(crashingStore, publisher, observer, time, generate);
            }

            dns.Advance(time.GetUtcNow());
            var keys = store.LoadAsync(Owner, CancellationToken.None).GetAwaiter().GetResult() ?? KeySet.Empty(Domain);
            CheckInvariants(seed, keys, dns, settings, everSeen, usedBefore);
            usedBefore = keys.State.UsedSelectors;
            foreach (var key in keys.State.Active)
            {
                if (active.Add(key.Selector))
                {
                    activations++;
                }
            }
        }

        while (time.GetUtcNow() < Start.AddDays(730))
        {
            Step(quiet: false);
        }

        // A quiet month: no crashes, no outages, no spec changes. Every series must converge.
        crashingStore.CrashBefore = crashingStore.CrashAfter = publisher.CrashBefore = publisher.CrashAfter = 0;
        var quietUntil = time.GetUtcNow().AddDays(30) + settings.PropagationDelay;
        while (time.GetUtcNow() < quietUntil)
        {
            Step(quiet: true);
        }

        var final = store.LoadAsync(Owner, CancellationToken.None).GetAwaiter().GetResult()!;
        foreach (var series in settings.Series)
        {
            Assert.True(
                final.State.Keys.Count(k => k.Series == series.Prefix && k.Phase == KeyPhase.Active) == 1,
                $"seed {seed}: series {series.Prefix} did not converge to one active key: {final}"
            );
        }

        totals.Add(steps, crashes, activations, compromises);
    }

    private static RotationSettings MaybeChangeSpec(
        RotationSettings settings,
        InMemoryKeyStore store,
        Random random,
        DateTimeOffset now,
        SeriesSettings ed,
        ref long compromises
    )
    {
        var roll = random.NextDouble();
        if (roll < 0.01)
        {
            return settings with { RotateRequestedAt = now - TimeSpan.FromMinutes(random.Next(0, 10)) };
        }

        if (roll < 0.013)
        {
            var keys = store.LoadAsync(Owner, CancellationToken.None).GetAwaiter().GetResult();
            var victim = keys
                ?.State.Keys.Where(k => k.Phase is KeyPhase.Active or KeyPhase.Verified)
                .Select(k => k.Selector)
                .FirstOrDefault();
            if (victim is not null)
            {
                compromises++;
                return settings with { Compromised = settings.Compromised.Append(victim).ToHashSet(StringComparer.Ordinal) };
            }
        }

        if (roll < 0.016)
        {
            return settings.Series.Any(s => s.Prefix == "ed")
                ? settings with
                {
                    Series = settings.Series.Where(s => s.Prefix != "ed").ToList(),
                }
                : settings with
                {
                    Series = [.. settings.Series, ed],
                };
        }

        return settings;
    }

    private static void CheckInvariants(
        int seed,
        KeySet keys,
        SimulatedDns dns,
        RotationSettings settings,
        Dictionary<string, string> everSeen,
        ImmutableSortedSet<string> usedBefore
    )
    {
        void Fail(string invariant, string what) => Assert.Fail($"seed {seed}: invariant {invariant} broken: {what}; {keys}");

        // 1. The active selector was verified everywhere at least propagationDelay before activation, and still is served.
        foreach (var key in keys.State.Active)
        {
            var name = SimulatedPublisher.Name(key.Selector, Domain);
            if (!dns.ServedEverywhere.TryGetValue(name, out var served) || served.Value != key.ToPublicKey().RecordValue)
            {
                Fail("1", $"active {key.Selector} is not served by every authoritative server");
            }
            else if (served.Since > key.ActivatedAt!.Value - settings.PropagationDelay)
            {
                Fail("1", $"active {key.Selector} has been served everywhere only since {served.Since:O}, activated {key.ActivatedAt:O}");
            }
        }

        // 2. No published, unrevoked record lacks its private key; a deleted key's record is gone everywhere.
        var records = dns.AllRecords.ToList();
        foreach (var (name, value) in records)
        {
            var selector = name[..name.IndexOf("._domainkey.", StringComparison.Ordinal)];
            var revoked = value.EndsWith("p=", StringComparison.Ordinal);
            if (!revoked && !keys.PrivateKeys.ContainsKey(selector))
            {
                Fail("2", $"{selector} is published unrevoked but its private key is not in the store");
            }
        }

        foreach (var deleted in keys.State.UsedSelectors.Where(s => keys.State.Find(s) is null))
        {
            if (records.Any(r => r.Name == SimulatedPublisher.Name(deleted, Domain)))
            {
                Fail("2", $"the private key of {deleted} was deleted while a server still serves its record");
            }
        }

        // 3. At most one pending key per series; selectors never reused; a selector's key never changes.
        foreach (var series in keys.State.Keys.GroupBy(k => k.Series))
        {
            if (series.Count(k => k.Phase.IsPending()) > 1)
            {
                Fail("3", $"series {series.Key} has {series.Count(k => k.Phase.IsPending())} pending keys");
            }
        }

        foreach (var key in keys.State.Keys)
        {
            if (everSeen.TryGetValue(key.Selector, out var publicKey))
            {
                if (publicKey != key.PublicKey)
                {
                    Fail("3", $"selector {key.Selector} changed its key");
                }
            }
            else
            {
                // First sight of a selector: its saved private key must be the one behind its public key.
                everSeen[key.Selector] = key.PublicKey;
                if (DkimKeyMaterial.FromPem(keys.PrivateKeys[key.Selector]).PublicKey != key.PublicKey)
                {
                    Fail("3", $"the private key saved for {key.Selector} does not match its public key");
                }
            }
        }

        if (!usedBefore.IsSubsetOf(keys.State.UsedSelectors))
        {
            Fail("3", "a used selector was forgotten, so it could be reused");
        }

        // 4. Every record in DNS belongs to a key that was saved: no key generated, published and then lost.
        foreach (var (name, _) in records)
        {
            var selector = name[..name.IndexOf("._domainkey.", StringComparison.Ordinal)];
            if (!keys.State.UsedSelectors.Contains(selector))
            {
                Fail("4", $"{selector} is in DNS but was never saved");
            }
        }
    }
}
