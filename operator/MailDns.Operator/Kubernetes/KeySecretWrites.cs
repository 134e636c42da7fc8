using System.Collections.Concurrent;

namespace MailDns.Operator.Kubernetes;

/// <summary>
/// The resourceVersion of each DKIM key Secret as this operator last wrote it, so its own writes requeue nothing
/// while a change by someone else (a damaged or deleted key Secret) is noticed at once. A write still waiting for its
/// answer counts as ours too: its watch event can arrive before the answer, and had someone else written meanwhile,
/// our write would fail on the resourceVersion and its reconcile be retried anyway.
/// </summary>
public sealed class KeySecretWrites
{
    private readonly ConcurrentDictionary<string, string> written = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> inFlight = new(StringComparer.Ordinal);

    /// <summary>Marks a write of the Secret as under way until the returned scope is disposed.</summary>
    public IDisposable Writing(string key)
    {
        inFlight.AddOrUpdate(key, 1, (_, n) => n + 1);
        return new Scope(() => inFlight.AddOrUpdate(key, 0, (_, n) => n - 1));
    }

    public void Wrote(string key, string resourceVersion) => written[key] = resourceVersion;

    public bool IsOwnWrite(string key, string? resourceVersion) =>
        (written.TryGetValue(key, out var version) && version == resourceVersion) || inFlight.GetValueOrDefault(key) > 0;

    private sealed class Scope(Action end) : IDisposable
    {
        public void Dispose() => end();
    }

    /// <summary>Whether this operator wrote the Secret since it started (then a cache that lacks it may only be behind).</summary>
    public bool HasWritten(string key) => written.ContainsKey(key);
}
