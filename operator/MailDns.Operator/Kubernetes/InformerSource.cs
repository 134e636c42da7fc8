using System.Text.Json;
using k8s;
using k8s.Models;

namespace MailDns.Operator.Kubernetes;

/// <summary>How an informer lists a kind (items and the list's resourceVersion) and watches it from a version.</summary>
public sealed record InformerSource<T>(
    Func<CancellationToken, Task<(IReadOnlyList<T> Items, string ResourceVersion)>> List,
    Func<string, Action<Exception>, CancellationToken, IAsyncEnumerable<(WatchEventType Type, T Item)>> Watch)
    where T : class, IKubernetesObject<V1ObjectMeta>;

/// <summary>The kinds the operator watches: its custom resources, and Secrets.</summary>
public static class InformerSource
{
    private const int WatchTimeoutSeconds = 300;

    public static InformerSource<T> Custom<T>(IKubernetes client, string group, string version, string plural, string? ns)
        where T : class, IKubernetesObject<V1ObjectMeta> => new(
        async cancellationToken =>
        {
            var list = (JsonElement)(ns is null
                ? await client.CustomObjects.ListClusterCustomObjectAsync(group, version, plural, cancellationToken: cancellationToken).ConfigureAwait(false)
                : await client.CustomObjects.ListNamespacedCustomObjectAsync(group, version, ns, plural, cancellationToken: cancellationToken).ConfigureAwait(false));
            var items = list.GetProperty("items").EnumerateArray().Select(i => KubernetesJson.Deserialize<T>(i.GetRawText())).ToList();
            return (items, list.GetProperty("metadata").GetProperty("resourceVersion").GetString() ?? "");
        },
        (resourceVersion, onError, cancellationToken) =>
        {
            var response = ns is null
                ? client.CustomObjects.ListClusterCustomObjectWithHttpMessagesAsync(group, version, plural, allowWatchBookmarks: true, resourceVersion: resourceVersion, timeoutSeconds: WatchTimeoutSeconds, watch: true, cancellationToken: cancellationToken)
                : client.CustomObjects.ListNamespacedCustomObjectWithHttpMessagesAsync(group, version, ns, plural, allowWatchBookmarks: true, resourceVersion: resourceVersion, timeoutSeconds: WatchTimeoutSeconds, watch: true, cancellationToken: cancellationToken);
#pragma warning disable CS0618 // the typed watch reader; its replacement yields untyped objects
            return response.WatchAsync<T, object>(onError, cancellationToken);
#pragma warning restore CS0618
        });

    public static InformerSource<V1Secret> Secrets(IKubernetes client, string? ns) => new(
        async cancellationToken =>
        {
            var list = ns is null
                ? await client.CoreV1.ListSecretForAllNamespacesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)
                : await client.CoreV1.ListNamespacedSecretAsync(ns, cancellationToken: cancellationToken).ConfigureAwait(false);
            return (list.Items.ToList(), list.Metadata?.ResourceVersion ?? "");
        },
        (resourceVersion, onError, cancellationToken) =>
        {
            var response = ns is null
                ? client.CoreV1.ListSecretForAllNamespacesWithHttpMessagesAsync(allowWatchBookmarks: true, resourceVersion: resourceVersion, timeoutSeconds: WatchTimeoutSeconds, watch: true, cancellationToken: cancellationToken)
                : client.CoreV1.ListNamespacedSecretWithHttpMessagesAsync(ns, allowWatchBookmarks: true, resourceVersion: resourceVersion, timeoutSeconds: WatchTimeoutSeconds, watch: true, cancellationToken: cancellationToken);
#pragma warning disable CS0618 // the typed watch reader; its replacement yields untyped objects
            return response.WatchAsync<V1Secret, V1SecretList>(onError, cancellationToken);
#pragma warning restore CS0618
        });

    /// <summary>A Secret as the cache keeps it: its metadata only, so no key material or credential sits in memory longer than a read.</summary>
    public static V1Secret MetadataOnly(V1Secret secret) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = secret.Metadata.Name,
            NamespaceProperty = secret.Metadata.NamespaceProperty,
            ResourceVersion = secret.Metadata.ResourceVersion,
            Uid = secret.Metadata.Uid,
            Labels = secret.Metadata.Labels,
        },
    };
}
