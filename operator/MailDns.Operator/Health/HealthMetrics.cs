using MailDns.Core.Health;
using MailDns.Operator.Observability;
using Prometheus;

namespace MailDns.Operator.Health;

/// <summary>
/// Prometheus series for health checks, per domain: the last status of each check (0 pass, 1 warn, 2 fail,
/// 3 unknown), whether the domain is healthy, and when it was last checked. A domain's series are removed when
/// the domain is, so deleted domains do not linger on dashboards.
/// </summary>
public sealed class HealthMetrics
{
    private readonly DomainCheckGauge checkStatus;
    private readonly DomainGauge healthy;
    private readonly DomainGauge lastCheck;
    private readonly Counter checks;

    public HealthMetrics(MetricsExposition exposition)
    {
        checkStatus = exposition.Add(
            new DomainCheckGauge(
                "maildns_health_check_status",
                "Last result of a health check: 0 pass, 1 warn, 2 fail, 3 unknown."
            )
        );
        healthy = exposition.Add(
            new DomainGauge(
                "maildns_domain_healthy",
                "1 when the last health check of the domain passed, 0 when it failed, -1 when DNS was unreachable."
            )
        );
        lastCheck = exposition.Add(
            new DomainGauge("maildns_health_last_check_timestamp_seconds", "When the domain was last checked (Unix seconds).")
        );
        checks = Metrics
            .WithCustomRegistry(exposition.Registry)
            .CreateCounter("maildns_health_checks_total", "Health checks run, by verdict.", "verdict");
    }

    public void Record(string domainKey, HealthReport report, DateTimeOffset at)
    {
        checkStatus.Set(
            domainKey,
            [.. report.Checks.Select(c => new CheckSample(c.Id, c.Selector ?? "", c.Server ?? "", (int)c.Status))]
        );
        healthy.Set(
            domainKey,
            report.Verdict switch
            {
                HealthVerdict.Healthy => 1,
                HealthVerdict.Failing => 0,
                _ => -1,
            }
        );
        lastCheck.Set(domainKey, at.ToUnixTimeMilliseconds() / 1000.0);
        checks.WithLabels(report.Verdict.ToString().ToLowerInvariant()).Inc();
    }

    public void Forget(string domainKey)
    {
        checkStatus.Remove(domainKey);
        healthy.Remove(domainKey);
        lastCheck.Remove(domainKey);
    }
}
