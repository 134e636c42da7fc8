using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace MailDns.Operator.Kubernetes;

/// <summary>How an informer lists a kind (items and the list's resourceVersion) and watches it from a version.</summary>
public sealed record InformerSource<T>(
    Func<CancellationToken, Task<(IReadOnlyList<T> Items, string ResourceVersion)>> List,
    Func<string, Action<Exception>, CancellationToken, IAsyncEnumerable<(WatchEventType Type, T Item)>> Watch
)
    where T : class, IKubernetesObject<V1ObjectMeta>;

/// <summary>The kinds the operator watches: its custom resources, and Secrets.</summary>
public static class InformerSource
{
    private const int WatchTimeoutSeconds = 300;

    /// <summary>Items per LIST page, as client-go's reflector asks: a 10,000-object list never sits in memory as one response.</summary>
    public const int PageSize = 500;

    public static InformerSource<T> Custom<T>(IKubernetes client, string group, string version, string plural, string? ns)
        where T : class, IKubernetesObject<V1ObjectMeta> =>
        new(
            cancellationToken =>
                ListInPagesAsync<T>(
                    async (continueToken, limit) =>
                        ns is null
                            ? await client
                                .CustomObjects.ListClusterCustomObjectAsync<KubernetesList<T>>(
                                    group,
                                    version,
                                    plural,
                                    continueParameter: continueToken,
                                    limit: limit,
                                    cancellationToken: cancellationToken
                                )
                                .ConfigureAwait(false)
                            : await client
                                .CustomObjects.ListNamespacedCustomObjectAsync<KubernetesList<T>>(
                                    group,
                                    version,
                                    ns,
                                    plural,
                                    continueParameter: continueToken,
                                    limit: limit,
                                    cancellationToken: cancellationToken
                                )
                                .ConfigureAwait(false)
                ),
            (resourceVersion, onError, cancellationToken) =>
            {
                var response = ns is null
                    ? client.CustomObjects.ListClusterCustomObjectWithHttpMessagesAsync(
                        group,
                        version,
                        plural,
                        allowWatchBookmarks: true,
                        resourceVersion: resourceVersion,
                        timeoutSeconds: WatchTimeoutSeconds,
                        watch: true,
                        cancellationToken: cancellationToken
                    )
                    : client.CustomObjects.ListNamespacedCustomObjectWithHttpMessagesAsync(
                        group,
                        version,
                        ns,
                        plural,
                        allowWatchBookmarks: true,
                        resourceVersion: resourceVersion,
                        timeoutSeconds: WatchTimeoutSeconds,
                        watch: true,
                        cancellationToken: cancellationToken
                    );
#pragma warning disable CS0618 // the typed watch reader; its replacement yields untyped objects
                return response.WatchAsync<T, object>(onError, cancellationToken);
#pragma warning restore CS0618
            }
        );

    public static InformerSource<V1Secret> Secrets(IKubernetes client, string? ns) =>
        new(
            cancellationToken =>
                ListInPagesAsync(
                    async (continueToken, limit) =>
                        (IItems<V1Secret>)(
                            ns is null
                                ? await client
                                    .CoreV1.ListSecretForAllNamespacesAsync(
                                        continueParameter: continueToken,
                                        limit: limit,
                                        cancellationToken: cancellationToken
                                    )
                                    .ConfigureAwait(false)
                                : await client
                                    .CoreV1.ListNamespacedSecretAsync(
                                        ns,
                                        continueParameter: continueToken,
                                        limit: limit,
                                        cancellationToken: cancellationToken
                                    )
                                    .ConfigureAwait(false)
                        )
                ),
            (resourceVersion, onError, cancellationToken) =>
            {
                var response = ns is null
                    ? client.CoreV1.ListSecretForAllNamespacesWithHttpMessagesAsync(
                        allowWatchBookmarks: true,
                        resourceVersion: resourceVersion,
                        timeoutSeconds: WatchTimeoutSeconds,
                        watch: true,
                        cancellationToken: cancellationToken
                    )
                    : client.CoreV1.ListNamespacedSecretWithHttpMessagesAsync(
                        ns,
                        allowWatchBookmarks: true,
                        resourceVersion: resourceVersion,
                        timeoutSeconds: WatchTimeoutSeconds,
                        watch: true,
                        cancellationToken: cancellationToken
                    );
#pragma warning disable CS0618 // the typed watch reader; its replacement yields untyped objects
                return response.WatchAsync<V1Secret, V1SecretList>(onError, cancellationToken);
#pragma warning restore CS0618
            }
        );

    /// <summary>
    /// A LIST in pages of <see cref="PageSize"/>, following the continue token. The list's resourceVersion is the
    /// first page's (every page of one list carries the same). When the token has expired (410), the list starts
    /// over in one unpaginated request, as client-go's pager falls back.
    /// </summary>
    private static async Task<(IReadOnlyList<T> Items, string ResourceVersion)> ListInPagesAsync<T>(
        Func<string?, int?, Task<IItems<T>>> page
    )
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var items = new List<T>();
        string? resourceVersion = null;
        string? continueToken = null;
        do
        {
            IItems<T> chunk;
            try
            {
                chunk = await page(continueToken, PageSize).ConfigureAwait(false);
            }
            catch (HttpOperationException e) when (continueToken is not null && e.Response.StatusCode == HttpStatusCode.Gone)
            {
                var whole = await page(null, null).ConfigureAwait(false);
                return (whole.Items.ToList(), ListMeta(whole)?.ResourceVersion ?? "");
            }

            items.AddRange(chunk.Items);
            resourceVersion ??= ListMeta(chunk)?.ResourceVersion ?? "";
            continueToken = ListMeta(chunk)?.ContinueProperty is { Length: > 0 } next ? next : null;
        } while (continueToken is not null);

        return (items, resourceVersion ?? "");
    }

    private static V1ListMeta? ListMeta<T>(IItems<T> list) => (list as IMetadata<V1ListMeta>)?.Metadata;

    /// <summary>A Secret as the cache keeps it: its metadata only, so no key material or credential sits in memory longer than a
    /// read.</summary>
    public static V1Secret MetadataOnly(V1Secret secret) =>
        new()
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
