namespace MailDns.Core.Reputation;

/// <summary>How a reputation question was answered.</summary>
public enum LookupOutcome
{
    /// <summary>Records of the asked type (addresses or PTR names) in <see cref="LookupAnswer.Values"/>.</summary>
    Answered,

    /// <summary>NXDOMAIN: the name does not exist (for a list: not listed).</summary>
    NxDomain,

    /// <summary>The name exists without records of the asked type.</summary>
    NoData,

    /// <summary>The resolver answered REFUSED.</summary>
    Refused,

    /// <summary>No answer: a timeout, SERVFAIL, an unreachable resolver.</summary>
    Failed,
}

/// <summary>
/// One answer as the reputation checks need it: the values (address text or host names), how long it may be kept (its
/// TTL, or the negative TTL of RFC 2308 §5 for NXDOMAIN and NODATA), and what went wrong when nothing came back.
/// </summary>
public sealed record LookupAnswer(LookupOutcome Outcome, IReadOnlyList<string> Values, TimeSpan Ttl, string? Error = null)
{
    public static LookupAnswer Of(IReadOnlyList<string> values, TimeSpan ttl) => new(LookupOutcome.Answered, values, ttl);

    public static LookupAnswer NxDomain(TimeSpan ttl) => new(LookupOutcome.NxDomain, [], ttl);

    public static LookupAnswer NoData(TimeSpan ttl) => new(LookupOutcome.NoData, [], ttl);

    public static LookupAnswer Refused(string error) => new(LookupOutcome.Refused, [], TimeSpan.Zero, error);

    public static LookupAnswer Failed(string error) => new(LookupOutcome.Failed, [], TimeSpan.Zero, error);

    /// <summary>Whether the answer may be cached: only real answers, never a failure.</summary>
    public bool Cacheable => Outcome is LookupOutcome.Answered or LookupOutcome.NxDomain or LookupOutcome.NoData;
}
