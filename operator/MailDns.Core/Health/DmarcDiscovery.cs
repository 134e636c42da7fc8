using MailDns.Core.Dmarc;
using MailDns.Core.Names;

namespace MailDns.Core.Health;

/// <summary>What the DNS tree walk found: the policy a receiver applies to mail from the domain, and its organisation.</summary>
/// <param name="PolicyDomain">Where the policy record was found; null when no record was found anywhere.</param>
/// <param name="Record">The policy record.</param>
/// <param name="AppliedPolicy">
/// The policy that applies to the domain: p at its own record, else sp (np for a name that does not exist); none when
/// the value there is not a policy (<see cref="ReceiverPolicy"/>).
/// </param>
/// <param name="OrganizationalDomain">
/// By the RFC 9989 rules; null when the walk found no record (then the caller falls back to the PSL).
/// </param>
/// <param name="Unknown">A lookup on the way failed: what lies above it is not known (a receiver would temperror without a policy).</param>
/// <param name="Missing">The next question the walk needs answered.</param>
public sealed record DmarcDiscoveryResult(
    string? PolicyDomain,
    string? Record,
    string? AppliedPolicy,
    string? OrganizationalDomain,
    string? Unknown,
    IReadOnlyCollection<DnsQuestion> Missing
)
{
    /// <summary>The policy record linted (the walk lints it to read p, sp and psd), so callers need not lint it again.</summary>
    public DmarcLintResult? Lint { get; init; }

    /// <summary>Why a receiver applies none to a record that asks for something else (<see cref="ReceiverPolicy"/>).</summary>
    public string? PolicyReason { get; init; }

    public bool Inherited(string domain) => PolicyDomain is not null && PolicyDomain != DomainName.Normalize(domain);
}

/// <summary>
/// DMARC policy discovery and the organisational domain by the DNS tree walk of RFC 9989 §4.10: ask _dmarc at the
/// domain, then at its parents one label at a time (jumping to seven labels first for longer names), at most eight
/// queries. Pure: answers come from <c>lookup</c>, and what it lacks it returns as Missing.
/// </summary>
public static class DmarcDiscovery
{
    public const int MaxQueries = 8;

    /// <summary>The names whose _dmarc is asked, in order: the domain, then its parents down to one label.</summary>
    public static IReadOnlyList<string> Targets(string domain)
    {
        var name = DomainName.Normalize(domain);
        return Starts(name).Select(start => name[start..]).ToList();
    }

    /// <summary>Where each name of <see cref="Targets"/> starts in the normalised domain: each parent is a suffix of it.</summary>
    private static List<int> Starts(string name)
    {
        var dots = new List<int> { 0 };
        for (var dot = name.IndexOf('.', StringComparison.Ordinal); dot >= 0; dot = name.IndexOf('.', dot + 1))
        {
            dots.Add(dot + 1);
        }

        if (dots.Count > MaxQueries)
        {
            // The domain, then its parents of seven labels down to one.
            dots.RemoveRange(1, dots.Count - MaxQueries);
        }

        return dots;
    }

    /// <summary>The walk from <c>domain</c> up; <c>parses</c> is the check's memo of parsed records (a fresh one without).</summary>
    public static DmarcDiscoveryResult Discover(
        string domain,
        Func<DnsQuestion, DnsAnswer?> lookup,
        bool domainExists = true,
        RecordParses? parses = null
    )
    {
        parses ??= new RecordParses();
        domain = DomainName.Normalize(domain);
        string? policyDomain = null;
        string? record = null;
        DmarcLintResult? policy = null;
        string? organization = null;
        string? fewest = null;
        // The question's name is made from the suffix directly; a parent's own name only when the walk keeps it.
        foreach (var start in Starts(domain))
        {
            var question = new DnsQuestion(string.Concat("_dmarc.", domain.AsSpan(start)), DnsType.Txt);
            var answer = lookup(question);
            if (answer is null)
            {
                return new(null, null, null, null, null, [question]);
            }

            if (answer.IsUnanswered)
            {
                // A policy found below still applies; only the organisation above it is not known.
                var known = policy is null ? null : ReceiverPolicy.Of(policy, policyDomain != domain, domainExists);
                return new(policyDomain, record, known?.Policy, null, $"{question.Name}: {answer.Error}", [])
                {
                    Lint = policy,
                    PolicyReason = known?.Reason,
                };
            }

            // RFC 9989 §4.10.1 step 2: anything but exactly one v=DMARC1 record counts as none.
            var found = answer.Only(ServedRecordChecks.IsDmarc);
            if (found is null)
            {
                continue;
            }

            var target = start == 0 ? domain : domain[start..];
            var lint = parses.Dmarc(found);
            if (policyDomain is null)
            {
                policyDomain = target;
                record = found;
                policy = lint;
            }

            var psd = lint.Value("psd");
            if (psd == "n")
            {
                organization = target;
                break;
            }

            if (psd == "y" && start != 0)
            {
                // §4.10.2: the organisational domain is the one just below a public suffix operator's record.
                var labels = target.Split('.').Length;
                organization = string.Join('.', domain.Split('.')[^(labels + 1)..]);
                break;
            }

            fewest = target;
        }

        organization ??= fewest;
        var applied = policy is null ? null : ReceiverPolicy.Of(policy, policyDomain != domain, domainExists);
        return new(policyDomain, record, applied?.Policy, organization, null, []) { Lint = policy, PolicyReason = applied?.Reason };
    }
}
