namespace MailDns.Core.Dkim.Rotation;

/// <summary>One authoritative server's answer at a selector: the TXT records (each a list of strings), none, or no answer.</summary>
public sealed record ServerAnswer(string Server, IReadOnlyList<IReadOnlyList<string>>? Records, bool Failed = false);

/// <summary>Turns the answers of every authoritative server into one <see cref="SelectorDnsState"/> for a key.</summary>
public static class SelectorClassifier
{
    public static SelectorDnsState Classify(DkimKey key, IReadOnlyList<ServerAnswer> answers)
    {
        if (answers.Count == 0 || answers.Any(a => a.Failed))
        {
            return SelectorDnsState.Unknown;
        }

        var states = answers.Select(a => One(key, a)).Distinct().ToList();
        return states.Count == 1 ? states[0] : SelectorDnsState.Mixed;
    }

    private static SelectorDnsState One(DkimKey key, ServerAnswer answer)
    {
        var records = answer.Records ?? [];
        if (records.Count == 0)
        {
            return SelectorDnsState.Absent;
        }

        if (records.Count > 1)
        {
            return SelectorDnsState.Mixed;
        }

        var lint = DkimKeyRecordLinter.Lint(records[0]);
        return lint.Revoked ? SelectorDnsState.ServesRevoked
            : lint.PublicKey == key.PublicKey && lint.KeyType == key.Algorithm.KeyType() ? SelectorDnsState.ServesKey
            : SelectorDnsState.Mixed;
    }
}
