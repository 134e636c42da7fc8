using MailDns.Core.Spf;

namespace MailDns.Core.Health;

/// <summary>
/// One record of the SPF include tree: the term that led to it, its own DNS-querying terms, the branch total (what
/// receivers count against the limit of 10), and what went wrong there.
/// </summary>
public sealed record SpfNode(string Term, string Domain, int Own, IReadOnlyList<SpfNode> Children, string? Problem = null)
{
    public int Lookups => Own + Children.Sum(c => c.Lookups);
}

/// <summary>
/// Follows an SPF record through include and redirect as a receiver would (RFC 7208 §4.6.4), over answers already
/// gathered. Pure: what it could not find in the answers it returns as <see cref="Missing"/>, and the gatherer asks
/// for them and calls it again until nothing is missing.
/// </summary>
public sealed class SpfWalk
{
    /// <summary>A receiver gives up (permerror) after 10 DNS-querying terms; walking stops well past that.</summary>
    private const int WalkBudget = 40;

    private readonly Func<DnsQuestion, DnsAnswer?> lookup;
    private readonly RecordParses parses;
    private readonly Branch root;
    private IReadOnlyList<CheckResult>? results;
    private SpfNode? tree;
    private readonly HashSet<DnsQuestion> missing = [];
    private readonly List<string> loops = [];
    private readonly List<string> badTargets = [];
    private readonly List<string> bigMx = [];
    private readonly List<string> voids = [];
    private readonly List<string> failures = [];
    private readonly List<string> lookupTrail = [];
    private readonly Stack<Branch> branches = new();

    /// <summary>The tree being built: a node's term, domain and own count, its children and its problem.</summary>
    private sealed class Branch(string term, string domain)
    {
        public string Term { get; } = term;

        public string Domain { get; } = domain;

        public int Own { get; set; }

        public List<Branch> Children { get; } = [];

        public string? Problem { get; set; }

        public SpfNode Freeze() => new(Term, Domain, Own, Children.Select(c => c.Freeze()).ToList(), Problem);
    }

    private SpfWalk(Func<DnsQuestion, DnsAnswer?> lookup, RecordParses parses, Branch root)
    {
        this.lookup = lookup;
        this.parses = parses;
        this.root = root;
    }

    public IReadOnlyCollection<DnsQuestion> Missing => missing;

    public int Lookups => lookupTrail.Count;

    /// <summary>
    /// The verdicts, made on first use: while questions are missing the gatherer only needs <see cref="Missing"/>, and
    /// the walk runs again in the next round.
    /// </summary>
    public IReadOnlyList<CheckResult> Results => results ??= Verdicts();

    /// <summary>The include and redirect tree with lookups per branch (text and JSON output of check).</summary>
    public SpfNode Tree => tree ??= root.Freeze();

    /// <summary>Walks the record's includes and redirects; <c>parses</c> is the check's memo (a fresh one without).</summary>
    public static SpfWalk Run(string domain, SpfRecord record, Func<DnsQuestion, DnsAnswer?> lookup, RecordParses? parses = null)
    {
        var walk = new SpfWalk(lookup, parses ?? new RecordParses(), new Branch("", domain));
        walk.branches.Push(walk.root);
        walk.Visit(domain, record, [domain]);
        return walk;
    }

    private void Visit(string domain, SpfRecord record, List<string> path)
    {
        foreach (var mechanism in record.Mechanisms)
        {
            if (!mechanism.QueriesDns || lookupTrail.Count > WalkBudget)
            {
                continue;
            }

            var target = mechanism.DomainSpec ?? domain;
            lookupTrail.Add($"{mechanism.Name}:{target}");
            branches.Peek().Own++;
            if (target.Contains('%', StringComparison.Ordinal))
            {
                continue; // a macro is expanded per message; it counts, but there is nothing fixed to look up
            }

            switch (mechanism.Name)
            {
                case "include":
                    Follow(target, "include", path);
                    break;
                case "a":
                    CountVoid(target, "a", Ask(new DnsQuestion(target, DnsType.A)), Ask(new DnsQuestion(target, DnsType.Aaaa)));
                    break;
                case "mx":
                    var mx = Ask(new DnsQuestion(target, DnsType.Mx));
                    CountVoid(target, "mx", mx);
                    if (mx is { Outcome: LookupOutcome.Answer, Count: > SpfLinter.MaxLookups })
                    {
                        bigMx.Add($"mx:{target} has {mx.Count} hosts");
                    }

                    break;
                case "exists":
                    CountVoid(target, "exists", Ask(new DnsQuestion(target, DnsType.A)));
                    break;
            }
        }

        if (record.Redirect is { } redirect && record.All is null && lookupTrail.Count <= WalkBudget)
        {
            lookupTrail.Add($"redirect={redirect}");
            branches.Peek().Own++;
            if (!redirect.Contains('%', StringComparison.Ordinal))
            {
                Follow(redirect, "redirect", path);
            }
        }
    }

    private void Follow(string target, string how, List<string> path)
    {
        var branch = new Branch(how == "redirect" ? $"redirect={target}" : $"{how}:{target}", target);
        branches.Peek().Children.Add(branch);
        branches.Push(branch);
        try
        {
            branch.Problem = FollowInto(target, how, path);
        }
        finally
        {
            branches.Pop();
        }
    }

    /// <summary>Walks into one include or redirect target; returns what went wrong there, if anything.</summary>
    private string? FollowInto(string target, string how, List<string> path)
    {
        if (path.Contains(target, StringComparer.OrdinalIgnoreCase))
        {
            loops.Add(string.Join(" → ", path.Append(target)));
            return "loop";
        }

        var answer = Ask(new DnsQuestion(target, DnsType.Txt));
        if (answer is null)
        {
            return null;
        }

        if (answer.Outcome == LookupOutcome.CnameLoop)
        {
            badTargets.Add($"{how}:{target}: {answer.Error}");
            return answer.Error;
        }

        if (answer.IsUnanswered)
        {
            failures.Add($"{how}:{target} ({answer.Error})");
            return $"no answer: {answer.Error}";
        }

        CountVoid(target, how, answer);
        var spf = answer.Joined.Where(SpfParser.LooksLikeSpf).ToList();
        if (spf.Count != 1)
        {
            badTargets.Add(spf.Count == 0 ? $"{how}:{target} has no SPF record" : $"{how}:{target} has {spf.Count} SPF records");
            return spf.Count == 0 ? "no SPF record" : $"{spf.Count} SPF records";
        }

        var parsed = parses.Spf(spf[0]);
        if (parsed is null)
        {
            badTargets.Add($"{how}:{target} has an SPF record that does not parse");
            return "the SPF record does not parse";
        }

        Visit(target, parsed, [.. path, target]);
        return null;
    }

    private DnsAnswer? Ask(DnsQuestion question)
    {
        var answer = lookup(question);
        if (answer is null)
        {
            missing.Add(question);
            return null;
        }

        // A target that is a CNAME is what its chain ends in; one that resolves is not a void lookup (RFC 7208 §4.6.4).
        return answer.Outcome == LookupOutcome.Alias ? CnameChain.Follow(question.Name, question.Type, answer, lookup, missing) : answer;
    }

    private void CountVoid(string target, string how, params DnsAnswer?[] answers)
    {
        if (answers.Any(a => a is null))
        {
            return;
        }

        if (answers.Any(a => a!.IsUnanswered))
        {
            if (how is "a" or "mx" or "exists")
            {
                failures.Add($"{how}:{target} ({answers.First(a => a!.IsUnanswered)!.Error})");
            }

            return;
        }

        if (answers.All(a => a!.IsVoid))
        {
            voids.Add($"{how}:{target} ({(answers.Any(a => a!.Outcome == LookupOutcome.NxDomain) ? "NXDOMAIN" : "no data")})");
        }
    }

    /// <summary>The count (or "more than" the walk's budget), the limit, and the first terms that were counted.</summary>
    private static string LookupLimitMessage(int count, IReadOnlyList<string> trail)
    {
        var counted = count > WalkBudget ? $"more than {WalkBudget}" : count.ToString();
        var shown = string.Join(" ", trail.Take(SpfLinter.MaxLookups + 2)) + (count > SpfLinter.MaxLookups + 2 ? " ..." : "");
        var limit = $"(limit {SpfLinter.MaxLookups}, RFC 7208 §4.6.4)";
        return $"{counted} DNS-querying terms counted through include and redirect {limit}: {shown}";
    }

    private List<CheckResult> Verdicts()
    {
        var unknown = failures.Count > 0 ? $"could not follow {string.Join(", ", failures)}" : null;
        var results = new List<CheckResult>();

        var count = lookupTrail.Count;
        results.Add(
            count > SpfLinter.MaxLookups
                ? CheckResult.Fail(
                    "spf.lookup-limit",
                    LookupLimitMessage(count, lookupTrail)
                )
            : unknown is not null ? CheckResult.Unknown("spf.lookup-limit", unknown)
            : CheckResult.Pass("spf.lookup-limit", $"{count} of {SpfLinter.MaxLookups} DNS-querying terms used")
        );

        results.Add(
            voids.Count > 2
                ? CheckResult.Fail(
                    "spf.void-lookup-limit",
                    $"{voids.Count} void lookups (limit 2, RFC 7208 §4.6.4): {string.Join(", ", voids)}"
                )
            : unknown is not null ? CheckResult.Unknown("spf.void-lookup-limit", unknown)
            : voids.Count > 0
                ? CheckResult.Warn("spf.void-lookup-limit", $"{voids.Count} void lookup(s) of 2 allowed: {string.Join(", ", voids)}")
            : CheckResult.Pass("spf.void-lookup-limit", "no void lookups")
        );

        results.Add(
            loops.Count > 0
                ? CheckResult.Fail("spf.include-loop", $"include loop: {string.Join("; ", loops.Distinct())}")
                : CheckResult.Pass("spf.include-loop", "no include loops")
        );

        results.Add(
            badTargets.Count > 0
                ? CheckResult.Fail("spf.include-targets", $"receivers return permerror: {string.Join("; ", badTargets.Distinct())}")
            : unknown is not null ? CheckResult.Unknown("spf.include-targets", unknown)
            : CheckResult.Pass("spf.include-targets", "every include and redirect target has one SPF record")
        );

        results.Add(
            bigMx.Count > 0
                ? CheckResult.Fail(
                    "spf.mx-limit",
                    $"more than {SpfLinter.MaxLookups} MX hosts is a permerror (RFC 7208 §4.6.4): {string.Join("; ", bigMx)}"
                )
                : CheckResult.Pass("spf.mx-limit", "no mx mechanism names more than 10 hosts")
        );
        return results;
    }
}
