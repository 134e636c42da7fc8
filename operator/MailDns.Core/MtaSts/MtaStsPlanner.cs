namespace MailDns.Core.MtaSts;

/// <summary>What the planner knows: the policy wanted, the id published now, and what the policy URL serves.</summary>
/// <param name="Desired">The rendered policy text the spec asks for.</param>
/// <param name="PublishedId">The id the _mta-sts record carries now (status), or null before the first.</param>
/// <param name="Served">The text fetched from https://mta-sts.DOMAIN/.well-known/mta-sts.txt, or null when the fetch failed.</param>
/// <param name="FetchError">Why the fetch failed, for the message.</param>
public sealed record MtaStsPlanInput(string Desired, string? PublishedId, string? Served, string? FetchError);

/// <summary>The id to publish now, whether the desired policy is live, and why.</summary>
public sealed record MtaStsPlan(string? PublishId, bool Current, string Reason, string Message);

/// <summary>
/// The RFC 8461 §8.3 ordering as a pure function: a sender that sees a new id fetches the policy and keeps what it gets
/// for max_age, so the id moves to the new policy's only once the policy URL serves exactly that policy; until then the
/// record keeps the old id (or, for a first policy, is not published at all). Invariants: the published id is always
/// the id of a policy that was served when it was published; the id never moves to a policy that is not served.
/// </summary>
public static class MtaStsPlanner
{
    public const string Published = MtaStsReasons.Published;
    public const string WaitingForServing = MtaStsReasons.NotServed;

    public static MtaStsPlan Plan(MtaStsPlanInput input)
    {
        var desiredId = MtaStsPolicy.IdOf(input.Desired);
        if (input.PublishedId == desiredId)
        {
            return new MtaStsPlan(desiredId, true, Published, $"policy {desiredId} is served and its id published");
        }

        if (input.Served == input.Desired)
        {
            return new MtaStsPlan(desiredId, true, Published, $"policy {desiredId} is served; its id is published");
        }

        var seen = input.Served is null
            ? $"the policy URL could not be read: {input.FetchError}"
            : $"the policy URL serves {MtaStsPolicy.IdOf(input.Served)}";
        var keeping = input.PublishedId is null ? "no _mta-sts record yet" : $"the record keeps id {input.PublishedId}";
        return new MtaStsPlan(
            input.PublishedId,
            false,
            WaitingForServing,
            $"policy {desiredId} is not served yet ({seen}); {keeping} (RFC 8461 §8.3)"
        );
    }
}

/// <summary>The reasons status.mtaSts gives, named once.</summary>
public static class MtaStsReasons
{
    public const string Published = "PolicyPublished";
    public const string NotServed = "PolicyNotServed";
    public const string NoMx = "NoMxHosts";
    public const string Withdrawing = "PolicyWithdrawing";
}
