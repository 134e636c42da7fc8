using Quartz;
using Quartz.Extensibility;

namespace MailDns.Operator.Reports;

/// <summary>
/// Report retention on a Quartz cron schedule (on the operator's <see cref="TimeProvider"/>): once a day at 03:17 UTC,
/// away from the top of the hour when reporters send. A cron trigger, because a missed run (the operator was down)
/// fires once on start and then keeps the daily time.
/// </summary>
public sealed class RetentionJob : IAsyncDisposable
{
    private readonly IScheduler scheduler;

    private RetentionJob(IScheduler scheduler) => this.scheduler = scheduler;

    public static async Task<RetentionJob> StartAsync(
        Func<CancellationToken, Task> retention,
        TimeProvider time,
        CancellationToken cancellationToken
    )
    {
        var scheduler = await QuartzSchedulerBuilder
            .Create(q =>
            {
                q.ConfigureScheduler(o => o.InstanceName = $"maildns-retention-{Guid.NewGuid():N}");
                q.UseTimeProvider(time);
                q.UseInMemoryStore(_ => { });
                q.UseDefaultThreadPool(1);
                q.UseJobFactory(new Factory(retention));
            })
            .BuildScheduler(cancellationToken);
        await scheduler.Start(cancellationToken);
        await scheduler.ScheduleJob(
            JobBuilder.Create<Job>().WithIdentity("retention", "reports").Build(),
            TriggerBuilder.Create().StartAt(time.GetUtcNow()).WithCronSchedule("0 17 3 * * ?", c => c.InTimeZone(TimeZoneInfo.Utc)).Build(),
            cancellationToken: cancellationToken
        );
        return new RetentionJob(scheduler);
    }

    public async ValueTask DisposeAsync() => await scheduler.Shutdown(waitForJobsToComplete: true);

    [DisallowConcurrentExecution]
    private sealed class Job(Func<CancellationToken, Task> run) : IJob
    {
        public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) => await run(cancellationToken);
    }

    private sealed class Factory(Func<CancellationToken, Task> retention) : IJobFactory
    {
        public ValueTask<JobScope> CreateJob(TriggerFiredBundle bundle, IScheduler scheduler, CancellationToken cancellationToken) =>
            ValueTask.FromResult(new JobScope(new Job(retention), null));

        public ValueTask ReturnJob(JobScope scope, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}
