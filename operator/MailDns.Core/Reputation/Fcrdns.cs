using System.Net;
using MailDns.Core.Names;

namespace MailDns.Core.Reputation;

public enum FcrdnsStatus
{
    Pass,
    Fail,
    Unknown,
}

/// <summary>An address's forward-confirmed reverse DNS: pass, fail or unknown, the PTR names, and why.</summary>
public sealed record FcrdnsResult(FcrdnsStatus Status, IReadOnlyList<string> Names, string Message);

/// <summary>
/// Forward-confirmed reverse DNS (RFC 8601 §2.7.3 "iprev"), the Gmail and Yahoo bulk-sender requirement: the address has
/// a PTR name, and that name resolves back to the address. Pure: the gatherer asks the PTR, then the forward question of
/// each name <see cref="Forwards"/> lists, then calls <see cref="Judge"/>. As iprev, a lookup that failed is a temporary
/// error (unknown), not a fail; only answers that exist and disagree, or a PTR that does not exist, fail.
/// </summary>
public static class Fcrdns
{
    /// <summary>How many PTR names are followed (RFC 8601 §2.7.3 lets a verifier stop after a few; 10 as for SPF's ptr).</summary>
    public const int MaxNames = 10;

    /// <summary>The names whose forward addresses are needed, in the order asked.</summary>
    public static IReadOnlyList<string> Forwards(LookupAnswer ptr) =>
        ptr.Outcome == LookupOutcome.Answered
            ? ptr.Values.Select(DomainName.Normalize).Distinct(StringComparer.Ordinal).Take(MaxNames).ToList()
            : [];

    public static FcrdnsResult Judge(IPAddress address, LookupAnswer ptr, IReadOnlyDictionary<string, LookupAnswer> forward)
    {
        var ptrName = ListQueryName.Ptr(address);
        switch (ptr.Outcome)
        {
            case LookupOutcome.NxDomain:
            case LookupOutcome.NoData:
                return new FcrdnsResult(FcrdnsStatus.Fail, [], $"{address}: no PTR record at {ptrName}");
            case LookupOutcome.Refused:
            case LookupOutcome.Failed:
                return new FcrdnsResult(FcrdnsStatus.Unknown, [], $"{address}: PTR lookup failed: {ptr.Error}");
        }

        var names = Forwards(ptr);
        var confirmed = names.FirstOrDefault(n =>
            forward.TryGetValue(n, out var a) && a.Values.Any(v => IPAddress.TryParse(v, out var back) && back.Equals(address))
        );
        if (confirmed is not null)
        {
            return new FcrdnsResult(FcrdnsStatus.Pass, names, $"{address}: {confirmed} resolves back to it");
        }

        var failed = names
            .Where(n => !forward.TryGetValue(n, out var a) || a.Outcome is LookupOutcome.Failed or LookupOutcome.Refused)
            .ToList();
        return failed.Count > 0
            ? new FcrdnsResult(FcrdnsStatus.Unknown, names, $"{address}: forward lookup of {string.Join(", ", failed)} failed")
            : new FcrdnsResult(
                FcrdnsStatus.Fail,
                names,
                $"{address}: PTR {string.Join(", ", names)} does not resolve back to it (forward-confirmed reverse DNS fails)"
            );
    }
}
