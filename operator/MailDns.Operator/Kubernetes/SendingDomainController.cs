using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using MailDns.Core.Api;
using MailDns.Core.Dkim.Storage;
using MailDns.Core.Findings;
using MailDns.Core.Names;
using MailDns.Core.Publishing;
using MailDns.Core.Validation;
using MailDns.Operator.Publishing;
using MailDns.Operator.Reconcile;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailDns.Operator.Kubernetes;

/// <summary>Where the controller runs and what it may use.</summary>
public sealed record ControllerOptions(string? Namespace, string DataDirectory, IReadOnlyList<IPEndPoint> Nameservers, int Workers = 4)
{
    public TimeSpan Resync { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How a failed reconcile is retried: exponential with jitter, capped.</summary>
    public Core.Operations.Backoff Backoff { get; init; } = Core.Operations.Backoff.Default;

    /// <summary>The pulumi CLI that publishes Pulumi providers' stacks.</summary>
    public string PulumiExecutable { get; init; } = "pulumi";

    /// <summary>How long requests for one stack gather before they share a run.</summary>
    public TimeSpan PulumiWindow { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Stacks updated at once.</summary>
    public int PulumiParallel { get; init; } = 2;

    /// <summary>How long reconciles under way may take to finish once the operator is told to stop.</summary>
    public TimeSpan ShutdownGrace { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// The SendingDomain controller: informers for SendingDomains and their providers feed a work queue; each
/// reconcile adds the finalizer, validates the spec (an invalid one gets Ready=False InvalidSpec and no retry
/// until it changes), runs the <see cref="DomainReconciler"/> with the keys in a Secret, writes the status
/// through the status subresource only when it changed, records an event when Ready changes, and on deletion
/// removes what it published (deletionPolicy Delete) or leaves records and keys (Retain) before letting go.
/// </summary>
public sealed class SendingDomainController
{
    public const string Finalizer = "maildns.io/records";
    private const string Group = "maildns.io";
    private const string Version = "v1alpha1";
    private readonly IKubernetes client;
    private readonly ControllerOptions options;
    private readonly TimeProvider time;
    private readonly Informer<SendingDomain> domains;
    private readonly Informer<DnsProvider> providers;
    private readonly Informer<ClusterDnsProvider> clusterProviders;
    private readonly Informer<V1Secret> secrets;
    private readonly WorkQueue<string> queue;
    private readonly OwnWrites<SendingDomain> ownWrites = new();
    private ProviderStores stores;

    private readonly OperatorMetrics? metrics;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Core.Health.HealthReport> healthReports = new(StringComparer.Ordinal);
    private Health.HealthCheckScheduler? healthScheduler;

    private readonly ILogger logger;

    public SendingDomainController(IKubernetes client, ControllerOptions options, TimeProvider time, OperatorMetrics? metrics = null, ILogger? logger = null)
    {
        this.client = client;
        this.options = options;
        this.time = time;
        this.metrics = metrics;
        this.logger = logger ?? NullLogger.Instance;
        stores = NewStores();
        queue = new WorkQueue<string>(ReconcileAsync, time, options.Backoff);
        queue.Failed += (key, count, delay, error) =>
        {
            metrics?.Failed();
            this.logger.LogWarning("reconcile of {Key} failed ({Failures} in a row), retrying in {RetryInSeconds:F1} s: {Reason}: {Error}",
                key, count, delay.TotalSeconds, (error as ReconcileException)?.Reason ?? error.GetType().Name, error.Message);
        };
        queue.Stopping += underWay => this.logger.LogInformation("stopping: {UnderWay} reconcile(s) under way get {GraceSeconds} s to finish", underWay, options.ShutdownGrace.TotalSeconds);
        domains = new Informer<SendingDomain>(client, Group, Version, "sendingdomains", options.Namespace, DomainChanged, options.Resync);
        providers = new Informer<DnsProvider>(client, Group, Version, "dnsproviders", options.Namespace, ProviderChanged, options.Resync);
        clusterProviders = new Informer<ClusterDnsProvider>(client, Group, Version, "clusterdnsproviders", null, ProviderChanged, options.Resync);
        secrets = new Informer<V1Secret>(InformerSource.Secrets(client, options.Namespace), SecretChanged, options.Resync, InformerSource.MetadataOnly);
        domains.Failed += e => InformerFailed("sendingdomains", e);
        providers.Failed += e => InformerFailed("dnsproviders", e);
        clusterProviders.Failed += e => InformerFailed("clusterdnsproviders", e);
        secrets.Failed += e => InformerFailed("secrets", e);
    }

    private void InformerFailed(string resource, Exception e) =>
        logger.LogWarning("list/watch of {Resource} failed, listing again: {Error}", resource, e.Message);

    public WorkQueue<string> Queue => queue;

    /// <summary>True once every cache has been filled by its first LIST (readiness).</summary>
    public bool Synced => domains.Synced.IsCompleted && providers.Synced.IsCompleted && clusterProviders.Synced.IsCompleted && secrets.Synced.IsCompleted;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await using var scheduler = await Health.HealthCheckScheduler.StartAsync(new HealthRunner(this), time, options.Workers * 4, cancellationToken).ConfigureAwait(false);
        healthScheduler = scheduler;
        stores = NewStores(); // a new term of leadership starts from what the API server says, not from a past term's memory
        providerSecrets.Clear();
        var informers = Task.WhenAll(providers.RunAsync(cancellationToken), clusterProviders.RunAsync(cancellationToken), secrets.RunAsync(cancellationToken), domains.RunAsync(cancellationToken));

        // Every cache full before the first reconcile: a Pulumi stack is rendered from all of its domains.
        await Task.WhenAll(providers.Synced, clusterProviders.Synced, secrets.Synced, domains.Synced).WaitAsync(cancellationToken).ConfigureAwait(false);
        await Task.WhenAll(informers, queue.RunAsync(options.Workers, cancellationToken, options.ShutdownGrace)).ConfigureAwait(false);
    }

    private ProviderStores NewStores() => new(options.DataDirectory, ReadSecret, new Publishing.Pulumi.PulumiStacks(
        new Publishing.Pulumi.PulumiPublisher(new Publishing.Pulumi.PulumiCli(options.PulumiExecutable)), PublishedToStack, options.PulumiWindow, options.PulumiParallel, time));

    /// <summary>What the domains on a stack published, as their statuses record it: where a stack's program starts.</summary>
    private List<Core.Records.DesiredRecord> PublishedToStack(string stack) =>
        domains.Cache.Values
            .Where(sd => ResolveProvider(sd) is { Pulumi: not null } provider && Core.Publishing.Pulumi.PulumiStack.NameFor(sd, provider) == stack)
            .SelectMany(sd => (sd.Status?.Records ?? []).Select(r => new Core.Records.DesiredRecord(DomainName.Normalize(r.Name), r.Ttl, r.Value, Core.Records.DesiredRecord.PurposeFromText(r.Purpose), sd.Key)))
            .ToList();

    /// <summary>
    /// A scheduled health check: gathers and evaluates, keeps the report, and queues the domain so the status is
    /// written by its reconcile (one writer of status per domain, never two racing).
    /// </summary>
    private sealed class HealthRunner(SendingDomainController controller) : Health.IHealthCheckRunner
    {
        public async Task RunAsync(string key, CancellationToken cancellationToken)
        {
            // The freshest copy: the check right after a publish runs before the watch brings the status that lists the records.
            if (!controller.domains.Cache.TryGetValue(key, out var cached) || controller.ownWrites.Freshest(key, cached) is not { Status.Records: { Count: > 0 } records } sd)
            {
                return;
            }

            var name = DomainName.Normalize(sd.Spec.Domain);
            var expected = new Core.Health.HealthExpectation(
                records.Select(r => new Core.Records.DesiredRecord(DomainName.Normalize(r.Name), r.Ttl, r.Value, Core.Records.DesiredRecord.PurposeFromText(r.Purpose), key, SelectorOf(r.Name, name))).ToList(),
                sd.Spec.Dmarc?.Policy);
            var configured = (sd.Spec.HealthCheck?.Nameservers ?? []).ToList();
            if (configured.Count == 0 && controller.options.Nameservers.Count == 0 && controller.ResolveProvider(sd)?.ZoneFile is not null)
            {
                return; // a zone file is served by servers the operator does not know: nothing to ask without nameservers
            }

            var (targets, error) = configured.Count > 0 || controller.options.Nameservers.Count == 0
                ? await Health.HealthTargetsResolver.ResolveAsync(name, configured, TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false)
                : (new Health.HealthTargets(controller.options.Nameservers, controller.options.Nameservers), null);
            var report = await new Health.HealthGatherer(new Health.DnsClientQuery()).CheckAsync(name, [], expected, targets, cancellationToken).ConfigureAwait(false);
            if (error is not null)
            {
                report = report with { Checks = [Core.Health.CheckResult.Unknown("dns.authoritative", error), .. report.Checks.Where(c => c.Id != "dns.authoritative")] };
            }

            controller.healthReports[key] = report;
            controller.metrics?.Health.Record(key, report, controller.time.GetUtcNow());
            controller.queue.Add(key);
        }

        private static string? SelectorOf(string recordName, string domain)
        {
            var normalized = DomainName.Normalize(recordName);
            var suffix = "._domainkey." + domain;
            return normalized.EndsWith(suffix, StringComparison.Ordinal) ? normalized[..^suffix.Length] : null;
        }
    }

    private readonly Dictionary<string, string> seen = new(StringComparer.Ordinal);

    /// <summary>
    /// Only changes that need a reconcile queue one: a new generation (spec), deletion, or the finalizer. The
    /// controller's own status writes come back as watch events too, and must not start a reconcile loop.
    /// </summary>
    private void DomainChanged(string key)
    {
        var sd = domains.Cache.GetValueOrDefault(key);
        ownWrites.Observed(key, sd);
        var signature = Signature(sd);
        lock (seen)
        {
            if (seen.TryGetValue(key, out var last) && last == signature)
            {
                return;
            }

            seen[key] = signature;
        }

        queue.Add(key);
    }

    private static string Signature(SendingDomain? sd, bool? withFinalizer = null) => sd is null
        ? "gone"
        : $"{sd.Metadata.Generation}|{sd.Metadata.DeletionTimestamp is not null}|{withFinalizer ?? (sd.Metadata.Finalizers ?? []).Contains(Finalizer)}|{sd.Metadata.Uid}";

    /// <summary>A provider change requeues every SendingDomain that uses it.</summary>
    private void ProviderChanged(string providerKey)
    {
        foreach (var (key, sd) in domains.Cache)
        {
            var reference = sd.Spec.ProviderRef;
            var refKey = (reference.Kind ?? Defaults.ProviderKind) == ClusterDnsProvider.KindName ? reference.Name : $"{sd.Metadata.NamespaceProperty}/{reference.Name}";
            if (refKey == providerKey)
            {
                queue.Add(key);
            }
        }
    }

    /// <summary>
    /// Ready=False reasons a retry cannot mend: the next reconcile comes from a change to the SendingDomain, its
    /// provider, a Secret they reference or its key Secret, which the informers watch.
    /// </summary>
    private static readonly HashSet<string> WaitsForAChange = new(StringComparer.Ordinal)
    {
        "InvalidSpec", PublishException.CredentialsRejected, "ProviderNotFound", "SecretNotFound", "InvalidSecret", "InvalidKeySecret", "ProviderUnsupported",
    };

    private readonly Dictionary<string, string> secretVersions = new(StringComparer.Ordinal);

    /// <summary>The resourceVersion of each key Secret as this operator last wrote it, so its own writes requeue nothing.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> keySecretWrites = new(StringComparer.Ordinal);

    /// <summary>
    /// A referenced Secret (TSIG key, Pulumi credentials or passphrase) that changed requeues the domains whose
    /// provider reads it; a DKIM key Secret that someone else changed or deleted requeues its domain. The first sight of a Secret (the
    /// initial LIST) queues nothing: the domains are queued by their own informer; a Secret created later does.
    /// </summary>
    private void SecretChanged(string key)
    {
        var exists = secrets.Cache.TryGetValue(key, out var secret);
        lock (secretVersions)
        {
            var known = secretVersions.TryGetValue(key, out var version);
            if (exists)
            {
                secretVersions[key] = secret!.Metadata.ResourceVersion ?? "";
                if (known ? version == secret.Metadata.ResourceVersion : !secrets.Synced.IsCompleted)
                {
                    return; // unchanged, or part of the first LIST
                }
            }
            else if (!secretVersions.Remove(key))
            {
                return;
            }
        }

        // A key Secret someone else changed (or deleted) is read again at once: a damaged one is reported, not left for the next rotation step.
        var ourWrite = exists && keySecretWrites.TryGetValue(key, out var written) && written == secret!.Metadata.ResourceVersion;
        foreach (var (domainKey, sd) in domains.Cache)
        {
            var ns = sd.Metadata.NamespaceProperty ?? "default";
            var keySecretChanged = !ourWrite && key == $"{ns}/{KeySecret.NameFor(sd)}";
            if (keySecretChanged || (ResolveProvider(sd) is { } provider && ProviderSecrets.Referenced(provider, ns).Contains(key)))
            {
                queue.Add(domainKey);
            }
        }
    }

    private async Task<ReconcileOutcome> ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        if (!domains.Cache.TryGetValue(key, out var domain))
        {
            metrics?.Forget(key);
            healthReports.TryRemove(key, out _);
            if (healthScheduler is not null)
            {
                await healthScheduler.RemoveAsync(key, cancellationToken).ConfigureAwait(false);
            }

            return ReconcileOutcome.Done; // deleted; its finalizer already ran
        }

        domain = ownWrites.Freshest(key, domain);
        var started = time.GetTimestamp();
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["key"] = key, ["generation"] = domain.Metadata.Generation ?? 0 });

        var provider = ResolveProvider(domain);
        if (domain.Metadata.DeletionTimestamp is not null)
        {
            await FinalizeAsync(domain, provider, cancellationToken).ConfigureAwait(false);
            return ReconcileOutcome.Done;
        }

        if (!(domain.Metadata.Finalizers ?? []).Contains(Finalizer))
        {
            // This reconcile goes on with the finalizer in place, so the watch event of the patch needs no second
            // one. Noted before the patch, as the event may arrive before its answer; if the patch fails, the
            // reconcile fails and is retried, and a new spec or a deletion still differs from this signature.
            lock (seen)
            {
                seen[key] = Signature(domain, withFinalizer: true);
            }

            domain = await PatchAsync(domain, new JsonObject { ["metadata"] = new JsonObject { ["finalizers"] = new JsonArray([.. (domain.Metadata.Finalizers ?? []).Select(f => (JsonNode)f), Finalizer]), ["resourceVersion"] = domain.Metadata.ResourceVersion } }, cancellationToken).ConfigureAwait(false);
        }

        var previous = Clone(domain.Status);
        var errors = SendingDomainValidator.Validate(domain, provider).Where(f => f.Severity == Severity.Error).ToList();
        if (errors.Count == 0 && domain.Spec.HealthCheck?.Schedule is { } cron && Health.HealthCheckScheduler.InvalidSchedule(cron) is { } why)
        {
            // The schema and the rules see six fields; only Quartz knows whether they make a schedule.
            errors.Add(Finding.Error("health.invalid-schedule", $"schedule '{cron}' is not a Quartz cron expression: {why}", "spec.healthCheck.schedule"));
        }

        SendingDomainStatus status;
        DateTimeOffset? requeue = null;
        if (errors.Count > 0)
        {
            // No retry until the spec changes: the watch brings the next generation.
            status = Clone(domain.Status) ?? new SendingDomainStatus();
            status.ObservedGeneration = domain.Metadata.Generation;
            var conditions = status.Conditions?.ToList() ?? [];
            Conditions.Upsert(conditions, [Conditions.Make("Ready", "False", "InvalidSpec", string.Join("; ", errors.Select(f => $"{f.Path}: {f.Message} ({f.Code})")), domain.Metadata.Generation ?? 1, time.GetUtcNow(), conditions)]);
            status.Conditions = conditions;
        }
        else
        {
            var result = await new DomainReconciler(options.Nameservers, time, checkHealth: false)
                .ReconcileAsync(domain, provider, stores, new SecretKeyStore(client, _ => domain, (secret, version) => keySecretWrites[secret] = version), OwnedBy(domain), Clone(domain.Status), cancellationToken).ConfigureAwait(false);
            status = result.Status;
            requeue = result.RequeueAt;
            if (healthReports.TryGetValue(key, out var report))
            {
                // The checks' own verdict: every authoritative server, not just the store the publisher wrote to.
                var now = time.GetUtcNow();
                var conditions = status.Conditions?.ToList() ?? [];
                Conditions.Upsert(conditions, Core.Health.HealthOutcome.Conditions(report, domain.Metadata.Generation ?? 1, now, previous?.Conditions));
                status.Conditions = conditions;
                foreach (var change in Core.Health.HealthOutcome.Transitions(previous?.Health, report).Take(10))
                {
                    await EventAsync(domain, change.To is Core.Health.CheckStatus.Fail ? "Warning" : "Normal", "HealthCheckChanged",
                        $"{change.Id}{(change.Selector is null ? "" : $" [{change.Selector}]")}{(change.Server is null ? "" : $" at {change.Server}")}: {change.From?.ToString().ToLowerInvariant() ?? "new"} -> {change.To.ToString().ToLowerInvariant()}: {change.Message}", cancellationToken).ConfigureAwait(false);
                }

                status.Health = Core.Health.HealthOutcome.Status(report, now, healthScheduler is null ? null : await healthScheduler.NextCheckAsync(key, cancellationToken).ConfigureAwait(false));
            }

            if (healthScheduler is not null)
            {
                await healthScheduler.ScheduleAsync(key, domain.Spec.HealthCheck?.Schedule ?? "0 0/15 * * * ?", cancellationToken).ConfigureAwait(false);
                if ((result.Status.Publish?.Created ?? 0) + (result.Status.Publish?.Updated ?? 0) + (result.Status.Publish?.Deleted ?? 0) > 0)
                {
                    await healthScheduler.CheckNowAsync(key, cancellationToken).ConfigureAwait(false); // right after each publish
                }
            }
        }

        await WriteStatusAsync(domain, previous, status, cancellationToken).ConfigureAwait(false);
        metrics?.Reconciled(key, status, time.GetElapsedTime(started), time.GetUtcNow());
        if (status.Conditions?.FirstOrDefault(c => c.Type == "Ready") is { Status: "False" } notReady && !WaitsForAChange.Contains(notReady.Reason))
        {
            // The status says why; the queue retries with backoff, so a failure is never dropped.
            throw new ReconcileException(notReady.Reason, $"{key}: {notReady.Message}");
        }
        return ReconcileOutcome.At(requeue is { } at && at < time.GetUtcNow() + options.Resync ? at : time.GetUtcNow() + options.Resync);
    }

    private DnsProviderSpec? ResolveProvider(SendingDomain domain)
    {
        var reference = domain.Spec.ProviderRef;
        return (reference.Kind ?? Defaults.ProviderKind) == ClusterDnsProvider.KindName
            ? clusterProviders.Cache.GetValueOrDefault(reference.Name)?.Spec
            : providers.Cache.GetValueOrDefault($"{domain.Metadata.NamespaceProperty}/{reference.Name}")?.Spec;
    }

    private async Task FinalizeAsync(SendingDomain domain, DnsProviderSpec? provider, CancellationToken cancellationToken)
    {
        if (!(domain.Metadata.Finalizers ?? []).Contains(Finalizer))
        {
            return;
        }

        var ns = domain.Metadata.NamespaceProperty ?? "default";
        if (domain.Spec.DeletionPolicy == "Delete")
        {
            if (provider is null)
            {
                throw new InvalidOperationException($"{domain.Key}: deletionPolicy Delete needs its provider to remove the records, and it was not found");
            }

            var (store, _) = stores.For(domain, provider);
            var removed = await new RecordPublisher(store).ApplyAsync([], OwnedBy(domain), adopt: false, cancellationToken).ConfigureAwait(false);
            if (!removed.Succeeded)
            {
                throw new PublishException($"{domain.Key}: removing its records: {string.Join("; ", removed.Failures.Select(f => f.Error))}");
            }

            await IgnoreNotFound(() => client.CoreV1.DeleteNamespacedSecretAsync(KeySecret.NameFor(domain), ns, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
        else
        {
            // Retain: the keys outlive the SendingDomain, so the Secret must not be garbage-collected with it.
            await IgnoreNotFound(() => client.CoreV1.PatchNamespacedSecretAsync(new V1Patch("""{"metadata":{"ownerReferences":null}}""", V1Patch.PatchType.MergePatch), KeySecret.NameFor(domain), ns, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }

        await PatchAsync(domain, new JsonObject { ["metadata"] = new JsonObject { ["finalizers"] = new JsonArray(domain.Metadata.Finalizers!.Where(f => f != Finalizer).Select(f => (JsonNode)f).ToArray()), ["resourceVersion"] = domain.Metadata.ResourceVersion } }, cancellationToken).ConfigureAwait(false);
        logger.LogInformation("{Key} finalized (deletionPolicy {Policy})", domain.Key, domain.Spec.DeletionPolicy ?? "Retain");
        await EventAsync(domain, "Normal", "Finalized", domain.Spec.DeletionPolicy == "Delete" ? "removed the records and keys it published" : "left its records and keys in place (deletionPolicy Retain)", cancellationToken).ConfigureAwait(false);
    }

    private async Task WriteStatusAsync(SendingDomain domain, SendingDomainStatus? previous, SendingDomainStatus status, CancellationToken cancellationToken)
    {
        if (Comparable(previous) == Comparable(status))
        {
            return; // unchanged: no write, so no watch event and no reconcile loop
        }

        var patch = new JsonObject { ["status"] = JsonNode.Parse(KubernetesJson.Serialize(status)) };
        var written = await client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), Group, Version, domain.Metadata.NamespaceProperty, "sendingdomains", domain.Metadata.Name, cancellationToken: cancellationToken).ConfigureAwait(false);
        Wrote(domain, written);
        var before = previous?.Conditions?.FirstOrDefault(c => c.Type == "Ready");
        var after = status.Conditions?.FirstOrDefault(c => c.Type == "Ready");
        if (after is not null && (before?.Status != after.Status || before?.Reason != after.Reason))
        {
            logger.LogInformation("{Key} Ready={Ready} ({Reason}): {Message}", domain.Key, after.Status, after.Reason, after.Message);
            await EventAsync(domain, after.Status == "True" ? "Normal" : "Warning", after.Reason, after.Message, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Status without the times that move on every run, so an unchanged domain is recognised as unchanged.</summary>
    private static string Comparable(SendingDomainStatus? status)
    {
        var json = JsonNode.Parse(KubernetesJson.Serialize(status ?? new SendingDomainStatus()))!;
        json["publish"]?.AsObject().Remove("lastRunTime");
        json["health"]?.AsObject().Remove("lastCheckTime");
        json["health"]?.AsObject().Remove("nextCheckTime");
        return json.ToJsonString();
    }

    private async Task EventAsync(SendingDomain domain, string type, string reason, string message, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var ev = new Eventsv1Event
        {
            Metadata = new V1ObjectMeta { GenerateName = domain.Metadata.Name + ".", NamespaceProperty = domain.Metadata.NamespaceProperty },
            EventTime = now,
            ReportingController = "maildns.io/operator",
            ReportingInstance = Environment.MachineName,
            Action = "Reconcile",
            Reason = reason,
            Note = message.Length > 1024 ? message[..1021] + "..." : message,
            Type = type,
            Regarding = new V1ObjectReference { ApiVersion = domain.ApiVersion, Kind = domain.Kind, Name = domain.Metadata.Name, NamespaceProperty = domain.Metadata.NamespaceProperty, Uid = domain.Metadata.Uid },
        };
        await client.EventsV1.CreateNamespacedEventAsync(ev, domain.Metadata.NamespaceProperty, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private async Task<SendingDomain> PatchAsync(SendingDomain domain, JsonObject patch, CancellationToken cancellationToken)
    {
        var result = await client.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), Group, Version, domain.Metadata.NamespaceProperty, "sendingdomains", domain.Metadata.Name, cancellationToken: cancellationToken).ConfigureAwait(false);
        return Wrote(domain, result);
    }

    private SendingDomain Wrote(SendingDomain from, object response)
    {
        var written = KubernetesJson.Deserialize<SendingDomain>(((System.Text.Json.JsonElement)response).GetRawText());
        ownWrites.Wrote(from.Key, from, written, () => domains.Cache.GetValueOrDefault(from.Key));
        return written;
    }

    /// <summary>Provider Secrets read (TSIG keys, Pulumi credentials), by namespace/name, with the resourceVersion read.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (string Version, Dictionary<string, string> Data)> providerSecrets = new(StringComparer.Ordinal);

    /// <summary>
    /// A provider's Secret: read once, then again only when the Secret informer shows a new resourceVersion (it
    /// keeps metadata only, so the values are read here), instead of one GET per reconcile.
    /// </summary>
    private Dictionary<string, string>? ReadSecret(string ns, string name)
    {
        var key = $"{ns}/{name}";
        var current = secrets.Cache.GetValueOrDefault(key)?.Metadata.ResourceVersion;
        if (current is not null && providerSecrets.TryGetValue(key, out var known) && known.Version == current)
        {
            return known.Data;
        }

        try
        {
            var secret = client.CoreV1.ReadNamespacedSecret(name, ns);
            var data = (secret.Data ?? new Dictionary<string, byte[]>()).ToDictionary(p => p.Key, p => System.Text.Encoding.UTF8.GetString(p.Value), StringComparer.Ordinal);
            providerSecrets[key] = (secret.Metadata.ResourceVersion, data);
            return data;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            providerSecrets.TryRemove(key, out _);
            return null;
        }
    }

    private static async Task IgnoreNotFound(Func<Task> call)
    {
        try
        {
            await call().ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
        }
    }

    /// <summary>What the domain published, as its status records it: what a later reconcile may replace or delete.</summary>
    private static List<OwnedRecord> OwnedBy(SendingDomain domain) =>
        (domain.Status?.Records ?? []).Select(r => new OwnedRecord(DomainName.Normalize(r.Name), r.Value, domain.Key)).ToList();

    private static SendingDomainStatus? Clone(SendingDomainStatus? status) =>
        status is null ? null : KubernetesJson.Deserialize<SendingDomainStatus>(KubernetesJson.Serialize(status));
}
