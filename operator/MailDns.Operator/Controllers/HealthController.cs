using System.Collections.Concurrent;
using MailDns.Core.Api;
using MailDns.Core.Health;
using MailDns.Core.Names;
using MailDns.Core.Readiness;
using MailDns.Core.Records;
using MailDns.Operator.Dns;
using MailDns.Operator.Health;
using MailDns.Operator.Kubernetes;

namespace MailDns.Operator.Controllers;

/// <summary>
/// Scheduled health checks of SendingDomains (Quartz-fed). A check reads the records the domain's status lists,
/// asks every authoritative server, and keeps the report with the generation and the records it checked, so the
/// status policy can tell a current report from a stale one. The report reaches the status through the domain's
/// reconcile (one writer of status per domain); this controller only queues it.
/// </summary>
public sealed class HealthController(
    ClusterCache cache,
    DomainStatusWriter writer,
    ControllerOptions options,
    TimeProvider time,
    OperatorMetrics? metrics = null
)
{
    private static readonly TimeSpan DnsTimeout = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<string, HealthEvidence> reports = new(StringComparer.Ordinal);

    /// <summary>The (generation, records) each domain last had a check asked for, so a stale report asks once, not every
    /// reconcile.</summary>
    private readonly ConcurrentDictionary<string, string> asked = new(StringComparer.Ordinal);

    /// <summary>The check-requested-at annotation each domain last had a check run for.</summary>
    private readonly ConcurrentDictionary<string, string> requested = new(StringComparer.Ordinal);

    private HealthCheckScheduler? scheduler;

    /// <summary>Queues a domain for its reconcile once a check has a new report.</summary>
    public event Action<string>? Reported;

    /// <summary>Runs the scheduler for one term of leadership.</summary>
    public async Task<IAsyncDisposable> StartAsync(CancellationToken cancellationToken)
    {
        reports.Clear();
        asked.Clear();
        requested.Clear();
        var started = await HealthCheckScheduler
            .StartAsync(new Runner(this), time, options.Workers * 4, cancellationToken)
            .ConfigureAwait(false);
        scheduler = started;
        return started;
    }

    /// <summary>The last report for the domain, whatever it checked; the status policy decides whether it is current.</summary>
    public HealthEvidence? Evidence(string key) => reports.GetValueOrDefault(key);

    public async Task<DateTimeOffset?> NextCheckAsync(string key, CancellationToken cancellationToken) =>
        scheduler is null ? null : await scheduler.NextCheckAsync(key, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// After the domain's status was written: its cron schedule, and a check now when the written status lists
    /// records that no report describes yet (a publish, a spec change, the first records).
    /// </summary>
    public async Task AfterStatusWrittenAsync(SendingDomain domain, SendingDomainStatus written, CancellationToken cancellationToken)
    {
        if (scheduler is null)
        {
            return;
        }

        var key = domain.Key;
        await scheduler
            .ScheduleAsync(key, domain.Spec.HealthCheck?.Schedule ?? Defaults.HealthSchedule, cancellationToken)
            .ConfigureAwait(false);
        if (written is not { Records.Count: > 0 } status)
        {
            return;
        }

        if (Annotations.CheckRequestedSince(domain, status.Health?.LastCheckTime) is { } at && requested.GetValueOrDefault(key) != at)
        {
            requested[key] = at; // asked for by hand (kubectl maildns check): now, whatever the reports describe
            await scheduler.CheckNowAsync(key, cancellationToken).ConfigureAwait(false);
            return;
        }

        var records = HealthEvidence.RecordKeys(status);
        var generation = status.ObservedGeneration ?? domain.Metadata.Generation ?? 1;
        if (reports.TryGetValue(key, out var report) && report.Describes(generation, records))
        {
            return;
        }

        var signature = $"{generation}|{string.Join("\n", records.Order(StringComparer.Ordinal))}";
        if (asked.TryGetValue(key, out var last) && last == signature)
        {
            return; // asked already; the check's report will come
        }

        asked[key] = signature;
        await scheduler.CheckNowAsync(key, cancellationToken).ConfigureAwait(false);
    }

    public async Task ForgetAsync(string key, CancellationToken cancellationToken)
    {
        reports.TryRemove(key, out _);
        asked.TryRemove(key, out _);
        requested.TryRemove(key, out _);
        if (scheduler is not null)
        {
            await scheduler.RemoveAsync(key, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task CheckAsync(string key, CancellationToken cancellationToken)
    {
        // The freshest copy: the check right after a publish may run before the watch brings the status with the records.
        if (writer.Current(key) is not { Status.Records: { Count: > 0 } records } sd)
        {
            return;
        }

        var name = DomainName.Normalize(sd.Spec.Domain);
        var expected = new HealthExpectation(records.Select(r => Expected(r, key, name)).ToList(), sd.Spec.Dmarc?.Policy);
        var configured = (sd.Spec.HealthCheck?.Nameservers ?? []).ToList();
        if (configured.Count == 0 && options.Nameservers.Count == 0 && cache.ResolveProvider(sd)?.ZoneFile is not null)
        {
            return; // a zone file is served by servers the operator does not know: nothing to ask without nameservers
        }

        var (targets, error) =
            configured.Count > 0 || options.Nameservers.Count == 0
                ? await HealthTargetsResolver
                    .ResolveAsync(name, configured, DnsTimeout, cancellationToken, options.Resolvers, nameserversResolve: true)
                    .ConfigureAwait(false)
                : (new HealthTargets(options.Nameservers, options.Resolvers ?? options.Nameservers), null);
        var report = await new HealthGatherer(new DnsClientQuery())
            .CheckAsync(name, [], expected, targets, cancellationToken)
            .ConfigureAwait(false);
        if (error is not null)
        {
            report = report with
            {
                Checks = [CheckResult.Unknown("dns.authoritative", error), .. report.Checks.Where(c => c.Id != "dns.authoritative")],
            };
        }

        var generation = sd.Status.ObservedGeneration ?? sd.Metadata.Generation ?? 1;
        reports[key] = new HealthEvidence(report, generation, HealthEvidence.RecordKeys(sd.Status), time.GetUtcNow());
        metrics?.Health.Record(key, report, time.GetUtcNow());
        Reported?.Invoke(key);
    }

    private static DesiredRecord Expected(RecordStatus record, string owner, string domain)
    {
        var name = DomainName.Normalize(record.Name);
        var suffix = "._domainkey." + domain;
        var selector = name.EndsWith(suffix, StringComparison.Ordinal) ? name[..^suffix.Length] : null;
        return new DesiredRecord(name, record.Ttl, record.Value, DesiredRecord.PurposeFromText(record.Purpose), owner, selector);
    }

    private sealed class Runner(HealthController controller) : IHealthCheckRunner
    {
        public Task RunAsync(string key, CancellationToken cancellationToken) => controller.CheckAsync(key, cancellationToken);
    }
}
