using System.Collections.Concurrent;
using k8s;
using k8s.Models;
using MailDns.Core.Api;
using MailDns.Operator.Kubernetes;
using MailDns.Testing;

namespace MailDns.Operator.Tests.Kubernetes;

/// <summary>The informer's initial LIST against the test API server: in pages, and whole again when a page's token has expired.</summary>
public class InformerTests
{
    private static SendingDomain Domain(int i) =>
        new()
        {
            Metadata = new V1ObjectMeta { Name = $"d{i:D4}", NamespaceProperty = "mail" },
            Spec = new SendingDomainSpec
            {
                Domain = $"d{i}.example.org",
                ProviderRef = new ProviderRef { Name = "zone" },
            },
        };

    private static async Task CreateAsync(ApiServer api, IEnumerable<int> which)
    {
        var sds = new GenericClient(api.Client, "maildns.io", "v1alpha1", "sendingdomains", disposeClient: false);
        await Parallel.ForEachAsync(
            which,
            new ParallelOptions { MaxDegreeOfParallelism = 16 },
            async (i, token) => await sds.CreateNamespacedAsync(Domain(i), "mail", token)
        );
    }

    /// <summary>An informer over namespace mail's SendingDomains, resyncing hourly (never within a test).</summary>
    private static Informer<SendingDomain> Watching(IKubernetes client, Action<string> onChange) =>
        new(client, "maildns.io", "v1alpha1", "sendingdomains", "mail", onChange, TimeSpan.FromHours(1));

    private static async Task<IReadOnlyDictionary<string, SendingDomain>> SyncAsync(IKubernetes client, ConcurrentBag<string> changed)
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var informer = Watching(client, changed.Add);
        var running = informer.RunAsync(stop.Token);
        await informer.Synced.WaitAsync(stop.Token);
        await stop.CancelAsync();
        await running;
        return informer.Cache;
    }

    [Fact]
    public async Task The_first_list_of_more_than_a_page_comes_in_pages_and_caches_every_object_once()
    {
        await using var api = await ApiServer.StartAsync();
        await api.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "mail" } });
        var count = (2 * InformerSource.PageSize) + 7;
        await CreateAsync(api, Enumerable.Range(0, count));
        var mark = api.Host.Requests.Count;
        var changed = new ConcurrentBag<string>();

        var cache = await SyncAsync(api.Client, changed);

        Assert.Equal(count, cache.Count);
        Assert.Equal(count, changed.Distinct().Count());
        Assert.Equal(3, api.Host.Requests.Skip(mark).Count(r => r.Verb == "list" && r.Resource == "sendingdomains"));
    }

    [Fact]
    public async Task Objects_listed_from_the_api_server_are_cached_with_their_common_strings_shared()
    {
        await using var api = await ApiServer.StartAsync();
        await api.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "mail" } });
        await CreateAsync(api, Enumerable.Range(0, 3));

        var cached = (await SyncAsync(api.Client, [])).Values.ToList();

        // Each object came from its own JSON text, so only the cache's sharing can make these one instance.
        Assert.Single(cached.Select(d => d.Metadata.NamespaceProperty).Distinct(ReferenceEqualityComparer.Instance));
        Assert.Single(cached.Select(d => d.Spec.ProviderRef.Name).Distinct(ReferenceEqualityComparer.Instance));
        Assert.Equal(3, cached.Select(d => d.Spec.Domain).Distinct(ReferenceEqualityComparer.Instance).Count());
    }

    [Fact]
    public async Task A_watch_event_for_a_cached_object_hands_on_the_key_instance_the_cache_already_holds()
    {
        await using var api = await ApiServer.StartAsync();
        await api.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "mail" } });
        await CreateAsync(api, [0]);
        var keys = new ConcurrentQueue<string>();
        var changedTwice = new TaskCompletionSource();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var informer = Watching(
            api.Client,
            key =>
            {
                keys.Enqueue(key);
                if (keys.Count == 2)
                {
                    changedTwice.TrySetResult();
                }
            }
        );
        var running = informer.RunAsync(stop.Token);
        await informer.Synced.WaitAsync(stop.Token);

        var sds = new GenericClient(api.Client, "maildns.io", "v1alpha1", "sendingdomains", disposeClient: false);
        await sds.PatchNamespacedAsync<SendingDomain>(
            new V1Patch("""{"metadata":{"labels":{"team":"mail"}}}""", V1Patch.PatchType.MergePatch),
            "mail",
            Domain(0).Metadata.Name,
            stop.Token
        );
        await changedTwice.Task.WaitAsync(stop.Token);
        await stop.CancelAsync();
        await running;

        // Each event's JSON names the object anew; those handed the key keep it (work queue, metrics), so one copy, not two.
        var (listed, watched) = (keys.First(), keys.Last());
        Assert.Equal("mail/d0000", watched);
        Assert.Same(listed, watched);
        Assert.Same(listed, informer.Cache.Keys.Single());
    }

    [Fact]
    public async Task When_the_continue_token_expires_between_pages_the_list_starts_over_whole_and_misses_nothing()
    {
        await using var api = await ApiServer.StartAsync(historyCapacity: 50);
        await api.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "mail" } });
        var count = InformerSource.PageSize + 10;
        await CreateAsync(api, Enumerable.Range(0, count));
        // Before the second page is asked for, enough writes go by that the first page's version leaves the history.
        using var client = new k8s.Kubernetes(
            new KubernetesClientConfiguration { Host = api.Host.BaseAddress.ToString() },
            new BeforeContinue(() => CreateAsync(api, Enumerable.Range(count, 60)))
        );
        var mark = api.Host.Requests.Count;
        var changed = new ConcurrentBag<string>();

        var cache = await SyncAsync(client, changed);

        Assert.Equal(count + 60, cache.Count);
        var lists = api
            .Host.Requests.Skip(mark)
            .Where(r => r.Verb == "list" && r.Resource == "sendingdomains")
            .Select(r => r.Status)
            .ToList();
        Assert.Equal([200, 410, 200], lists);
    }

    private static SendingDomain Applied(int i)
    {
        var domain = Domain(i);
        domain.Metadata.Annotations = new Dictionary<string, string>
        {
            [Informer<SendingDomain>.LastAppliedAnnotation] = KubernetesJson.Serialize(Domain(i)),
            ["maildns.io/check-requested-at"] = "2026-12-02T10:00:00Z",
        };
        domain.Metadata.ManagedFields =
        [
            new V1ManagedFieldsEntry
            {
                Manager = "kubectl-client-side-apply",
                Operation = "Update",
                ApiVersion = "maildns.io/v1alpha1",
                FieldsType = "FieldsV1",
                FieldsV1 = new Dictionary<string, object> { ["f:spec"] = new Dictionary<string, object> { ["f:domain"] = new() } },
            },
        ];
        return domain;
    }

    [Fact]
    public async Task The_cache_keeps_neither_managed_fields_nor_the_last_applied_copy_but_every_other_annotation()
    {
        await using var api = await ApiServer.StartAsync();
        await api.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "mail" } });
        var sds = new GenericClient(api.Client, "maildns.io", "v1alpha1", "sendingdomains", disposeClient: false);
        await sds.CreateNamespacedAsync(Applied(1), "mail");
        var stored = await sds.ReadNamespacedAsync<SendingDomain>("mail", "d0001");
        Assert.NotNull(stored.Metadata.ManagedFields); // the server keeps both, so the cache has something to drop
        Assert.Contains(Informer<SendingDomain>.LastAppliedAnnotation, stored.Metadata.Annotations.Keys);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var watched = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var informer = Watching(
            api.Client,
            key =>
            {
                if (key == "mail/d0002")
                {
                    watched.TrySetResult();
                }
            }
        );
        var running = informer.RunAsync(stop.Token);
        await informer.Synced.WaitAsync(stop.Token);

        await sds.CreateNamespacedAsync(Applied(2), "mail"); // one through the LIST, one through the WATCH
        await watched.Task.WaitAsync(stop.Token);
        await stop.CancelAsync();
        await running;

        Assert.Equal(["mail/d0001", "mail/d0002"], informer.Cache.Keys.Order(StringComparer.Ordinal));
        foreach (var cached in informer.Cache.Values)
        {
            Assert.Null(cached.Metadata.ManagedFields);
            Assert.Equal(["maildns.io/check-requested-at"], cached.Metadata.Annotations.Keys);
            Assert.Equal($"d{cached.Metadata.Name[^1..]}.example.org", cached.Spec.Domain);
        }
    }

    /// <summary>Runs an action once, just before the first request that carries a continue token.</summary>
    private sealed class BeforeContinue(Func<Task> action) : DelegatingHandler
    {
        private int done;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri!.Query.Contains("continue=", StringComparison.Ordinal) && Interlocked.Exchange(ref done, 1) == 0)
            {
                await action();
            }

            return await base.SendAsync(request, cancellationToken);
        }
    }
}
