using System.Collections.Concurrent;
using k8s;
using k8s.Models;
using MailDns.Core.Api;
using MailDns.Core.Dkim.Rotation;
using MailDns.Core.Dkim.Storage;
using MailDns.Core.Publishing;
using MailDns.Operator.Controllers;
using MailDns.Operator.Kubernetes;
using MailDns.Testing;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace MailDns.Operator.Tests.Kubernetes;

/// <summary>
/// Crash anywhere, through the operator: each schedule runs a domain through its first key and a whole rotation
/// while the operator "dies" at random API calls, just before a request leaves or just after its answer came back
/// but before the operator saw it. Crash points are weighted toward the writes that matter: half of the crashes hit
/// a write of the key Secret, a quarter a status write, a quarter any request. From the crash on, the dead operator
/// reaches nothing (every call fails), it is dropped without cleanup, and a new one (empty memory, same zone file)
/// starts. After every crash the four invariants of DESIGN.md are checked against the key Secret and the zone
/// file (the DNS data), from the first key on; invariant 1 is judged by when the zone first served the key, not by
/// the operator's own timestamps. The fake clock moves on only once the operator's queue is idle, so a loaded
/// machine slows the test down instead of changing what it sees.
/// </summary>
public class OperatorCrashTests(ITestOutputHelper output)
{
    private const int Schedules = 100;
    private const int Parallel = 4;
    private static readonly TimeSpan PropagationDelay = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan Step = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task Across_a_hundred_random_crash_schedules_the_rotation_invariants_hold_and_every_rotation_completes()
    {
        await using var api = await ApiServer.StartAsync();
        var crashes = new ConcurrentDictionary<string, int>();
        var generations = 0;
        await System.Threading.Tasks.Parallel.ForEachAsync(
            Enumerable.Range(1, Schedules),
            new ParallelOptions { MaxDegreeOfParallelism = Parallel },
            async (seed, _) =>
            {
                var count = await RunScheduleAsync(api, seed, crashes);
                Interlocked.Add(ref generations, count);
            }
        );

        output.WriteLine(
            $"{Schedules} schedules, {generations} operator starts, {crashes.Values.Sum()} crashes; at: "
                + string.Join(", ", crashes.OrderByDescending(c => c.Value).Select(c => $"{c.Key} {c.Value}"))
        );
        Assert.True(crashes.Values.Sum() >= Schedules * 3, "too few crashes were injected");
        Assert.Contains(crashes.Keys, k => k.StartsWith("after update secrets", StringComparison.Ordinal)); // a save that landed unseen
        Assert.Contains(crashes.Keys, k => k.StartsWith("before update secrets", StringComparison.Ordinal)); // a save that never left
    }

    /// <summary>One schedule in its own namespace and data directory; returns how many operators it started.</summary>
    private static async Task<int> RunScheduleAsync(ApiServer api, int seed, ConcurrentDictionary<string, int> crashes)
    {
        var random = new Random(seed);
        var ns = $"crash-{seed}";
        using var data = new TempDir();
        await SetUpAsync(api, ns);
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));
        var history = new History();
        var starts = 0;
        var crashesLeft = random.Next(4, 12);
        while (true)
        {
            starts++;
            var crash = crashesLeft > 0 ? CrashHandler.Random(random) : null;
            using var client = new k8s.Kubernetes(
                new KubernetesClientConfiguration { Host = api.Host.BaseAddress.ToString() },
                crash is null ? [] : [crash]
            );
            var controller = OperatorServices.Create(
                client,
                new ControllerOptions(ns, data.Path, []) { Backoff = new(TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(1)) },
                clock
            );
            using var stop = new CancellationTokenSource();
            var running = controller.RunAsync(stop.Token);
            var done = false;
            var steps = crash is null ? 2000 : 400; // the last, healthy operator gets room to finish on a loaded machine
            for (var i = 0; i < steps && !(crash?.Crashed ?? false) && !done; i++)
            {
                clock.Advance(Step);
                await UntilIdleAsync(controller, crash);
                done = await history.ObserveAsync(api, ns, data.Path, seed, clock.GetUtcNow());
            }

            await stop.CancelAsync();
            try
            {
                await running;
            }
            catch (OperationCanceledException)
            {
                // stopped before its caches were full
            }
            catch (Exception) when (crash?.Crashed ?? false)
            {
                // a dead operator's last words: its startup may have failed at the crash
            }

            await history.ObserveAsync(api, ns, data.Path, seed, clock.GetUtcNow());
            if (crash?.Crashed ?? false)
            {
                crashesLeft--;
                crashes.AddOrUpdate($"{(crash.After ? "after" : "before")} {crash.At}", 1, (_, n) => n + 1);
                continue;
            }

            Assert.True(done, $"seed {seed}: the rotation did not complete with a healthy operator: {history}");
            return starts;
        }
    }

    /// <summary>
    /// Until the operator's queue has been idle for a few looks in a row (a watch event may still be on its way),
    /// or it crashed; bounded, so a stuck operator fails the schedule instead of hanging it.
    /// </summary>
    private static async Task UntilIdleAsync(OperatorRuntime controller, CrashHandler? crash)
    {
        for (int looks = 0, quiet = 0; looks < 400 && quiet < 2 && !(crash?.Crashed ?? false); looks++)
        {
            quiet = controller.Synced && controller.Queue.Idle ? quiet + 1 : 0;
            await Task.Delay(2); // a look at the operator's state, not a wait for time to pass
        }
    }

    private static async Task SetUpAsync(ApiServer api, string ns)
    {
        await api.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } });
        var providers = new GenericClient(api.Client, ApiGroup.Name, ApiGroup.Version, "dnsproviders", disposeClient: false);
        await providers.CreateNamespacedAsync(Specs.ZoneFileProvider(ns, "zone", "example.com", "example.com.zone"), ns);
        var domain = Specs.Domain(ns, "mail", spec =>
        {
            spec.Ttl = 60;
            spec.Spf = new SpfSpec { Ip4 = ["192.0.2.1"] };
            spec.Dmarc = new DmarcSpec { Policy = "none" };
            spec.Dkim = new DkimSpec
            {
                Series = [new DkimSeriesSpec { Algorithm = "ed25519-sha256", SelectorPrefix = "ed" }],
                Rotation = new DkimRotationSpec { Interval = "1h", PropagationDelay = "2m", RetireAfter = "5m", RevokeFor = "5m" },
            };
        });
        var domains = new GenericClient(api.Client, ApiGroup.Name, ApiGroup.Version, "sendingdomains", disposeClient: false);
        await domains.CreateNamespacedAsync(domain, ns);
    }

    /// <summary>
    /// What the world showed across one schedule, checked at every look: the invariants, and whether the first
    /// rotation is complete (a second selector active and the first one deleted, its record gone).
    /// </summary>
    private sealed class History
    {
        private readonly Dictionary<string, string> publicKeys = new(StringComparer.Ordinal);
        private readonly HashSet<string> everActive = new(StringComparer.Ordinal);
        private readonly HashSet<string> deleted = new(StringComparer.Ordinal);
        private readonly Dictionary<string, DateTimeOffset> firstServed = new(StringComparer.Ordinal);
        private string? first;
        private string last = "";

        public override string ToString() => last;

        public async Task<bool> ObserveAsync(ApiServer api, string ns, string data, int seed, DateTimeOffset now)
        {
            // One consistent look while the operator works: the Secret unchanged from before the zone file was read
            // to after it (otherwise a key saved and published between the two reads looks like a served key without one).
            var zoneFile = Path.Combine(data, "zones", "example.com.zone");
            V1Secret? secret = await ReadKeySecretAsync(api, ns);
            IReadOnlyDictionary<string, IReadOnlyList<string>> zone;
            while (true)
            {
                zone = File.Exists(zoneFile)
                    ? ZoneFileEditor.Read(File.ReadAllText(zoneFile), "example.com")
                    : new Dictionary<string, IReadOnlyList<string>>();
                var after = await ReadKeySecretAsync(api, ns);
                if (after?.Metadata.ResourceVersion == secret?.Metadata.ResourceVersion)
                {
                    break;
                }

                secret = after;
            }

            // Before the first key Secret exists, nothing may be served at a selector: invariant 2 holds from the start.
            var keys = secret is null ? KeySet.Empty("mail.example.com") : KeySecret.Read(secret);
            string Served(string selector) =>
                zone.TryGetValue($"{selector}._domainkey.mail.example.com", out var v) ? string.Concat(v) : "";
            last =
                string.Join(", ", keys.State.Keys.Select(k => $"{k.Selector}={k.Phase}"))
                + " | zone: "
                + string.Join(", ", zone.Keys.Where(n => n.Contains("._domainkey.", StringComparison.Ordinal)));
            void Check(bool holds, string invariant, string what) =>
                Assert.True(holds, $"seed {seed}: invariant {invariant} broken: {what}; {last}");

            foreach (var key in keys.State.Keys.Where(k => Served(k.Selector).Contains(k.PublicKey, StringComparison.Ordinal)))
            {
                firstServed.TryAdd(key.Selector, now);
            }

            foreach (var key in keys.State.Keys)
            {
                // 3. A selector's key never changes, and a deleted selector never comes back.
                Check(
                    !publicKeys.TryGetValue(key.Selector, out var known) || known == key.PublicKey,
                    "3",
                    $"{key.Selector} has a new public key"
                );
                Check(!deleted.Contains(key.Selector), "3", $"{key.Selector} was deleted and reused");
                publicKeys[key.Selector] = key.PublicKey;
                if (key.Phase == KeyPhase.Active)
                {
                    // 1. Active only after being verified for at least the propagation delay, and still served.
                    Check(
                        key.VerifiedAt is { } verified && key.ActivatedAt >= verified + PropagationDelay,
                        "1",
                        $"{key.Selector} activated before the propagation delay"
                    );
                    Check(
                        Served(key.Selector).Contains(key.PublicKey, StringComparison.Ordinal),
                        "1",
                        $"active {key.Selector} is not served"
                    );

                    // As DNS saw it: served for the propagation delay before this look found it active. The zone is
                    // looked at once a step, so it may have been served up to a step before the first look saw it.
                    var served = firstServed.GetValueOrDefault(key.Selector, now);
                    Check(
                        everActive.Contains(key.Selector) || now >= served + PropagationDelay - Step,
                        "1",
                        $"{key.Selector} active at {now:t}, first served at {served:t}"
                    );
                    everActive.Add(key.Selector);
                    first ??= key.Selector;
                }
            }

            Check(keys.State.Keys.Count(k => k.Phase.IsPending()) <= 1, "3", "more than one pending key in the series");

            // 2. Every served, unrevoked record has its private key; a deleted key's record is gone.
            foreach (var name in zone.Keys.Where(n => n.EndsWith("._domainkey.mail.example.com", StringComparison.Ordinal)))
            {
                var selector = name[..name.IndexOf('.', StringComparison.Ordinal)];
                Check(
                    Served(selector).EndsWith("p=", StringComparison.Ordinal) || keys.PrivateKeys.ContainsKey(selector),
                    "2",
                    $"{selector} is served but its private key is gone"
                );
            }

            foreach (var gone in publicKeys.Keys.Where(s => keys.State.Find(s) is null))
            {
                Check(Served(gone).Length == 0, "2", $"{gone}'s key was deleted while its record is served");

                // 4. No second key for one step: every key that went away had been the active one.
                Check(everActive.Contains(gone), "4", $"{gone} was generated and dropped without ever signing");
                deleted.Add(gone);
            }

            return first is not null && deleted.Contains(first) && keys.State.Active.Any(k => k.Selector != first);
        }

        private static async Task<V1Secret?> ReadKeySecretAsync(ApiServer api, string ns)
        {
            try
            {
                return await api.Client.CoreV1.ReadNamespacedSecretAsync("mail-dkim", ns);
            }
            catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                return null;
            }
        }
    }

    /// <summary>
    /// Kills the operator's API access at the Nth request of a kind (a key Secret write, a status write, or any
    /// request): before it is sent, or after the server answered but before the operator sees the answer. Every
    /// later request fails too, as a dead process sends nothing.
    /// </summary>
    private sealed class CrashHandler(Func<HttpRequestMessage, bool> counts, int at, bool after) : DelegatingHandler
    {
        private int sent;
        private volatile bool crashed;

        public bool Crashed => crashed;

        public bool After => after;

        /// <summary>The request the crash hit, as "verb resource".</summary>
        public string At { get; private set; } = "";

        /// <summary>Half the crashes at a key Secret write, a quarter at a status write, a quarter at any request.</summary>
        public static CrashHandler Random(Random random) =>
            random.Next(4) switch
            {
                0 or 1 => new CrashHandler(IsSecretWrite, random.Next(1, 5), random.Next(2) == 0),
                2 => new CrashHandler(IsStatusWrite, random.Next(1, 5), random.Next(2) == 0),
                _ => new CrashHandler(_ => true, random.Next(1, 40), random.Next(2) == 0),
            };

        private static bool IsSecretWrite(HttpRequestMessage request) =>
            request.Method != HttpMethod.Get && request.RequestUri!.AbsolutePath.Contains("/secrets", StringComparison.Ordinal);

        private static bool IsStatusWrite(HttpRequestMessage request) =>
            request.Method == HttpMethod.Patch && request.RequestUri!.AbsolutePath.EndsWith("/status", StringComparison.Ordinal);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (crashed)
            {
                throw new HttpRequestException("the operator is dead");
            }

            var hit = counts(request) && Interlocked.Increment(ref sent) == at;
            if (hit && !after)
            {
                Die(request);
                throw new HttpRequestException("the operator died before sending");
            }

            var response = await base.SendAsync(request, cancellationToken);
            if (hit)
            {
                Die(request);
                response.Dispose();
                throw new HttpRequestException("the operator died before reading the answer");
            }

            return response;
        }

        private void Die(HttpRequestMessage request)
        {
            var path = request.RequestUri!.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
            var resource = path.Length >= 2 && path[^2] is "secrets" or "sendingdomains" or "events" ? path[^2] : path[^1];
            var verb = request.RequestUri.Query.Contains("watch=true", StringComparison.Ordinal)
                ? "watch"
                : request.Method.Method switch
                {
                    "GET" => path[^1] is "secrets" or "sendingdomains" or "dnsproviders" or "clusterdnsproviders" ? "list" : "get",
                    "POST" => "create",
                    "PUT" => "update",
                    "PATCH" => "patch",
                    "DELETE" => "delete",
                    var other => other,
                };
            At = $"{verb} {(path[^1] == "status" ? "sendingdomains/status" : resource)}";
            crashed = true;
        }
    }
}
