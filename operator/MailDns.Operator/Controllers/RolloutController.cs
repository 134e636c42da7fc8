using System.Collections.Concurrent;
using k8s;
using MailDns.Core.Api;
using MailDns.Core.Dmarc.Rollout;
using MailDns.Core.Names;
using MailDns.Operator.Kubernetes;
using MailDns.Operator.Reports;
using Microsoft.Extensions.Logging;

namespace MailDns.Operator.Controllers;

/// <summary>
/// DMARC rollouts (spec.dmarc.rollout): at every report refresh interval it weighs each rolling-out domain's reports over
/// the rollout's window with the pure <see cref="RolloutPlanner"/>, and hands the resulting status.dmarc to the
/// SendingDomain reconcile, which publishes the stage's record through the same path as any spec change and writes the
/// status (<see cref="Changed"/>). A stage change is an event naming the evidence, and a metric. Runs on the leader.
/// </summary>
public sealed class RolloutController(
    ClusterCache cache,
    ReportStores stores,
    DomainStatusWriter writer,
    EventRecorder events,
    ControllerOptions options,
    TimeProvider time,
    ILogger<RolloutController> logger,
    OperatorMetrics? metrics = null
)
{
    private readonly ConcurrentDictionary<string, DmarcRolloutStatus> desired = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> evaluatedGeneration = new(StringComparer.Ordinal);

    /// <summary>Raised with a SendingDomain key whose status.dmarc should change: the reconcile publishes and writes it.</summary>
    public event Action<string>? Changed;

    /// <summary>Where the domain's rollout should be, or null before its first evaluation.</summary>
    public DmarcRolloutStatus? Desired(string key) => desired.GetValueOrDefault(key);

    /// <summary>A copy of the domain with the rollout's status.dmarc in place, for the reconcile to render and write.</summary>
    public SendingDomain Applied(string key, SendingDomain domain)
    {
        if (Desired(key) is not { } rollout || RolloutSettings.Of(domain.Spec.Dmarc) is null)
        {
            return domain;
        }

        var copy = KubernetesJson.Deserialize<SendingDomain>(KubernetesJson.Serialize(domain));
        copy.Status ??= new SendingDomainStatus();
        copy.Status.Dmarc = rollout;
        return copy;
    }

    private readonly PeriodicPass loop = new("DMARC rollout evaluation", options.ReportRefresh, time, logger);

    /// <summary>
    /// A domain changed: a new rollout, or a new spec generation, is weighed at once rather than at the next interval
    /// (its own status writes come back as changes too, and wake nothing).
    /// </summary>
    public void DomainChanged(string key)
    {
        if (
            cache.Domains.TryGetValue(key, out var domain)
            && RolloutSettings.Of(domain.Spec.Dmarc) is not null
            && evaluatedGeneration.GetValueOrDefault(key, -1) != (domain.Metadata.Generation ?? 0)
        )
        {
            loop.Nudge();
        }
    }

    /// <summary>No evidence is no decision: when the store cannot be read, every rollout holds until the next pass.</summary>
    public Task RunAsync(CancellationToken cancellationToken) => loop.RunAsync(EvaluateAllAsync, cancellationToken);

    public async Task EvaluateAllAsync(CancellationToken cancellationToken)
    {
        var store = await stores.GetAsync(cancellationToken);
        foreach (var (key, cached) in cache.Domains)
        {
            var domain = writer.Freshest(key, cached);
            if (domain.Metadata.DeletionTimestamp is not null || RolloutSettings.Of(domain.Spec.Dmarc) is not { } settings)
            {
                desired.TryRemove(key, out _);
                continue;
            }

            // A step decided in an earlier pass and not yet in the status (the SendingDomain controller publishes it,
            // then writes it) is not weighed again: weighed from the old stage, the same step would be decided, and
            // announced, twice (seen under load in OperatorRolloutTests).
            if (desired.TryGetValue(key, out var pending) && pending.Stage != (domain.Status?.Dmarc?.Stage ?? pending.Stage))
            {
                continue;
            }

            evaluatedGeneration[key] = domain.Metadata.Generation ?? 0;
            var step = (await RolloutEvaluation.WeighAsync(domain, store, time.GetUtcNow(), cancellationToken))!;
            var (stage, decision, next, current) = (step.From, step.Decision, step.Status, domain.Status?.Dmarc);
            var name = DomainName.Normalize(domain.Spec.Domain);
            desired[key] = next;
            metrics?.Reports.Rollout(name, decision.Stage.Rank, decision.Stage.Rank - stage.Rank);
            if (decision.Stage != stage)
            {
                var (type, reason) =
                    decision.Action == RolloutAction.Advance
                        ? (EventRecorder.Normal, "DmarcRolloutAdvanced")
                        : (EventRecorder.Warning, "DmarcRolloutRolledBack");
                logger.LogInformation("{Key}: DMARC {From} -> {To}: {Reason}", key, stage, decision.Stage, decision.Reason);
                await events.RecordAsync(domain, type, reason, $"{stage} -> {decision.Stage}: {decision.Reason}", cancellationToken);
            }

            if (!RolloutEvaluation.Same(current, next))
            {
                Changed?.Invoke(key);
            }
        }
    }
}
