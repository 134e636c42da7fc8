using MailDns.Core.Dmarc;
using MailDns.Core.Findings;
using MailDns.Core.Names;
using MailDns.Core.Records;
using MailDns.Core.Spf;
using MailDns.Core.TagLists;

namespace MailDns.Core.Health;

/// <summary>
/// The health of a sending domain as one pure function of what was observed (and, when known, what was expected).
/// Questions it could not answer from the observation are returned, so the gatherer can ask them and call again.
/// </summary>
public static class HealthEvaluator
{
    /// <summary>
    /// What the observation says, and what it still lacks. The report is built on first use: while questions are missing
    /// the gatherer only needs them, and the per-server checks (DKIM key parsing above all) are most of the work.
    /// </summary>
    public sealed class Evaluation(Func<HealthReport> report, IReadOnlyCollection<DnsQuestion> missing)
    {
        private readonly Lazy<HealthReport> report = new(report, LazyThreadSafetyMode.None);

        public HealthReport Report => report.Value;

        public IReadOnlyCollection<DnsQuestion> Missing { get; } = missing;
    }

    public static Evaluation Evaluate(HealthObservation observed, IEnumerable<string> selectors, HealthExpectation? expected)
    {
        var domain = DomainName.Normalize(observed.Domain);
        var chosen = HealthQuestions.Selectors(selectors, expected);
        var missing = new HashSet<DnsQuestion>();

        if (observed.Authoritative.Count == 0)
        {
            var nowhere = new HealthReport(
                domain,
                [CheckResult.Unknown("dns.authoritative", $"no authoritative nameserver found for {domain}")]
            );
            return new Evaluation(() => nowhere, missing);
        }

        // An authoritative server answers a CNAME into another zone with the alias alone; the rest of the chain is
        // what a receiver's resolver finds, so it is asked of the resolvers, once for all servers.
        var servers = observed.Authoritative.Select(s => FollowAliases(s, observed, missing)).ToList();
        observed = observed with { Authoritative = servers };

        // Receivers follow the SPF record through resolvers; follow the one the servers serve (the first server that
        // gives exactly one), so a stale secondary is reported by the per-server checks rather than twice.
        SpfWalk? walk = null;
        var spf = FirstSingle(servers, domain, SpfParser.LooksLikeSpf);
        if (spf is not null && observed.Parses.Spf(spf) is { } record)
        {
            var served = DnsAnswer.OfTxtValues(spf);
            walk = SpfWalk.Run(
                domain,
                record,
                q => q.Name == domain && q.Type == DnsType.Txt ? served : observed.Lookup(q),
                observed.Parses
            );
            AddMissing(missing, walk.Missing);
        }

        var (dmarc, dmarcAbsent) = DmarcPolicy(domain, observed, expected, missing);
        return new Evaluation(
            () =>
            {
                var perServer = servers
                    .Select(s => (s.Server, Results: ServedRecordChecks.For(s, domain, chosen, expected, observed.Parses).ToList()))
                    .ToList();
                var checks = Merge(perServer).ToList();
                if (dmarcAbsent)
                {
                    // The walk's verdict replaces what each server said about its own (missing) record.
                    checks.RemoveAll(c => c.Id is "dmarc.exists" or "dmarc.single" or "dmarc.syntax" or "dmarc.policy");
                }

                checks.AddRange(walk?.Results ?? []);
                checks.AddRange(dmarc);
                return new HealthReport(domain, checks) { SpfTree = walk?.Tree };
            },
            missing
        );
    }

    /// <summary>
    /// The policy receivers apply. With one record at _dmarc.domain it is that record; with none at every server, the
    /// RFC 9989 §4.10 tree walk through the resolvers decides, so a subdomain inheriting its organisation's policy is
    /// healthy and says where the policy came from. The organisational domain for report authorisation comes from the
    /// same walk, and from the Public Suffix List when the walk finds no record.
    /// </summary>
    private static (List<CheckResult> Results, bool Absent) DmarcPolicy(
        string domain,
        HealthObservation observed,
        HealthExpectation? expected,
        HashSet<DnsQuestion> missing
    )
    {
        var dmarcName = $"_dmarc.{domain}"; // made once: the walk's lookup below compares every question with it
        var exists = false;
        var absent = true;
        foreach (var server in observed.Authoritative)
        {
            exists |= server.Answer(domain).Outcome != LookupOutcome.NxDomain;
            var own = server.Answer(dmarcName);
            absent &= !own.IsUnanswered && !own.Joined.Any(ServedRecordChecks.IsDmarc);
        }

        if (expected?.Requires(RecordPurpose.Dmarc) == false && absent)
        {
            return ([], false);
        }

        var single = FirstSingle(observed.Authoritative, dmarcName, ServedRecordChecks.IsDmarc);
        var served = single is null ? DnsAnswer.NoData : DnsAnswer.OfTxtValues(single);
        var walk = DmarcDiscovery.Discover(
            domain,
            q => q.Name == dmarcName && q.Type == DnsType.Txt ? served : observed.Lookup(q),
            exists,
            observed.Parses
        );
        AddMissing(missing, walk.Missing);
        var results = new List<CheckResult>();
        if (absent)
        {
            results.AddRange(Inherited(domain, walk, expected, observed.Parses));
        }

        var record = single ?? (absent ? walk.Record : null);
        if (record is not null && walk.Missing.Count == 0)
        {
            // RFC 9990 §3: the destination authorises the domain that published the record holding rua/ruf, which for
            // an inherited policy is the domain it was found at, not the subdomain the mail came from.
            var publisher = single is null && walk.PolicyDomain is { } found ? found : domain;
            var organisation = walk.OrganizationalDomain ?? DomainName.Organizational(domain);
            results.AddRange(ReportAuthorization(publisher, organisation, observed.Parses.Dmarc(record), observed, missing));
        }

        return (results, absent);
    }

    private static IEnumerable<CheckResult> Inherited(
        string domain,
        DmarcDiscoveryResult walk,
        HealthExpectation? expected,
        RecordParses parses
    )
    {
        if (walk.Missing.Count > 0)
        {
            yield return CheckResult.Unknown("dmarc.exists", $"no record at _dmarc.{domain}; walking up the DNS tree (RFC 9989 §4.10)");
            yield break;
        }

        if (walk.Unknown is not null && walk.PolicyDomain is null)
        {
            yield return CheckResult.Unknown(
                "dmarc.exists",
                $"no record at _dmarc.{domain}, and the DNS tree walk above it got no answer: {walk.Unknown}"
            );
            yield break;
        }

        if (walk.PolicyDomain is null || walk.Record is null)
        {
            yield return CheckResult.Fail(
                "dmarc.exists",
                $"no DMARC record at _dmarc.{domain} or above it (RFC 9989 §4.10 tree walk): receivers apply no policy and send no reports"
            );
            yield break;
        }

        var applied = walk.AppliedPolicy ?? "none";
        yield return CheckResult.Pass(
            "dmarc.exists",
            $"no record at _dmarc.{domain}: receivers apply the policy of {walk.PolicyDomain} "
                + $"(_dmarc.{walk.PolicyDomain}, RFC 9989 §4.10), "
                + $"which gives this domain p={applied}"
        );
        var lint = parses.Dmarc(walk.Record);
        yield return lint.Findings.HasErrors()
            ? CheckResult.Fail(
                "dmarc.syntax",
                $"the record at _dmarc.{walk.PolicyDomain}: "
                    + string.Join("; ", lint.Findings.Where(f => f.Severity == Severity.Error).Select(f => $"{f.Code}: {f.Message}"))
            )
            : CheckResult.Pass("dmarc.syntax", $"the record at _dmarc.{walk.PolicyDomain} is valid");
        var because = walk.PolicyReason is { } reason ? $": {reason}" : "";
        yield return expected?.DmarcPolicy is { } wanted && !string.Equals(wanted, applied, StringComparison.OrdinalIgnoreCase)
            ? CheckResult.Fail(
                "dmarc.policy",
                $"p={applied} applies (from {walk.PolicyDomain}) but the spec asks for p={wanted.ToLowerInvariant()}{because}"
            )
        : applied == "none"
            ? CheckResult.Warn(
                "dmarc.policy",
                $"p=none (from {walk.PolicyDomain}) monitors only: spoofed mail is still delivered{because}"
            )
        : CheckResult.Pass("dmarc.policy", $"p={applied} (from {walk.PolicyDomain})");
    }

    /// <summary>
    /// The record of a kind the first server serving exactly one serves at the name, so a stale secondary is reported by
    /// the per-server checks rather than twice; null when none serves exactly one.
    /// </summary>
    private static string? FirstSingle(IReadOnlyList<ServerView> servers, string name, Func<string, bool> kind)
    {
        foreach (var server in servers)
        {
            if (server.Answer(name).Only(kind) is { } record)
            {
                return record;
            }
        }

        return null;
    }

    /// <summary>Most walks lack nothing; UnionWith would still box an enumerator for each.</summary>
    private static void AddMissing(HashSet<DnsQuestion> missing, IReadOnlyCollection<DnsQuestion> more)
    {
        if (more.Count > 0)
        {
            missing.UnionWith(more);
        }
    }

    private static ServerView FollowAliases(ServerView server, HealthObservation observed, HashSet<DnsQuestion> missing)
    {
        if (!server.Answers.Values.Any(a => a.Outcome == LookupOutcome.Alias))
        {
            return server;
        }

        var answers = server.Answers.ToDictionary(
            p => p.Key,
            p =>
                p.Value.Outcome == LookupOutcome.Alias
                    ? CnameChain.Follow(p.Key.Name, p.Key.Type, p.Value, observed.Lookup, missing)
                        ?? DnsAnswer.Failed($"the CNAME to {p.Value.Target} is not followed yet")
                    : p.Value
        );
        return server with { Answers = answers };
    }

    /// <summary>
    /// RFC 9990 §3 (RFC 7489 §7.1): a report destination outside the domain's organisation must publish
    /// <c>&lt;domain&gt;._report._dmarc.&lt;destination&gt;</c> with v=DMARC1, or receivers send it nothing.
    /// </summary>
    private static IEnumerable<CheckResult> ReportAuthorization(
        string domain,
        string organisation,
        DmarcLintResult dmarc,
        HealthObservation observed,
        HashSet<DnsQuestion> missing
    )
    {
        var external = dmarc
            .ReportUris("rua")
            .Concat(dmarc.ReportUris("ruf"))
            .Select(u => ReportUri.Parse(u, allowSizeLimit: true))
            .Where(u => u is { Scheme: "mailto", Domain: not null } && !InOrganisation(u.Domain!, organisation, observed, missing))
            .Select(u => u!.Domain!)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
        if (external.Count == 0)
        {
            yield return CheckResult.Pass("dmarc.external-report-authorization", "no report destination outside the domain's organisation");
            yield break;
        }

        foreach (var destination in external)
        {
            var question = new DnsQuestion($"{domain}._report._dmarc.{destination}", DnsType.Txt);
            var answer = observed.Lookup(question);
            if (answer is null)
            {
                missing.Add(question);
                yield return CheckResult.Unknown("dmarc.external-report-authorization", $"{question.Name} not looked up yet");
            }
            else if (answer.IsUnanswered)
            {
                yield return CheckResult.Unknown("dmarc.external-report-authorization", $"{question.Name}: no answer: {answer.Error}");
            }
            else if (answer.Joined.Any(ServedRecordChecks.IsDmarc))
            {
                yield return CheckResult.Pass("dmarc.external-report-authorization", $"{destination} authorises reports for {domain}");
            }
            else
            {
                yield return CheckResult.Fail(
                    "dmarc.external-report-authorization",
                    $"{destination} does not publish {question.Name} (v=DMARC1): receivers will not send it reports"
                );
            }
        }
    }

    /// <summary>
    /// A destination belongs to the domain's organisation when its own organisational domain is the same: by the tree
    /// walk where it finds a record, else by the Public Suffix List (so reports.example.co.uk is not example.co.uk's
    /// neighbour other.co.uk).
    /// </summary>
    private static bool InOrganisation(string destination, string organisation, HealthObservation observed, HashSet<DnsQuestion> missing)
    {
        if (!DomainName.IsInZone(destination, organisation))
        {
            return false;
        }

        var walk = DmarcDiscovery.Discover(destination, observed.Lookup, parses: observed.Parses);
        AddMissing(missing, walk.Missing);
        return (walk.OrganizationalDomain ?? DomainName.Organizational(destination)) == organisation;
    }

    /// <summary>
    /// One result per check when every server agrees; when they disagree, one result per server, naming it, so a
    /// stale secondary is visible as the server that differs.
    /// </summary>
    public static IEnumerable<CheckResult> Merge(IReadOnlyList<(string Server, List<CheckResult> Results)> perServer)
        => perServer.Count == 1 ? FirstOfEachKey(perServer[0].Results) : MergeServers(perServer);

    /// <summary>
    /// One server agrees with itself: its results as they are, the first of any repeated key. A check has a few dozen
    /// results, so the kept ones are searched rather than hashed (a set of string triples cost a sixteenth of a check's
    /// allocations), and a result's subject is read only when its id and selector match one already kept.
    /// </summary>
    private static List<CheckResult> FirstOfEachKey(List<CheckResult> results)
    {
        var kept = new List<CheckResult>(results.Count);
        foreach (var result in results)
        {
            if (!Holds(kept, result))
            {
                kept.Add(result);
            }
        }

        return kept;
    }

    private static bool Holds(List<CheckResult> kept, CheckResult result)
    {
        foreach (var k in kept)
        {
            if (k.Id == result.Id && k.Selector == result.Selector && k.Subject == result.Subject)
            {
                return true;
            }
        }

        return false;
    }

    private static IEnumerable<CheckResult> MergeServers(IReadOnlyList<(string Server, List<CheckResult> Results)> perServer)
    {
        // Keyed once per server rather than searched per key: this runs for every domain on every check.
        var indexed = perServer
            .Select(s =>
            {
                var byKey = new Dictionary<(string, string?, string?), CheckResult>();
                foreach (var result in s.Results)
                {
                    byKey.TryAdd((result.Id, result.Selector, result.Subject), result);
                }

                return (s.Server, ByKey: byKey);
            })
            .ToList();
        var keys = perServer.SelectMany(s => s.Results.Select(r => (r.Id, r.Selector, r.Subject))).Distinct();
        foreach (var key in keys)
        {
            var first = indexed[0].ByKey.GetValueOrDefault(key);
            if (
                first is not null
                && indexed.All(s => s.ByKey.GetValueOrDefault(key) is { } r && r.Status == first.Status && r.Message == first.Message)
            )
            {
                yield return first;
                continue;
            }

            foreach (var (server, byKey) in indexed)
            {
                yield return (
                    byKey.GetValueOrDefault(key) ?? CheckResult.Unknown(key.Id, "not evaluated at this server", key.Selector)
                ) with
                {
                    Server = server,
                };
            }
        }
    }

    /// <summary>Expected-record results only: did every authoritative server serve every expected record?</summary>
    public static bool RecordsVerified(HealthReport report) =>
        report.Checks.Where(c => c.Id == "records.expected").All(c => c.Status == CheckStatus.Pass)
        && report.Checks.Any(c => c.Id == "records.expected");
}
