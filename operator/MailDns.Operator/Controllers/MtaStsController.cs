using System.Collections.Concurrent;
using k8s;
using MailDns.Core.Api;
using MailDns.Core.MtaSts;
using MailDns.Core.Names;
using MailDns.Operator.Kubernetes;
using MailDns.Operator.MtaSts;
using Microsoft.Extensions.Logging;

namespace MailDns.Operator.Controllers;

/// <summary>
/// MTA-STS policies the operator manages (spec.mtaSts.mode): at every pass it renders each domain's policy (its MX
/// patterns from spec.mtaSts.mx, else from the domain's MX records), fetches what the policy URL serves, and lets the pure
/// <see cref="MtaStsPlanner"/> decide the id the _mta-sts record carries. It hands status.mtaSts to the SendingDomain
/// reconcile (<see cref="Changed"/>): the reconcile writes the new policy into status, every replica's public listener
/// serves it from there, and the next pass, seeing it served, moves the id (RFC 8461 §8.3). The policy also goes to a
/// ConfigMap beside the domain for users who serve it themselves (<see cref="PolicyConfigMaps"/>). Runs on the leader.
/// </summary>
public sealed class MtaStsController(
    ClusterCache cache,
    DomainStatusWriter writer,
    IKubernetes client,
    EventRecorder events,
    ControllerOptions options,
    TimeProvider time,
    ILogger<MtaStsController> logger
)
{
    private readonly ConcurrentDictionary<string, MtaStsStatus> desired = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> evaluatedGeneration = new(StringComparer.Ordinal);
    private readonly PeriodicPass loop = new("MTA-STS policy pass", options.MtaStsRefresh, time, logger);
    private readonly MxHosts mxHosts = new(options.Resolvers ?? Health.HealthTargetsResolver.SystemResolvers());
    private readonly PolicyConfigMaps configMaps = new(client);

    /// <summary>Raised with a SendingDomain key whose status.mtaSts should change: the reconcile writes and publishes it.</summary>
    public event Action<string>? Changed;

    public static bool Managed(SendingDomain domain) => domain.Spec.MtaSts?.Mode is not null;

    /// <summary>A copy of the domain with this controller's status.mtaSts in place, for the reconcile to render and write.</summary>
    public SendingDomain Applied(string key, SendingDomain domain)
    {
        if (!Managed(domain) || !desired.TryGetValue(key, out var mtaSts))
        {
            return domain;
        }

        var copy = KubernetesJson.Deserialize<SendingDomain>(KubernetesJson.Serialize(domain));
        copy.Status ??= new SendingDomainStatus();
        copy.Status.MtaSts = mtaSts;
        return copy;
    }

    /// <summary>
    /// A domain changed: a new spec is weighed at once, and so is a status write that puts the new policy where the
    /// listeners serve it (its id can move as soon as the URL serves it).
    /// </summary>
    public void DomainChanged(string key)
    {
        if (cache.Domains.TryGetValue(key, out var domain) && Managed(domain))
        {
            var wanted = desired.GetValueOrDefault(key);
            var written = domain.Status?.MtaSts;
            var newSpec = evaluatedGeneration.GetValueOrDefault(key, -1) != (domain.Metadata.Generation ?? 0);
            if (wanted is null || newSpec || (written?.Policy == wanted.Policy && !wanted.Current))
            {
                loop.Nudge();
            }
        }
    }

    public Task RunAsync(CancellationToken cancellationToken) => loop.RunAsync(EvaluateAllAsync, cancellationToken);

    public async Task EvaluateAllAsync(CancellationToken cancellationToken)
    {
        foreach (var (key, cached) in cache.Domains)
        {
            var domain = writer.Freshest(key, cached);
            if (domain.Metadata.DeletionTimestamp is not null || domain.Spec.MtaSts is not { Mode: { } mode } spec)
            {
                desired.TryRemove(key, out _);
                continue;
            }

            var name = DomainName.Normalize(domain.Spec.Domain);
            var current = desired.GetValueOrDefault(key) ?? domain.Status?.MtaSts;
            var (mx, mxError) = spec.Mx is { Count: > 0 } given
                ? ((IReadOnlyList<string>)given.ToList(), null)
                : await mxHosts.LookupAsync(name, cancellationToken);
            MtaStsStatus next;
            if (mxError is not null)
            {
                // No MX, no policy to render: the served policy and the published id stay as they were.
                next = Copy(current);
                next.Reason = MtaStsReasons.NoMx;
                next.Message = mxError;
            }
            else
            {
                var policy = MtaStsPolicy.For(mode, mx, DurationText.ParseOr(spec.MaxAge, Defaults.MtaStsMaxAge));
                var text = policy.Render();
                var fetched = await options.MtaStsFetcher.FetchAsync(name, cancellationToken);
                var plan = MtaStsPlanner.Plan(new MtaStsPlanInput(text, current?.PublishedId, fetched.Text, fetched.Error));
                next = new MtaStsStatus
                {
                    Mode = mode,
                    Mx = policy.Mx.ToList(),
                    MaxAge = policy.MaxAgeSeconds,
                    Policy = text,
                    PolicyId = MtaStsPolicy.IdOf(text),
                    PublishedId = plan.PublishId,
                    Current = plan.Current,
                    Reason = plan.Reason,
                    Message = plan.Message,
                };
                try
                {
                    await configMaps.WriteAsync(domain, text, next.PolicyId, cancellationToken);
                }
                catch (k8s.Autorest.HttpOperationException e)
                {
                    // The ConfigMap is for self-hosters; the policy the operator serves does not wait on it.
                    logger.LogWarning(
                        "{Key}: ConfigMap {Name} not written: {Status}",
                        key,
                        PolicyConfigMaps.NameOf(domain),
                        e.Response.StatusCode
                    );
                }

                if (current?.Policy is { } before && before != text)
                {
                    var note = $"new policy {next.PolicyId}: {Summary(policy)}";
                    await events.RecordAsync(domain, EventRecorder.Normal, "MtaStsPolicyChanged", note, cancellationToken);
                }

                if (plan.PublishId is { } id && id != current?.PublishedId)
                {
                    var note = $"_mta-sts.{name} id={id}: {plan.Message}";
                    await events.RecordAsync(domain, EventRecorder.Normal, "MtaStsIdPublished", note, cancellationToken);
                }
            }

            evaluatedGeneration[key] = domain.Metadata.Generation ?? 0;
            desired[key] = next;
            if (!Same(domain.Status?.MtaSts, next))
            {
                logger.LogInformation("{Key}: MTA-STS {Reason}: {Message}", key, next.Reason, next.Message);
                Changed?.Invoke(key);
            }
        }
    }

    private static string Summary(MtaStsPolicy policy) =>
        $"mode {policy.Mode}, mx {string.Join(", ", policy.Mx)}, max_age {policy.MaxAgeSeconds}";

    private static MtaStsStatus Copy(MtaStsStatus? status) =>
        status is null ? new MtaStsStatus() : KubernetesJson.Deserialize<MtaStsStatus>(KubernetesJson.Serialize(status));

    private static bool Same(MtaStsStatus? a, MtaStsStatus? b) =>
        a is not null && b is not null && KubernetesJson.Serialize(a) == KubernetesJson.Serialize(b);
}
