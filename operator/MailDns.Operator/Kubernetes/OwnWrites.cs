using System.Collections.Concurrent;
using System.Collections.Immutable;
using k8s;
using k8s.Models;

namespace MailDns.Operator.Kubernetes;

/// <summary>
/// The objects this controller wrote, kept only until the watch brings them into the informer cache. Without it,
/// a reconcile queued by the watch event of its own finalizer patch reads the cache from before the status write
/// that followed, and writes the same status a second time (or decides from a status it already replaced).
/// </summary>
public sealed class OwnWrites<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private sealed record Write(ImmutableHashSet<string> Replaced, T Latest);

    private readonly ConcurrentDictionary<string, Write> writes = new(StringComparer.Ordinal);

    /// <summary>How many writes the cache has not caught up with yet.</summary>
    public int Pending => writes.Count;

    /// <summary>Records that the server replaced <paramref name="from"/> with <paramref name="written"/>.</summary>
    public void Wrote(string key, T from, T written, Func<T?> cached)
    {
        var replaced = from.Metadata.ResourceVersion ?? "";
        writes.AddOrUpdate(key, _ => new Write([replaced], written), (_, w) => new Write(w.Replaced.Add(replaced), written));

        // Looked at after recording, so a watch event that came before is seen here and one that comes later
        // forgets the write itself: none is kept once the cache holds it.
        Observed(key, cached());
    }

    /// <summary>The newest version known: this controller's own write while the cache still holds one it replaced.</summary>
    public T Freshest(string key, T cached)
    {
        if (writes.TryGetValue(key, out var w) && w.Replaced.Contains(cached.Metadata.ResourceVersion ?? ""))
        {
            return w.Latest;
        }

        Observed(key, cached);
        return cached;
    }

    /// <summary>The cache moved on (the write arrived, someone else wrote after it, or the object is gone): forget it.</summary>
    public void Observed(string key, T? cached)
    {
        if (writes.TryGetValue(key, out var w) && (cached is null || !w.Replaced.Contains(cached.Metadata.ResourceVersion ?? "")))
        {
            ((ICollection<KeyValuePair<string, Write>>)writes).Remove(new(key, w)); // only this write, never a newer one
        }
    }
}
