using MailDns.Core.Dmarc;
using MailDns.Core.Names;
using MailDns.Core.Spf;
using MailDns.Core.TagLists;

namespace MailDns.Core.Health;

/// <summary>
/// The health of a sending domain as one pure function of what was observed (and, when known, what was expected).
/// Questions it could not answer from the observation are returned, so the gatherer can ask them and call again.
/// </summary>
public static class HealthEvaluator
{
    public sealed record Evaluation(HealthReport Report, IReadOnlyCollection<DnsQuestion> Missing);

    public static Evaluation Evaluate(HealthObservation observed, IEnumerable<string> selectors, HealthExpectation? expected)
    {
        var domain = DomainName.Normalize(observed.Domain);
        var chosen = HealthQuestions.Selectors(selectors, expected);
        var checks = new List<CheckResult>();
        var missing = new HashSet<DnsQuestion>();

        if (observed.Authoritative.Count == 0)
        {
            checks.Add(CheckResult.Unknown("dns.authoritative", $"no authoritative nameserver found for {domain}"));
            return new Evaluation(new HealthReport(domain, checks), missing);
        }

        var perServer = observed
            .Authoritative.Select(s => (s.Server, Results: ServedRecordChecks.For(s, domain, chosen, expected).ToList()))
            .ToList();
        checks.AddRange(Merge(perServer));

        // Receivers follow the SPF record through resolvers; follow the one the servers serve (the first server that
        // gives exactly one), so a stale secondary is reported by the per-server checks rather than twice.
        var spf = observed
            .Authoritative.Select(s => s.Answer(domain))
            .Select(a => a.Joined.Where(SpfParser.LooksLikeSpf).ToList())
            .FirstOrDefault(r => r.Count == 1);
        if (spf is not null && SpfParser.Parse(spf[0]).Record is { } record)
        {
            var walk = SpfWalk.Run(
                domain,
                record,
                q => q.Name == domain && q.Type == DnsType.Txt ? DnsAnswer.OfTxtValues(spf[0]) : observed.Lookup(q)
            );
            checks.AddRange(walk.Results);
            missing.UnionWith(walk.Missing);
        }

        var dmarc = observed
            .Authoritative.Select(s => s.Answer($"_dmarc.{domain}"))
            .Select(a => a.Joined.Where(ServedRecordChecks.IsDmarc).ToList())
            .FirstOrDefault(r => r.Count == 1);
        if (dmarc is not null)
        {
            checks.AddRange(ReportAuthorization(domain, DmarcLinter.Lint(dmarc[0]), observed, missing));
        }

        return new Evaluation(new HealthReport(domain, checks), missing);
    }

    /// <summary>
    /// RFC 9990 §3 (RFC 7489 §7.1): a report destination outside the domain's organisation must publish
    /// <c>&lt;domain&gt;._report._dmarc.&lt;destination&gt;</c> with v=DMARC1, or receivers send it nothing.
    /// </summary>
    private static IEnumerable<CheckResult> ReportAuthorization(
        string domain,
        DmarcLintResult dmarc,
        HealthObservation observed,
        HashSet<DnsQuestion> missing
    )
    {
        var organisation = DomainName.OrganizationalGuess(domain);
        var external = dmarc
            .ReportUris("rua")
            .Concat(dmarc.ReportUris("ruf"))
            .Select(u => ReportUri.Parse(u, allowSizeLimit: true))
            .Where(u => u is { Scheme: "mailto", Domain: not null } && !DomainName.IsInZone(u.Domain!, organisation))
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
            else if (answer.Outcome == LookupOutcome.Failed)
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
    /// One result per check when every server agrees; when they disagree, one result per server, naming it, so a
    /// stale secondary is visible as the server that differs.
    /// </summary>
    public static IEnumerable<CheckResult> Merge(IReadOnlyList<(string Server, List<CheckResult> Results)> perServer)
    {
        var keys = perServer.SelectMany(s => s.Results.Select(r => (r.Id, r.Selector, r.Subject))).Distinct().ToList();
        foreach (var key in keys)
        {
            var byServer = perServer
                .Select(s =>
                    (
                        s.Server,
                        Result: s.Results.FirstOrDefault(r => r.Id == key.Id && r.Selector == key.Selector && r.Subject == key.Subject)
                    )
                )
                .ToList();
            var distinct = byServer.Select(b => b.Result is null ? "" : $"{b.Result.Status}\n{b.Result.Message}").Distinct().ToList();
            if (distinct.Count == 1 && byServer[0].Result is { } agreed)
            {
                yield return agreed;
                continue;
            }

            foreach (var (server, result) in byServer)
            {
                yield return (result ?? CheckResult.Unknown(key.Id, "not evaluated at this server", key.Selector)) with
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
