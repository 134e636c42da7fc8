namespace MailDns.Core.Reputation;

/// <summary>What every list said about one target and, for an address, its forward-confirmed reverse DNS.</summary>
public sealed record TargetResult(string Target, ListKind Kind, IReadOnlyList<ListResult> Results, FcrdnsResult? Fcrdns = null)
{
    public bool Listed => Results.Any(r => r.IsListing);

    /// <summary>Every answer was had (none refused or unknown), reverse DNS included.</summary>
    public bool FullyAnswered => Results.All(r => !r.IsUnanswered) && Fcrdns?.Status != FcrdnsStatus.Unknown;
}

/// <summary>One reputation check of a domain: the lists asked, each target's results, and the networks not expanded.</summary>
public sealed record ReputationReport(
    DateTimeOffset CheckedAt,
    IReadOnlyList<Blocklist> Lists,
    IReadOnlyList<TargetResult> Targets,
    IReadOnlyList<string> NotExpanded
);
