namespace MailDns.Core.Dkim.Rotation;

/// <summary>What the authoritative nameservers serve at a selector, compared with what the key state wants.</summary>
public enum SelectorDnsState
{
    /// <summary>Every authoritative server serves exactly this key.</summary>
    ServesKey,

    /// <summary>Every authoritative server serves the record revoked (p= empty).</summary>
    ServesRevoked,

    /// <summary>No authoritative server has a record at the selector.</summary>
    Absent,

    /// <summary>The servers disagree, or serve another value (propagation under way, or a stale secondary).</summary>
    Mixed,

    /// <summary>At least one server did not answer: nothing can be concluded.</summary>
    Unknown,
}

public sealed record SelectorObservation(string Selector, SelectorDnsState State, DateTimeOffset ObservedAt);
