using k8s;
using k8s.Autorest;
using k8s.Models;
using MailDns.Core.Api;
using MailDns.Testing;

// The typed WatchAsync<T, L> is marked obsolete in favour of WatchList...Async, which yields untyped objects;
// the typed reader is the one the operator's informer uses, so it is the one tested here.
#pragma warning disable CS0618

namespace MailDns.TestApiServer.Tests;

/// <summary>Watch semantics the operator's informer depends on, through KubernetesClient's own watch reader.</summary>
public class WatchTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private static SendingDomain Domain(string name, string team = "mail") =>
        new()
        {
            ApiVersion = "maildns.io/v1alpha1",
            Kind = "SendingDomain",
            Metadata = new V1ObjectMeta
            {
                Name = name,
                Labels = new Dictionary<string, string> { ["team"] = team },
            },
            Spec = new SendingDomainSpec
            {
                Domain = $"{name}.example.com",
                ProviderRef = new ProviderRef { Name = "zone" },
            },
        };

    private static Task<HttpOperationResponse<object>> Watch(
        Server server,
        string? resourceVersion = null,
        string? labelSelector = null,
        bool bookmarks = false,
        int? timeoutSeconds = null
    ) =>
        server.Client.CustomObjects.ListNamespacedCustomObjectWithHttpMessagesAsync(
            "maildns.io",
            "v1alpha1",
            "default",
            "sendingdomains",
            allowWatchBookmarks: bookmarks,
            labelSelector: labelSelector,
            resourceVersion: resourceVersion,
            timeoutSeconds: timeoutSeconds,
            watch: true
        );

    private static async Task<List<(WatchEventType Type, SendingDomain Object)>> TakeAsync(
        IAsyncEnumerable<(WatchEventType, SendingDomain)> events,
        int count,
        Func<Task>? afterFirstLine = null
    )
    {
        using var timeout = new CancellationTokenSource(Bound);
        var seen = new List<(WatchEventType, SendingDomain)>();
        await foreach (var e in events.WithCancellation(timeout.Token))
        {
            seen.Add(e);
            if (seen.Count == count)
            {
                break;
            }
        }

        return seen;
    }

    private static async Task<string> ListVersionAsync(Server server) =>
        (await server.SendingDomains.ListNamespacedAsync<SendingDomainList>("default")).Metadata.ResourceVersion;

    [Fact]
    public async Task A_watch_reports_added_modified_and_deleted_in_order_with_increasing_versions()
    {
        await using var server = await Server.StartAsync();
        var from = await ListVersionAsync(server);
        var created = await server.SendingDomains.CreateNamespacedAsync(Domain("a"), "default");
        await server.SendingDomains.PatchNamespacedAsync<SendingDomain>(
            new V1Patch("""{"spec":{"ttl":600}}""", V1Patch.PatchType.MergePatch),
            "default",
            "a"
        );
        await server.SendingDomains.DeleteNamespacedAsync<SendingDomain>("default", "a");

        var events = await TakeAsync(Watch(server, from).WatchAsync<SendingDomain, object>(), 3);

        Assert.Equal([WatchEventType.Added, WatchEventType.Modified, WatchEventType.Deleted], events.Select(e => e.Type));
        Assert.Equal(600, events[1].Object.Spec.Ttl);
        var versions = events
            .Select(e => long.Parse(e.Object.Metadata.ResourceVersion, System.Globalization.CultureInfo.InvariantCulture))
            .ToList();
        Assert.Equal(versions.Order(), versions);
        Assert.Equal(created.Metadata.Uid, events[2].Object.Metadata.Uid);
    }

    [Fact]
    public async Task A_watch_without_a_version_starts_with_the_current_objects_as_added()
    {
        await using var server = await Server.StartAsync();
        await server.SendingDomains.CreateNamespacedAsync(Domain("a"), "default");
        await server.SendingDomains.CreateNamespacedAsync(Domain("b"), "default");

        var events = await TakeAsync(Watch(server).WatchAsync<SendingDomain, object>(), 2);

        Assert.All(events, e => Assert.Equal(WatchEventType.Added, e.Type));
        Assert.Equal(["a", "b"], events.Select(e => e.Object.Metadata.Name).Order());
    }

    [Fact]
    public async Task A_watch_resumed_from_a_version_replays_only_what_came_after_it()
    {
        await using var server = await Server.StartAsync();
        await server.SendingDomains.CreateNamespacedAsync(Domain("before"), "default");
        var from = await ListVersionAsync(server);
        await server.SendingDomains.CreateNamespacedAsync(Domain("after"), "default");

        var events = await TakeAsync(Watch(server, from).WatchAsync<SendingDomain, object>(), 1);

        Assert.Equal("after", Assert.Single(events).Object.Metadata.Name);
    }

    [Fact]
    public async Task A_label_selector_filters_watch_events()
    {
        await using var server = await Server.StartAsync();
        var from = await ListVersionAsync(server);
        await server.SendingDomains.CreateNamespacedAsync(Domain("other", team: "web"), "default");
        await server.SendingDomains.CreateNamespacedAsync(Domain("mine"), "default");

        var events = await TakeAsync(Watch(server, from, labelSelector: "team=mail").WatchAsync<SendingDomain, object>(), 1);

        Assert.Equal("mine", Assert.Single(events).Object.Metadata.Name);
    }

    [Fact]
    public async Task Bookmarks_carry_the_current_resource_version_when_asked_for()
    {
        await using var server = await Server.StartAsync();
        server.Host.Faults.BookmarkInterval = TimeSpan.FromMilliseconds(50);
        await server.SendingDomains.CreateNamespacedAsync(Domain("a"), "default");
        var from = await ListVersionAsync(server);

        var events = await TakeAsync(Watch(server, from, bookmarks: true).WatchAsync<SendingDomain, object>(), 1);

        var bookmark = Assert.Single(events);
        Assert.Equal(WatchEventType.Bookmark, bookmark.Type);
        Assert.Equal(from, bookmark.Object.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task A_version_older_than_the_history_reaches_only_the_error_callback_as_410_and_a_relist_recovers()
    {
        await using var server = await Server.StartAsync(historyCapacity: 5);
        var from = await ListVersionAsync(server);
        for (var i = 0; i < 10; i++)
        {
            await server.SendingDomains.CreateNamespacedAsync(Domain($"d{i}"), "default");
        }

        var errors = new List<Exception>();
        var events = await TakeAsync(Watch(server, from).WatchAsync<SendingDomain, object>(errors.Add), 1);

        Assert.Empty(events);
        var status = Assert.IsType<KubernetesException>(Assert.Single(errors)).Status;
        Assert.Equal(410, status.Code);
        Assert.Equal("Expired", status.Reason);
        var relist = await server.SendingDomains.ListNamespacedAsync<SendingDomainList>("default");
        Assert.Equal(10, relist.Items.Count);
        await server.SendingDomains.CreateNamespacedAsync(Domain("next"), "default");
        var resumed = await TakeAsync(Watch(server, relist.Metadata.ResourceVersion).WatchAsync<SendingDomain, object>(), 1);
        Assert.Equal("next", Assert.Single(resumed).Object.Metadata.Name);
    }

    [Fact]
    public async Task A_forced_410_hits_the_next_resumed_watch_only()
    {
        await using var server = await Server.StartAsync();
        var from = await ListVersionAsync(server);
        server.Host.Store.ForceGone = true;

        var errors = new List<Exception>();
        Assert.Empty(await TakeAsync(Watch(server, from).WatchAsync<SendingDomain, object>(errors.Add), 1));
        Assert.Equal(410, Assert.IsType<KubernetesException>(Assert.Single(errors)).Status.Code);

        await server.SendingDomains.CreateNamespacedAsync(Domain("a"), "default");
        Assert.Single(await TakeAsync(Watch(server, from).WatchAsync<SendingDomain, object>(), 1));
    }

    [Fact]
    public async Task Timeout_seconds_ends_the_stream_and_so_does_an_injected_drop()
    {
        await using var server = await Server.StartAsync();
        var from = await ListVersionAsync(server);

        await AssertEndsWithoutEventsAsync(Watch(server, from, timeoutSeconds: 1));
        server.Host.Faults.DropWatchesAfter = TimeSpan.FromMilliseconds(200);
        await AssertEndsWithoutEventsAsync(Watch(server, from));

        Assert.Equal(2, server.Host.Requests.Count(r => r.Verb == "watch"));
    }

    /// <summary>
    /// A watch that closes before its first line surfaces in KubernetesClient as an HttpRequestException over
    /// EndOfStreamException (as it would with kube-apiserver); either way the stream has ended, which is what
    /// the informer must notice. A stream that never ends fails through the bound in TakeAsync.
    /// </summary>
    private static async Task AssertEndsWithoutEventsAsync(Task<HttpOperationResponse<object>> watch)
    {
        var events = new List<(WatchEventType, SendingDomain)>();
        var ended = await Record.ExceptionAsync(async () => events = await TakeAsync(watch.WatchAsync<SendingDomain, object>(), 1));
        Assert.Empty(events);
        if (ended is not null)
        {
            Assert.IsType<EndOfStreamException>(Assert.IsType<HttpRequestException>(ended).InnerException);
        }
    }
}
