using MailDns.Core.Api;
using MailDns.Core.Names;

namespace MailDns.Core.Validation;

/// <summary>
/// One spec.domain, one SendingDomain. Two of them (in any namespaces) would publish over each other's SPF and
/// DMARC and rotate keys for the same names, so the first claim wins: the earliest creationTimestamp, then
/// namespace/name. The later one publishes nothing and says who holds the domain.
/// </summary>
public static class DomainClaims
{
    /// <summary>The SendingDomain that holds <paramref name="domain"/>'s spec.domain before it, or null when it is first.</summary>
    public static SendingDomain? HeldBy(SendingDomain domain, IEnumerable<SendingDomain> all)
    {
        var name = DomainName.Normalize(domain.Spec.Domain ?? "");
        return all.Where(other =>
                other.Key != domain.Key
                && other.Metadata.DeletionTimestamp is null
                && DomainName.Normalize(other.Spec.Domain ?? "") == name
                && Order(other).CompareTo(Order(domain)) < 0
            )
            .OrderBy(Order)
            .FirstOrDefault();
    }

    public static string Message(SendingDomain holder) =>
        $"spec.domain {DomainName.Normalize(holder.Spec.Domain)} is already the domain of SendingDomain {holder.Key}: one domain has "
        + "one SendingDomain; this one publishes nothing until that one is deleted or this spec.domain changes";

    private static (DateTime, string) Order(SendingDomain sd) => (sd.Metadata.CreationTimestamp ?? DateTime.MaxValue, sd.Key);
}
