using MailDns.Core.Api;
using MailDns.Core.Names;
using MailDns.Core.Reputation;

namespace MailDns.Operator.Reputation;

/// <summary>What a SendingDomain's reputation check asks about: its sending addresses (SPF ip4/ip6 and spec.reputation.ips,
/// expanded) and its domain, which is also the DKIM d= domain the operator's keys sign for.</summary>
public static class ReputationTargets
{
    public static bool Enabled(SendingDomain domain) => domain.Spec.Reputation?.Enabled ?? Defaults.ReputationEnabled;

    public static (IReadOnlyList<string> Targets, IReadOnlyList<string> NotExpanded) Of(SendingDomain domain)
    {
        var spf = domain.Spec.Spf;
        var expansion = SendingAddresses.Expand((spf?.Ip4 ?? []).Concat(spf?.Ip6 ?? []).Concat(domain.Spec.Reputation?.Ips ?? []));
        IReadOnlyList<string> targets = [.. expansion.Addresses.Select(a => a.ToString()), DomainName.Normalize(domain.Spec.Domain)];
        return (targets, expansion.NotExpanded);
    }
}
