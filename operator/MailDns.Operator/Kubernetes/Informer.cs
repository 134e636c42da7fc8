using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace MailDns.Operator.Kubernetes;

/// <summary>
/// Keeps a cache of one custom resource kind in step with the API server, as client-go's reflector: LIST, then
/// WATCH from the list's resourceVersion (with bookmarks), resuming from the last version seen when a stream
/// ends, and LIST again when the version is too old (a 410 Status reaches only the error callback: PLATFORM.md)
/// or every resync period. Every add, change and delete, and every key on a relist, is passed to onChange.
/// What is cached is what <c>keep</c> returns, so an informer over Secrets can drop their data, and never the
/// bookkeeping of the API server and kubectl (<see cref="WithoutBookkeeping"/>), with its strings shared across the
/// cache (<see cref="CompactObjects"/>).
/// </summary>
public sealed class Informer<T>(InformerSource<T> source, Action<string> onChange, TimeSpan resync, Func<T, T>? keep = null)
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    public Informer(IKubernetes client, string group, string version, string plural, string? ns, Action<string> onChange, TimeSpan resync)
        : this(InformerSource.Custom<T>(client, group, version, plural, ns), onChange, resync) { }

    private readonly ConcurrentDictionary<string, T> cache = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<InformerIndex<T>> indexes = [];
    private readonly SharedStrings strings = new();

    public IReadOnlyDictionary<string, T> Cache => cache;

    /// <summary>Raised when a LIST or WATCH fails; the informer waits a second and lists again.</summary>
    public event Action<Exception>? Failed;

    /// <summary>Completes after the first LIST has filled the cache.</summary>
    public Task Synced => synced.Task;

    /// <summary>Adds an index kept with the cache (before <see cref="RunAsync"/>), updated before onChange is called.</summary>
    public InformerIndex<T> AddIndex(Func<T, string?> valueOf)
    {
        var index = new InformerIndex<T>(valueOf);
        indexes.Add(index);
        return index;
    }

    /// <summary>Caches <paramref name="item"/> under its key (removes it when null) and updates the indexes.</summary>
    private void Cached(string key, T? item)
    {
        T? before;
        if (item is null)
        {
            cache.TryRemove(key, out before);
        }
        else
        {
            cache.TryGetValue(key, out before);
            cache[key] = item; // this informer is the cache's only writer, so `before` is what this replaces
        }

        foreach (var index in indexes)
        {
            index.Set(key, before, item);
        }
    }

    public static string KeyOf(T item) =>
        item.Metadata.NamespaceProperty is { Length: > 0 } n ? $"{n}/{item.Metadata.Name}" : item.Metadata.Name;

    /// <summary>
    /// The key of <paramref name="item"/> as the instance the cache already holds, when it holds one. Each watch event
    /// makes a new copy of the key, and the work queue, metrics and schedules keep whichever copy they were handed last:
    /// 10,000 domains, each with one status write, held every key twice.
    /// </summary>
    private string CachedKeyOf(T item)
    {
        var key = KeyOf(item);
        return cache.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(key, out var held, out _) ? held : key;
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var resourceVersion = await ListAsync(cancellationToken).ConfigureAwait(false);
                var listedAt = DateTime.UtcNow;
                while (!cancellationToken.IsCancellationRequested && DateTime.UtcNow - listedAt < resync)
                {
                    var (next, gone) = await WatchAsync(resourceVersion, cancellationToken).ConfigureAwait(false);
                    resourceVersion = next;
                    if (gone)
                    {
                        break; // too old: list again
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpOperationException or HttpRequestException or IOException or JsonException)
            {
                // The API server is away or failing: wait a little and start over with a LIST.
                Failed?.Invoke(e);
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return; // stopped while waiting out a fault: a clean stop, not a failure (found in CI)
                }
            }
        }
    }

    private async Task<string> ListAsync(CancellationToken cancellationToken)
    {
        var (items, resourceVersion) = await source.List(cancellationToken).ConfigureAwait(false);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            var key = CachedKeyOf(item);
            seen.Add(key);
            Cached(key, Keep(item));
            onChange(key);
        }

        foreach (var removed in cache.Keys.Where(k => !seen.Contains(k)).ToList())
        {
            Cached(removed, null);
            onChange(removed);
        }

        synced.TrySetResult();
        return resourceVersion;
    }

    private T Keep(T item) => CompactObjects.Compact(keep is null ? WithoutBookkeeping(item) : keep(WithoutBookkeeping(item)), strings);

    /// <summary>The annotation kubectl apply (and GitOps tools built on it) writes: the whole applied object again, as JSON.</summary>
    public const string LastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration";

    /// <summary>
    /// The object without the API server's field ownership (managedFields) and kubectl's last-applied copy, as
    /// controller-runtime's cache transform strips them: no controller here reads either, the operator never
    /// writes an object back whole (only merge patches), and for a SendingDomain applied with kubectl they are
    /// larger than the object itself, held for every domain for as long as the operator runs.
    /// </summary>
    public static T WithoutBookkeeping(T item)
    {
        if (item.Metadata is null)
        {
            return item;
        }

        item.Metadata.ManagedFields = null;
        if (item.Metadata.Annotations is { } annotations && annotations.ContainsKey(LastAppliedAnnotation))
        {
            var kept = annotations.Where(a => a.Key != LastAppliedAnnotation).ToDictionary(StringComparer.Ordinal);
            item.Metadata.Annotations = kept.Count == 0 ? null : kept;
        }

        return item;
    }

    private async Task<(string ResourceVersion, bool Gone)> WatchAsync(string resourceVersion, CancellationToken cancellationToken)
    {
        var gone = false;
        try
        {
            await foreach (
                var (type, item) in source
                    .Watch(
                        resourceVersion,
                        e => gone |= e is KubernetesException { Status.Code: (int)HttpStatusCode.Gone },
                        cancellationToken
                    )
                    .ConfigureAwait(false)
            )
            {
                resourceVersion = item.Metadata?.ResourceVersion ?? resourceVersion;
                if (type == WatchEventType.Bookmark)
                {
                    continue;
                }

                var key = CachedKeyOf(item);
                Cached(key, type == WatchEventType.Deleted ? null : Keep(item));

                onChange(key);
            }
        }
        catch (HttpRequestException e) when (e.InnerException is EndOfStreamException)
        {
            // A watch that closed before its first event: resume from the same version.
        }

        return (resourceVersion, gone);
    }
}
