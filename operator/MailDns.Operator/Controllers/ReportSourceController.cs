using System.Text;
using k8s;
using k8s.Models;
using MailDns.Core.Api;
using MailDns.Core.Names;
using MailDns.Operator.Kubernetes;
using MailDns.Operator.Reports;
using Microsoft.Extensions.Logging;

namespace MailDns.Operator.Controllers;

/// <summary>
/// Reads each ReportSource's mailbox into the report store: one loop per source, started when it appears, restarted
/// when its spec changes, stopped when it goes. A pass reads every waiting message (<see cref="MailboxPoller"/>); the
/// loop then waits with IMAP IDLE or for the poll interval. What happened goes to the source's status (the Ready
/// condition, counts, last poll) and, for a message sent to the invalid folder, to a Warning event with the reason.
/// Runs only on the leader, so two replicas never read one mailbox.
/// </summary>
public sealed class ReportSourceController(
    IKubernetes client,
    ControllerOptions options,
    ReportStores stores,
    EventRecorder events,
    TimeProvider time,
    ILogger<ReportSourceController> logger,
    ClusterCache cache,
    ReportViewController views,
    OperatorMetrics? metrics = null
)
{
    private readonly Dictionary<string, (long Generation, CancellationTokenSource Stop, Task Loop)> loops = [];
    private readonly Lock gate = new();
    private readonly OwnWrites<ReportSource> ownWrites = new();
    private Informer<ReportSource>? informer;
    private CancellationToken running;

    /// <summary>The source loop's hook for tests: a mailbox from settings (the real one opens IMAP).</summary>
    public Func<MailboxSettings, CancellationToken, Task<IMailbox>> OpenMailbox { get; init; } =
        async (settings, ct) => await ImapMailbox.OpenAsync(settings, ct);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        running = cancellationToken;
        informer = new Informer<ReportSource>(
            client,
            ApiGroup.Name,
            ApiGroup.Version,
            ReportSource.Plural,
            options.Namespace,
            Changed,
            options.Resync
        );
        informer.Failed += e => logger.LogWarning("list/watch of reportsources failed, listing again: {Error}", e.Message);
        try
        {
            await informer.RunAsync(cancellationToken);
        }
        finally
        {
            Task[] all;
            lock (gate)
            {
                all = loops.Values.Select(l => l.Loop).ToArray();
            }

            await Task.WhenAll(all).WaitAsync(options.ShutdownGrace, CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private void Changed(string key)
    {
        var source = informer!.Cache.GetValueOrDefault(key);
        ownWrites.Observed(key, source);
        lock (gate)
        {
            if (loops.TryGetValue(key, out var loop))
            {
                if (source is not null && source.Metadata.Generation == loop.Generation && !loop.Loop.IsCompleted)
                {
                    return; // a status write or a resync: the loop already reads this generation
                }

                loop.Stop.Cancel();
                loops.Remove(key);
            }

            if (source is null || running.IsCancellationRequested)
            {
                return;
            }

            var stop = CancellationTokenSource.CreateLinkedTokenSource(running);
            loops[key] = (source.Metadata.Generation ?? 0, stop, Task.Run(() => LoopAsync(key, stop.Token), CancellationToken.None));
        }
    }

    private async Task LoopAsync(string key, CancellationToken cancellationToken)
    {
        using var scope = logger.BeginScope(new LogScope(key, informer!.Cache.GetValueOrDefault(key)?.Metadata.Generation ?? 0));
        while (!cancellationToken.IsCancellationRequested && informer!.Cache.GetValueOrDefault(key) is { } source)
        {
            var interval = DurationText.ParseOr(source.Spec.Imap.PollInterval, "5m");
            interval = interval < TimeSpan.FromSeconds(10) ? TimeSpan.FromSeconds(10) : interval;
            IMailbox? mailbox = null;
            try
            {
                var (settings, problem) = await SettingsAsync(source, cancellationToken);
                if (settings is null)
                {
                    await WriteAsync(source, ConditionStatus.False, problem!.Value.Reason, problem.Value.Message, null, cancellationToken);
                }
                else
                {
                    mailbox = await Open(settings, source, cancellationToken);
                    if (mailbox is not null)
                    {
                        await PollAsync(source, key, mailbox, settings, cancellationToken);
                    }
                }

                if (mailbox is not null && source.Spec.Imap.Idle == true)
                {
                    await mailbox.IdleAsync(interval, cancellationToken);
                }
                else
                {
                    await Task.Delay(interval, time, cancellationToken);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The loop never dies on one failure: it is said in status and the log, and tried again next interval.
                logger.LogWarning("reading {Key} failed: {Error}", key, e.Message);
                var where = $"{source.Spec.Imap.Host}:{source.Spec.Imap.EffectivePort} ({source.Spec.Imap.TlsMode})";
                await SafeWriteAsync(source, ConditionReasons.MailboxUnreachable, $"{where}: {e.Message}", cancellationToken);
                await Task.Delay(interval, time, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
            finally
            {
                if (mailbox is not null)
                {
                    await mailbox.DisposeAsync();
                }
            }
        }
    }

    private async Task<IMailbox?> Open(MailboxSettings settings, ReportSource source, CancellationToken cancellationToken)
    {
        try
        {
            return await OpenMailbox(settings, cancellationToken);
        }
        catch (MailKit.Security.AuthenticationException)
        {
            // The server's words may echo the user name; never the password, which MailKit does not put in messages.
            await WriteAsync(
                source,
                ConditionStatus.False,
                ConditionReasons.LoginFailed,
                $"{settings.Host}:{settings.Port} refused the user name and password in Secret "
                    + source.Spec.Imap.CredentialsSecretRef.Name,
                null,
                cancellationToken
            );
            return null;
        }
    }

    private async Task PollAsync(
        ReportSource source,
        string key,
        IMailbox mailbox,
        MailboxSettings settings,
        CancellationToken cancellationToken
    )
    {
        var store = await stores.GetAsync(cancellationToken);
        var poller = new MailboxPoller(store, time, onStored: c => metrics?.Reports.Stored(c, ManagedDomain));
        PollResult result;
        try
        {
            result = await poller.PollAsync(mailbox, settings, cancellationToken);
        }
        catch (System.Data.Common.DbException e)
        {
            await WriteAsync(
                source,
                ConditionStatus.False,
                ConditionReasons.StoreUnavailable,
                $"{store.Database.Description}: {e.Message}; messages stay in {settings.Folder}",
                null,
                cancellationToken
            );
            return;
        }

        var now = time.GetUtcNow();
        metrics?.Reports.Polled(key, result, now);
        if (result.Stored > 0)
        {
            // The domains' status shows a new report within seconds, not at the next refresh.
            views.RefreshSoon();
        }

        foreach (var reason in result.InvalidReasons)
        {
            logger.LogWarning("{Key}: a message went to {Folder}: {Reason}", key, settings.InvalidFolder, reason);
            await events.RecordAsync(
                source,
                EventRecorder.Warning,
                "ReportInvalid",
                $"moved to {settings.InvalidFolder}: {reason}",
                cancellationToken
            );
        }

        await WriteAsync(
            source,
            ConditionStatus.True,
            ConditionReasons.MailboxRead,
            $"read {settings}: {result.Messages} message(s), {result.Stored} report(s) stored, {result.Duplicate} already held, "
                + $"{result.Invalid} to {settings.InvalidFolder}",
            result,
            cancellationToken
        );
    }

    private bool ManagedDomain(string domain) => cache.DomainsNamed(domain).Any();

    private async Task<(MailboxSettings? Settings, (string Reason, string Message)? Problem)> SettingsAsync(
        ReportSource source,
        CancellationToken cancellationToken
    )
    {
        var imap = source.Spec.Imap;
        var reference = imap.CredentialsSecretRef;
        V1Secret secret;
        try
        {
            secret = await client.CoreV1.ReadNamespacedSecretAsync(
                reference.Name,
                source.Metadata.NamespaceProperty,
                cancellationToken: cancellationToken
            );
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return (null, (ConditionReasons.SecretNotFound, $"spec.imap.credentialsSecretRef: Secret {reference.Name} does not exist"));
        }

        string? Value(string key) =>
            secret.Data?.TryGetValue(key, out var bytes) == true && bytes.Length > 0 ? Encoding.UTF8.GetString(bytes) : null;
        var (userKey, passwordKey) = (reference.UsernameKey ?? "username", reference.PasswordKey ?? "password");
        var (user, password) = (Value(userKey), Value(passwordKey));
        if (user is null || password is null)
        {
            return (
                null,
                (
                    ConditionReasons.InvalidSecret,
                    $"spec.imap.credentialsSecretRef: Secret {reference.Name} needs keys {userKey} and {passwordKey}"
                )
            );
        }

        return (
            new MailboxSettings(
                imap.Host,
                imap.EffectivePort,
                imap.TlsMode,
                imap.CaBundle,
                user,
                password,
                imap.EffectiveFolder,
                imap.EffectiveArchiveFolder,
                imap.EffectiveInvalidFolder
            ),
            null
        );
    }

    private async Task SafeWriteAsync(ReportSource source, string reason, string message, CancellationToken cancellationToken)
    {
        try
        {
            await WriteAsync(source, ConditionStatus.False, reason, message, null, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning("status of {Name} not written: {Error}", source.Metadata.Name, e.Message);
        }
    }

    /// <summary>
    /// Merges the pass into the status last written (counts add up across passes and restarts) and patches it; a change
    /// of the Ready condition is also an event. The status last written is this controller's own write until the watch
    /// brings it into the cache (<see cref="OwnWrites{T}"/>), so a pass that follows quickly counts from it.
    /// </summary>
    private async Task WriteAsync(
        ReportSource source,
        string status,
        string reason,
        string message,
        PollResult? result,
        CancellationToken cancellationToken
    )
    {
        var key = Informer<ReportSource>.KeyOf(source);
        var current = ownWrites.Freshest(key, informer!.Cache.GetValueOrDefault(key) ?? source);
        var now = time.GetUtcNow();
        var was = current.Status?.Conditions?.FirstOrDefault(c => c.Type == ConditionTypes.Ready);
        var counts = current.Status?.Counts ?? new ReportSourceCounts();
        counts = new ReportSourceCounts // a new object: the cached one is never changed in place
        {
            Messages = counts.Messages + (result?.Messages ?? 0),
            Stored = counts.Stored + (result?.Stored ?? 0),
            Duplicate = counts.Duplicate + (result?.Duplicate ?? 0),
            Invalid = counts.Invalid + (result?.Invalid ?? 0),
        };

        var ready = Conditions.Make(
            ConditionTypes.Ready,
            status,
            reason,
            message,
            current.Metadata.Generation ?? 0,
            now,
            current.Status?.Conditions
        );
        var next = new ReportSourceStatus
        {
            ObservedGeneration = current.Metadata.Generation,
            LastPollTime = result is null ? current.Status?.LastPollTime : now.UtcDateTime,
            LastStoredTime = result is { Stored: > 0 } ? now.UtcDateTime : current.Status?.LastStoredTime,
            Counts = counts,
            Conditions = [ready],
        };
        var patch = new V1Patch(
            new System.Text.Json.Nodes.JsonObject
            {
                ["status"] = System.Text.Json.Nodes.JsonNode.Parse(KubernetesJson.Serialize(next)),
            }.ToJsonString(),
            V1Patch.PatchType.MergePatch
        );
        var written = await client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(
            patch,
            ApiGroup.Name,
            ApiGroup.Version,
            source.Metadata.NamespaceProperty,
            ReportSource.Plural,
            source.Metadata.Name,
            cancellationToken: cancellationToken
        );
        ownWrites.Wrote(key, current, KubernetesJson.Deserialize<ReportSource>(((System.Text.Json.JsonElement)written).GetRawText()), () =>
            informer.Cache.GetValueOrDefault(key)
        );
        if (was?.Status != ready.Status || was?.Reason != ready.Reason)
        {
            var type = status == ConditionStatus.True ? EventRecorder.Normal : EventRecorder.Warning;
            await events.RecordAsync(source, type, reason, message, cancellationToken);
        }
    }
}
