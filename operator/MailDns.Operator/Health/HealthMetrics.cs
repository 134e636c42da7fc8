using MailDns.Core.Health;
using Prometheus;

namespace MailDns.Operator.Health;

/// <summary>
/// Prometheus series for health checks, per domain: the last status of each check (0 pass, 1 warn, 2 fail,
/// 3 unknown), whether the domain is healthy, and when it was last checked. A domain's series are removed when
/// the domain is, so deleted domains do not linger on dashboards.
/// </summary>
public sealed class HealthMetrics
{
    private readonly Gauge checkStatus;
    private readonly Gauge healthy;
    private readonly Gauge lastCheck;
    private readonly Counter checks;
    private readonly Dictionary<string, HashSet<(string Id, string Selector, string Server)>> seen = new(StringComparer.Ordinal);

    public HealthMetrics(CollectorRegistry registry)
    {
        var factory = Metrics.WithCustomRegistry(registry);
        checkStatus = factory.CreateGauge(
            "maildns_health_check_status",
            "Last result of a health check: 0 pass, 1 warn, 2 fail, 3 unknown.",
            "domain",
            "check",
            "selector",
            "server"
        );
        healthy = factory.CreateGauge(
            "maildns_domain_healthy",
            "1 when the last health check of the domain passed, 0 when it failed, -1 when DNS was unreachable.",
            "domain"
        );
        lastCheck = factory.CreateGauge(
            "maildns_health_last_check_timestamp_seconds",
            "When the domain was last checked (Unix seconds).",
            "domain"
        );
        checks = factory.CreateCounter("maildns_health_checks_total", "Health checks run, by verdict.", "verdict");
    }

    public void Record(string domainKey, HealthReport report, DateTimeOffset at)
    {
        lock (seen)
        {
            var now = report.Checks.Select(c => (c.Id, Selector: c.Selector ?? "", Server: c.Server ?? "")).ToHashSet();
            if (seen.TryGetValue(domainKey, out var before))
            {
                foreach (var gone in before.Except(now))
                {
                    checkStatus.RemoveLabelled(domainKey, gone.Id, gone.Selector, gone.Server);
                }
            }

            foreach (var c in report.Checks)
            {
                checkStatus.WithLabels(domainKey, c.Id, c.Selector ?? "", c.Server ?? "").Set((int)c.Status);
            }

            seen[domainKey] = now;
            healthy
                .WithLabels(domainKey)
                .Set(
                    report.Verdict switch
                    {
                        HealthVerdict.Healthy => 1,
                        HealthVerdict.Failing => 0,
                        _ => -1,
                    }
                );
            lastCheck.WithLabels(domainKey).Set(at.ToUnixTimeMilliseconds() / 1000.0);
            checks.WithLabels(report.Verdict.ToString().ToLowerInvariant()).Inc();
        }
    }

    public void Forget(string domainKey)
    {
        lock (seen)
        {
            if (seen.Remove(domainKey, out var before))
            {
                foreach (var c in before)
                {
                    checkStatus.RemoveLabelled(domainKey, c.Id, c.Selector, c.Server);
                }
            }

            healthy.RemoveLabelled(domainKey);
            lastCheck.RemoveLabelled(domainKey);
        }
    }
}
