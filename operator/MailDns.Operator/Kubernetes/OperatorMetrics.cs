using MailDns.Core.Api;
using Prometheus;

namespace MailDns.Operator.Kubernetes;

/// <summary>
/// The operator's Prometheus series: per domain (ready, healthy, age of the oldest active key, next rotation
/// time, rotation interval), removed when the domain is deleted so dashboards show no ghosts; and reconcile and publish counters and
/// durations.
/// </summary>
public sealed class OperatorMetrics
{
    private readonly Gauge ready;
    private readonly Gauge keyAge;
    private readonly Gauge nextRotation;
    private readonly Gauge rotationIntervalSeconds;
    private readonly Counter reconciles;
    private readonly Histogram reconcileSeconds;
    private readonly Counter publishes;

    public OperatorMetrics(CollectorRegistry registry)
    {
        Registry = registry;
        var factory = Metrics.WithCustomRegistry(registry);
        ready = factory.CreateGauge("maildns_domain_ready", "1 when the SendingDomain is Ready.", "domain");
        keyAge = factory.CreateGauge("maildns_dkim_active_key_age_seconds", "Age of the oldest active DKIM key.", "domain");
        nextRotation = factory.CreateGauge(
            "maildns_dkim_next_rotation_timestamp_seconds",
            "When the next rotation step is due (Unix seconds).",
            "domain"
        );
        rotationIntervalSeconds = factory.CreateGauge(
            "maildns_dkim_rotation_interval_seconds",
            "The domain's DKIM rotation interval (spec.dkim.rotation.interval), for alerts on keys older than it.",
            "domain"
        );
        reconciles = factory.CreateCounter("maildns_reconcile_total", "Reconciles, by result.", "result");
        reconcileSeconds = factory.CreateHistogram("maildns_reconcile_duration_seconds", "How long reconciles take.");
        publishes = factory.CreateCounter("maildns_publish_changes_total", "Record changes made by publishers, by kind.", "kind");
        Health = new Health.HealthMetrics(registry);
        Reports = new Reports.ReportMetrics(registry);
        Reputation = new Reputation.ReputationMetrics(registry);
    }

    public CollectorRegistry Registry { get; }

    public Health.HealthMetrics Health { get; }

    public Reports.ReportMetrics Reports { get; }

    public Reputation.ReputationMetrics Reputation { get; }

    public void Reconciled(string key, SendingDomainStatus status, TimeSpan took, DateTimeOffset now, TimeSpan? rotationInterval = null)
    {
        if (rotationInterval is { } interval)
        {
            rotationIntervalSeconds.WithLabels(key).Set(interval.TotalSeconds);
        }

        reconciles.WithLabels(status.Conditions?.FirstOrDefault(c => c.Type == "Ready")?.Status == "True" ? "ready" : "not-ready").Inc();
        reconcileSeconds.Observe(took.TotalSeconds);
        ready.WithLabels(key).Set(status.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true ? 1 : 0);
        var active =
            status.Dkim?.Keys?.Where(k => k.Phase == "Active" && k.ActivatedAt is not null).Select(k => k.CreatedAt ?? now).ToList() ?? [];
        if (active.Count > 0)
        {
            keyAge.WithLabels(key).Set((now - active.Min()).TotalSeconds);
        }

        if (status.Dkim?.NextRotationTime is { } next)
        {
            nextRotation.WithLabels(key).Set(next.ToUnixTimeSeconds());
        }

        publishes.WithLabels("created").Inc(status.Publish?.Created ?? 0);
        publishes.WithLabels("updated").Inc(status.Publish?.Updated ?? 0);
        publishes.WithLabels("deleted").Inc(status.Publish?.Deleted ?? 0);
    }

    public void Failed() => reconciles.WithLabels("error").Inc();

    public void Forget(string key)
    {
        ready.RemoveLabelled(key);
        keyAge.RemoveLabelled(key);
        nextRotation.RemoveLabelled(key);
        rotationIntervalSeconds.RemoveLabelled(key);
        Health.Forget(key);
    }
}
