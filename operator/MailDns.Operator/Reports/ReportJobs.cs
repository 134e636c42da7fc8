using Quartz;
using Quartz.Extensibility;

namespace MailDns.Operator.Reports;

/// <summary>
/// The report work done on a schedule (Quartz, on the operator's <see cref="TimeProvider"/>): refreshing every
/// SendingDomain's report view at an interval, and deleting reports past retention once a day (03:17 UTC, away from
/// the top of the hour when reporters send).
/// </summary>
public sealed class ReportJobs : IAsyncDisposable
{
    private readonly IScheduler scheduler;

    private ReportJobs(IScheduler scheduler) => this.scheduler = scheduler;

    public static async Task<ReportJobs> StartAsync(
        Func<CancellationToken, Task> refresh,
        TimeSpan refreshEvery,
        Func<CancellationToken, Task> retention,
        TimeProvider time,
        CancellationToken cancellationToken
    )
    {
        var jobs = new Dictionary<string, Func<CancellationToken, Task>> { ["refresh"] = refresh, ["retention"] = retention };
        var scheduler = await QuartzSchedulerBuilder
            .Create(q =>
            {
                q.ConfigureScheduler(o => o.InstanceName = $"maildns-reports-{Guid.NewGuid():N}");
                q.UseTimeProvider(time);
                q.UseInMemoryStore(_ => { });
                q.UseDefaultThreadPool(2);
                q.UseJobFactory(new Factory(jobs));
            })
            .BuildScheduler(cancellationToken);
        await scheduler.Start(cancellationToken);
        var now = time.GetUtcNow();
        await scheduler.ScheduleJob(
            JobBuilder.Create<Job>().WithIdentity("refresh", "reports").Build(),
            TriggerBuilder.Create().StartAt(now).WithSimpleSchedule(s => s.WithInterval(refreshEvery).RepeatForever()).Build(),
            cancellationToken: cancellationToken
        );
        await scheduler.ScheduleJob(
            JobBuilder.Create<Job>().WithIdentity("retention", "reports").Build(),
            TriggerBuilder.Create().StartAt(now).WithCronSchedule("0 17 3 * * ?", c => c.InTimeZone(TimeZoneInfo.Utc)).Build(),
            cancellationToken: cancellationToken
        );
        return new ReportJobs(scheduler);
    }

    /// <summary>Runs the refresh now (after a report arrives over HTTPS, or in tests), beside its schedule.</summary>
    public async Task RefreshNowAsync(CancellationToken cancellationToken = default) =>
        await scheduler.TriggerJob(new JobKey("refresh", "reports"), cancellationToken);

    public async Task RetentionNowAsync(CancellationToken cancellationToken = default) =>
        await scheduler.TriggerJob(new JobKey("retention", "reports"), cancellationToken);

    public async ValueTask DisposeAsync() => await scheduler.Shutdown(waitForJobsToComplete: true);

    [DisallowConcurrentExecution]
    private sealed class Job(Func<CancellationToken, Task> run) : IJob
    {
        public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) => await run(cancellationToken);
    }

    private sealed class Factory(Dictionary<string, Func<CancellationToken, Task>> jobs) : IJobFactory
    {
        public ValueTask<JobScope> CreateJob(TriggerFiredBundle bundle, IScheduler scheduler, CancellationToken cancellationToken) =>
            ValueTask.FromResult(new JobScope(new Job(jobs[bundle.JobDetail.Key.Name]), null));

        public ValueTask ReturnJob(JobScope scope, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}
