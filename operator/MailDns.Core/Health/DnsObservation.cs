using MailDns.Core.Names;
using MailDns.Core.Txt;

namespace MailDns.Core.Health;

public enum DnsType
{
    Txt,
    A,
    Aaaa,
    Mx,
    Srv,
}

/// <summary>A question the checks need answered; names are normalised (lower case, no trailing dot).</summary>
public sealed record DnsQuestion
{
    public DnsQuestion(string name, DnsType type)
    {
        Name = DomainName.Normalize(name);
        Type = type;
    }

    public string Name { get; }

    public DnsType Type { get; }

    public override string ToString() => $"{Name} {Type.ToString().ToUpperInvariant()}";
}

public enum LookupOutcome
{
    /// <summary>At least one record of the type.</summary>
    Answer,

    /// <summary>The name exists but has no record of the type (RCODE 0, empty answer): a void lookup.</summary>
    NoData,

    /// <summary>The name does not exist (RCODE 3): a void lookup.</summary>
    NxDomain,

    /// <summary>Timeout, SERVFAIL, REFUSED, a closed port: nothing is known, which is never a failure of the record.</summary>
    Failed,

    /// <summary>
    /// The name is an alias (CNAME) and this server did not answer for its target (another zone): the target
    /// must be asked of a resolver, as a receiver's resolver would follow it (RFC 1034 §3.6.2).
    /// </summary>
    Alias,

    /// <summary>The CNAME chain loops or is longer than <see cref="CnameChain.MaxLength"/>: no receiver gets an answer.</summary>
    CnameLoop,
}

/// <summary>
/// What one server said to one question. TXT records keep their character-strings (one inner list per record);
/// checks compare them joined, so a provider's re-splitting is never seen as a difference.
/// </summary>
public sealed record DnsAnswer(
    LookupOutcome Outcome,
    IReadOnlyList<IReadOnlyList<string>> Txt,
    IReadOnlyList<string> Hosts,
    int Count,
    string? Error = null
)
{
    /// <summary>The CNAME targets followed from the asked name, in order; empty when the name holds the records itself.</summary>
    public IReadOnlyList<string> Chain { get; init; } = [];

    /// <summary>Where the CNAME chain ends, when there is one.</summary>
    public string? Target => Chain.Count > 0 ? Chain[^1] : null;

    public static DnsAnswer NxDomain { get; } = new(LookupOutcome.NxDomain, [], [], 0);

    public static DnsAnswer NoData { get; } = new(LookupOutcome.NoData, [], [], 0);

    public static DnsAnswer Failed(string error) => new(LookupOutcome.Failed, [], [], 0, error);

    public static DnsAnswer OfTxt(params IReadOnlyList<string>[] records) =>
        records.Length == 0 ? NoData : new(LookupOutcome.Answer, records, [], records.Length);

    public static DnsAnswer OfTxtValues(params string[] values) => OfTxt(values.Select(TxtStrings.Split).ToArray());

    /// <summary>SRV records in <see cref="Records.SrvValue"/> form, carried in <see cref="Hosts"/> (priority weight port target).</summary>
    public static DnsAnswer OfSrv(params string[] values) => OfHosts(values);

    public static DnsAnswer OfAddresses(int count) => count == 0 ? NoData : new(LookupOutcome.Answer, [], [], count);

    public static DnsAnswer OfHosts(params string[] hosts) =>
        hosts.Length == 0 ? NoData : new(LookupOutcome.Answer, [], hosts, hosts.Length);

    public static DnsAnswer AliasTo(IReadOnlyList<string> chain) => new(LookupOutcome.Alias, [], [], 0) { Chain = chain };

    public static DnsAnswer Loop(string asked, IReadOnlyList<string> chain) =>
        new(LookupOutcome.CnameLoop, [], [], 0, $"CNAME chain {string.Join(" → ", chain.Prepend(asked))} loops or is too long")
        {
            Chain = chain,
        };

    public bool IsVoid => Outcome is LookupOutcome.NoData or LookupOutcome.NxDomain;

    /// <summary>No records can be judged: nothing came back, or the chain never ends.</summary>
    public bool IsUnanswered => Outcome is LookupOutcome.Failed or LookupOutcome.CnameLoop or LookupOutcome.Alias;

    /// <summary>"via CNAME a → b" for messages, empty without a chain.</summary>
    public string Via => Chain.Count == 0 ? "" : $" (via CNAME to {string.Join(" → ", Chain)})";

    /// <summary>The one value of a kind (SPF, DMARC) among the answer's records; null for none or several.</summary>
    public string? Only(Func<string, bool> kind)
    {
        string? only = null;
        var values = Joined;
        for (var i = 0; i < values.Count; i++)
        {
            if (kind(values[i]))
            {
                if (only is not null)
                {
                    return null;
                }

                only = values[i];
            }
        }

        return only;
    }

    /// <summary>Each TXT record's strings as one value. Kept once made: every round of a check reads it for every TXT answer.</summary>
    public IReadOnlyList<string> Joined => joined.Of(Txt);

    private readonly JoinedTxt joined = new();

    /// <summary>
    /// The joined values of the record set they were made from: a copy made with <c>with { Txt = ... }</c> shares the
    /// holder but not the record set, so it joins its own. Equal to every other holder, so an answer's equality stays
    /// that of its data. The pair is replaced whole, so checks reading one answer from two threads need no lock.
    /// </summary>
    private sealed class JoinedTxt
    {
        private sealed record Made(IReadOnlyList<IReadOnlyList<string>> From, IReadOnlyList<string> Values);

        private Made? made;

        public IReadOnlyList<string> Of(IReadOnlyList<IReadOnlyList<string>> txt)
        {
            if (txt.Count == 0)
            {
                return [];
            }

            if (made is { } last && ReferenceEquals(last.From, txt))
            {
                return last.Values;
            }

            var values = new string[txt.Count];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = TxtStrings.Join(txt[i]);
            }

            made = new Made(txt, values);
            return values;
        }

        public override bool Equals(object? obj) => obj is JoinedTxt;

        public override int GetHashCode() => 0;
    }
}

/// <summary>The answers of one authoritative server for the domain's own names.</summary>
public sealed record ServerView(string Server, IReadOnlyDictionary<DnsQuestion, DnsAnswer> Answers)
{
    public DnsAnswer Answer(string name, DnsType type = DnsType.Txt) =>
        Answers.TryGetValue(new DnsQuestion(name, type), out var answer) ? answer : DnsAnswer.Failed("not asked");
}

/// <summary>
/// Everything the gatherer learned: each authoritative server's answers for the domain's names, and the answers a
/// resolver gave for names outside them (SPF include targets, report authorisation records).
/// </summary>
public sealed record HealthObservation(
    string Domain,
    IReadOnlyList<ServerView> Authoritative,
    IReadOnlyDictionary<DnsQuestion, DnsAnswer> Resolved
)
{
    /// <summary>The check's parsed records, kept across its rounds by the gatherer.</summary>
    public RecordParses Parses { get; init; } = new();

    public DnsAnswer? Lookup(DnsQuestion question) => Resolved.TryGetValue(question, out var answer) ? answer : null;
}
