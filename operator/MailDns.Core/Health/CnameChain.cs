namespace MailDns.Core.Health;

/// <summary>
/// Follows CNAMEs the way a receiver's resolver does: an answer that stopped at an alias whose target the server
/// did not serve is continued by asking for the target. Chains are bounded; a loop is reported, never followed.
/// </summary>
public static class CnameChain
{
    /// <summary>Resolvers give up on long chains (BIND stops at 16 steps); eight is more than any ESP delegation uses.</summary>
    public const int MaxLength = 8;

    /// <summary>
    /// Follows <paramref name="answer"/> to its end through <paramref name="lookup"/>. Returns null when the next
    /// step is not known yet, after adding it to <paramref name="missing"/>.
    /// </summary>
    public static DnsAnswer? Follow(
        string asked,
        DnsType type,
        DnsAnswer answer,
        Func<DnsQuestion, DnsAnswer?> lookup,
        ISet<DnsQuestion> missing
    )
    {
        var chain = answer.Chain.ToList();
        while (answer.Outcome == LookupOutcome.Alias)
        {
            var question = new DnsQuestion(chain[^1], type);
            var next = lookup(question);
            if (next is null)
            {
                missing.Add(question);
                return null;
            }

            foreach (var name in next.Chain)
            {
                if (chain.Count >= MaxLength || name == DnsQuestionName(asked) || chain.Contains(name, StringComparer.Ordinal))
                {
                    return DnsAnswer.Loop(asked, [.. chain, name]);
                }

                chain.Add(name);
            }

            answer = next with { Chain = chain.ToList() };
        }

        return answer;
    }

    private static string DnsQuestionName(string name) => new DnsQuestion(name, DnsType.Txt).Name;
}
