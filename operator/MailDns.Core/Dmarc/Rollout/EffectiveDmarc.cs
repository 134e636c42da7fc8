using MailDns.Core.Api;

namespace MailDns.Core.Dmarc.Rollout;

/// <summary>
/// The DMARC block the record is rendered from. Without a rollout, spec.dmarc as written. With one, the policy and t=
/// of the stage in status.dmarc, kept between where the rollout starts (spec.dmarc.policy) and its target, so a spec
/// change that moves either is obeyed at once; before the first status, the start.
/// </summary>
public static class EffectiveDmarc
{
    public static RolloutStage? Stage(SendingDomain domain) =>
        RolloutSettings.Of(domain.Spec.Dmarc) is { } settings ? Clamp(RolloutStage.Parse(domain.Status?.Dmarc?.Stage), settings) : null;

    public static RolloutStage Clamp(RolloutStage? stage, RolloutSettings settings)
    {
        var highest = Math.Max(settings.Start.Rank, settings.Target.Rank);
        var rank = Math.Clamp(stage?.Rank ?? settings.Start.Rank, settings.Start.Rank, highest);
        return RolloutStage.Road[rank];
    }

    public static DmarcSpec? Of(SendingDomain domain)
    {
        var dmarc = domain.Spec.Dmarc;
        if (dmarc is null || Stage(domain) is not { } stage)
        {
            return dmarc;
        }

        return new DmarcSpec
        {
            Policy = stage.Policy,
            Testing = stage.Testing ? true : null,
            SubdomainPolicy = dmarc.SubdomainPolicy,
            NonExistentSubdomainPolicy = dmarc.NonExistentSubdomainPolicy,
            AggregateReportUris = dmarc.AggregateReportUris,
            FailureReportUris = dmarc.FailureReportUris,
            DkimAlignment = dmarc.DkimAlignment,
            SpfAlignment = dmarc.SpfAlignment,
            FailureOptions = dmarc.FailureOptions,
            Rollout = dmarc.Rollout,
        };
    }
}
