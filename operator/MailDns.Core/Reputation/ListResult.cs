namespace MailDns.Core.Reputation;

/// <summary>One list's verdict on one target. Refused and unknown are "no answer", never a listing and never clean.</summary>
public enum ListStatus
{
    Clean,
    Listed,
    Refused,
    Unknown,
}

/// <summary>What one list said about one target: its status, the codes it answered, and what they mean.</summary>
public sealed record ListResult(Blocklist List, ListStatus Status, IReadOnlyList<string> Codes, string Meaning)
{
    /// <summary>A listing on a blocklist (a hit on an allowlist is good news).</summary>
    public bool IsListing => Status == ListStatus.Listed && !List.Allowlist;

    /// <summary>No usable answer: refused by the list or the resolver, or unreachable.</summary>
    public bool IsUnanswered => Status is ListStatus.Refused or ListStatus.Unknown;
}
