using MailDns.Core.Api;
using MailDns.Core.Findings;

namespace MailDns.Operator.Health;

/// <summary>
/// The rule only Quartz can judge: the schema and the core rules see six or seven fields, Quartz knows whether
/// they make a schedule. One rule for the operator and for `maildns validate`, so both refuse the same specs.
/// </summary>
public static class ScheduleRule
{
    public static Finding? Check(SendingDomain domain) =>
        domain.Spec.HealthCheck?.Schedule is { } cron && HealthCheckScheduler.InvalidSchedule(cron) is { } why
            ? Finding.Error(
                "health.invalid-schedule",
                $"schedule '{cron}' is not a Quartz cron expression: {why}",
                "spec.healthCheck.schedule"
            )
            : null;
}
