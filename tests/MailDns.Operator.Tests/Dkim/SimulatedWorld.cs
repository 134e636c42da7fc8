using MailDns.Core.Dkim.Rotation;
using MailDns.Core.Dkim.Storage;
using MailDns.Core.Txt;
using MailDns.Testing;

namespace MailDns.Operator.Tests.Dkim;

public sealed class SimulatedCrash : Exception
{
    public SimulatedCrash(string where)
        : base("simulated crash " + where) { }
}

/// <summary>
/// A zone served by one primary and several secondaries. Published changes reach the primary at once and each
/// secondary after its own random lag; the servers can be down (every answer fails). It remembers, per name,
/// since when every server has served the same value, which is what invariant 1 is checked against.
/// </summary>
public sealed class SimulatedDns
{
    private readonly List<Dictionary<string, string>> servers;
    private readonly List<(DateTimeOffset At, int Server, string Name, string? Value)> inFlight = [];
    private readonly Random random;
    private readonly TimeSpan maxLag;

    public SimulatedDns(int servers, TimeSpan maxLag, Random random)
    {
        this.servers = Enumerable.Range(0, servers).Select(_ => new Dictionary<string, string>(StringComparer.Ordinal)).ToList();
        this.maxLag = maxLag;
        this.random = random;
    }

    public bool Down { get; set; }

    /// <summary>name → (value, since when every server has served it).</summary>
    public Dictionary<string, (string Value, DateTimeOffset Since)> ServedEverywhere { get; } = new(StringComparer.Ordinal);

    public int Publishes { get; private set; }

    public void Publish(IReadOnlyDictionary<string, string?> desired, DateTimeOffset now)
    {
        Publishes++;
        for (var s = 0; s < servers.Count; s++)
        {
            // Secondaries apply zone transfers in serial order: a later change never lands before an earlier one.
            var lag = s == 0 ? TimeSpan.Zero : TimeSpan.FromTicks((long)(random.NextDouble() * maxLag.Ticks));
            var at = inFlight.Where(c => c.Server == s).Select(c => c.At).Append(now + lag).Max();
            foreach (var (name, value) in desired)
            {
                inFlight.Add((at, s, name, value));
            }
        }

        Advance(now);
    }

    public void Advance(DateTimeOffset now)
    {
        foreach (var change in inFlight.Where(c => c.At <= now).OrderBy(c => c.At).ToList())
        {
            if (change.Value is null)
            {
                servers[change.Server].Remove(change.Name);
            }
            else
            {
                servers[change.Server][change.Name] = change.Value;
            }

            inFlight.Remove(change);
        }

        foreach (var name in servers.SelectMany(s => s.Keys).Concat(ServedEverywhere.Keys).Distinct().ToList())
        {
            var values = servers.Select(s => s.GetValueOrDefault(name)).Distinct().ToList();
            if (values.Count == 1 && values[0] is { } value)
            {
                if (!ServedEverywhere.TryGetValue(name, out var seen) || seen.Value != value)
                {
                    ServedEverywhere[name] = (value, now);
                }
            }
            else
            {
                ServedEverywhere.Remove(name);
            }
        }
    }

    public IEnumerable<(string Name, string Value)> AllRecords => servers.SelectMany(s => s.Select(kv => (kv.Key, kv.Value))).Distinct();

    public IReadOnlyList<ServerAnswer> Query(string name) =>
        servers
            .Select(
                (s, i) =>
                    Down
                        ? new ServerAnswer($"ns{i}", null, Failed: true)
                        : new ServerAnswer($"ns{i}", s.TryGetValue(name, out var v) ? [TxtStrings.Split(v)] : [])
            )
            .ToList();
}

public sealed class SimulatedPublisher(SimulatedDns dns, TimeProvider time) : IDkimPublisher
{
    public double CrashBefore { get; set; }

    public double CrashAfter { get; set; }

    public Random Random { get; set; } = new(1);

    public Task PublishAsync(string domain, IReadOnlyList<DkimKey> keys, CancellationToken cancellationToken)
    {
        if (Random.NextDouble() < CrashBefore)
        {
            throw new SimulatedCrash("before publishing");
        }

        dns.Publish(
            keys.ToDictionary(k => Name(k.Selector, domain), k => k.Phase.HasRecord() ? k.ToPublicKey().RecordValue : null),
            time.GetUtcNow()
        );
        if (Random.NextDouble() < CrashAfter)
        {
            throw new SimulatedCrash("after publishing");
        }

        return Task.CompletedTask;
    }

    public static string Name(string selector, string domain) => $"{selector}._domainkey.{domain}";
}

public sealed class SimulatedObserver(SimulatedDns dns, TimeProvider time) : ISelectorObserver
{
    public Task<IReadOnlyDictionary<string, SelectorObservation>> ObserveAsync(
        string domain,
        IReadOnlyList<DkimKey> keys,
        CancellationToken cancellationToken
    )
    {
        var now = time.GetUtcNow();
        IReadOnlyDictionary<string, SelectorObservation> result = keys.ToDictionary(
            k => k.Selector,
            k => new SelectorObservation(
                k.Selector,
                SelectorClassifier.Classify(k, dns.Query(SimulatedPublisher.Name(k.Selector, domain))),
                now
            )
        );
        return Task.FromResult(result);
    }
}

/// <summary>A key store that dies before or after a save, as a process killed at that instant would.</summary>
public sealed class CrashingKeyStore(InMemoryKeyStore inner) : IKeyStore
{
    public double CrashBefore { get; set; }

    public double CrashAfter { get; set; }

    public Random Random { get; set; } = new(1);

    public int Saves { get; private set; }

    public Task<KeySet?> LoadAsync(string owner, CancellationToken cancellationToken) => inner.LoadAsync(owner, cancellationToken);

    public async Task SaveAsync(string owner, KeySet keys, CancellationToken cancellationToken)
    {
        if (Random.NextDouble() < CrashBefore)
        {
            throw new SimulatedCrash("before saving");
        }

        await inner.SaveAsync(owner, keys, cancellationToken);
        Saves++;
        if (Random.NextDouble() < CrashAfter)
        {
            throw new SimulatedCrash("after saving");
        }
    }
}
