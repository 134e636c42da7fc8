using MailDns.Core.Api;
using MailDns.Operator.Observability;
using Prometheus;

namespace MailDns.Operator.Kubernetes;

/// <summary>
/// The operator's Prometheus series: per domain (ready, healthy, age of the oldest active key, next rotation
/// time, rotation interval), removed when the domain is deleted so dashboards show no ghosts, and written at
/// scrape time (<see cref="MetricsExposition"/>); and reconcile and publish counters and durations.
/// </summary>
public sealed class OperatorMetrics
{
    private readonly DomainGauge ready;
    private readonly DomainGauge keyAge;
    private readonly DomainGauge nextRotation;
    private readonly DomainGauge rotationIntervalSeconds;
    private readonly Counter reconciles;
    private readonly Histogram reconcileSeconds;
    private readonly Counter publishes;

    public OperatorMetrics(CollectorRegistry registry, TimeProvider? time = null)
    {
        var clock = time ?? TimeProvider.System;
        Exposition = new MetricsExposition(registry);
        var factory = Metrics.WithCustomRegistry(registry);
        ready = Exposition.Add(new DomainGauge("maildns_domain_ready", "1 when the SendingDomain is Ready."));
        // Stored as the key's creation instant, so the age is the scrape's, not the last reconcile's.
        keyAge = Exposition.Add(
            new DomainGauge(
                "maildns_dkim_active_key_age_seconds",
                "Age of the oldest active DKIM key.",
                created => clock.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0 - created
            )
        );
        nextRotation = Exposition.Add(
            new DomainGauge("maildns_dkim_next_rotation_timestamp_seconds", "When the next rotation step is due (Unix seconds).")
        );
        rotationIntervalSeconds = Exposition.Add(
            new DomainGauge(
                "maildns_dkim_rotation_interval_seconds",
                "The domain's DKIM rotation interval (spec.dkim.rotation.interval), for alerts on keys older than it."
            )
        );
        reconciles = factory.CreateCounter("maildns_reconcile_total", "Reconciles, by result.", "result");
        reconcileSeconds = factory.CreateHistogram("maildns_reconcile_duration_seconds", "How long reconciles take.");
        publishes = factory.CreateCounter("maildns_publish_changes_total", "Record changes made by publishers, by kind.", "kind");
        Health = new Health.HealthMetrics(Exposition);
        Reports = new Reports.ReportMetrics(registry);
        Reputation = new Reputation.ReputationMetrics(registry);
    }

    public CollectorRegistry Registry => Exposition.Registry;

    /// <summary>What /metrics serves: the registry and the per-domain families.</summary>
    public MetricsExposition Exposition { get; }

    public Health.HealthMetrics Health { get; }

    public Reports.ReportMetrics Reports { get; }

    public Reputation.ReputationMetrics Reputation { get; }

    public void Reconciled(string key, SendingDomainStatus status, TimeSpan took, DateTimeOffset now, TimeSpan? rotationInterval = null)
    {
        if (rotationInterval is { } interval)
        {
            rotationIntervalSeconds.Set(key, interval.TotalSeconds);
        }

        reconciles.WithLabels(status.Conditions?.FirstOrDefault(c => c.Type == "Ready")?.Status == "True" ? "ready" : "not-ready").Inc();
        reconcileSeconds.Observe(took.TotalSeconds);
        ready.Set(key, status.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true ? 1 : 0);
        var active =
            status.Dkim?.Keys?.Where(k => k.Phase == "Active" && k.ActivatedAt is not null).Select(k => k.CreatedAt ?? now).ToList() ?? [];
        if (active.Count > 0)
        {
            keyAge.Set(key, active.Min().ToUnixTimeMilliseconds() / 1000.0);
        }
        else
        {
            keyAge.Remove(key);
        }

        if (status.Dkim?.NextRotationTime is { } next)
        {
            nextRotation.Set(key, next.ToUnixTimeSeconds());
        }
        else
        {
            nextRotation.Remove(key);
        }

        publishes.WithLabels("created").Inc(status.Publish?.Created ?? 0);
        publishes.WithLabels("updated").Inc(status.Publish?.Updated ?? 0);
        publishes.WithLabels("deleted").Inc(status.Publish?.Deleted ?? 0);
    }

    public void Failed() => reconciles.WithLabels("error").Inc();

    public void Forget(string key)
    {
        ready.Remove(key);
        keyAge.Remove(key);
        nextRotation.Remove(key);
        rotationIntervalSeconds.Remove(key);
        Health.Forget(key);
    }
}
