using MailDns.Core.Dmarc;
using MailDns.Core.Health;
using MailDns.Core.Spf;

namespace MailDns.Core.Tests.Health;

/// <summary>One check parses each SPF and DMARC record once, across all its rounds, and judges exactly as without.</summary>
public class RecordParsesTests
{
    [Fact]
    public void Each_record_is_parsed_once_and_read_as_the_parsers_read_it()
    {
        var parses = new RecordParses();
        const string dmarc = "v=DMARC1; p=reject; rua=mailto:dmarc@example.com; pct=50";
        const string spf = "v=spf1 ip4:192.0.2.0/24 include:_spf.example.net ~all";

        var lint = parses.Dmarc(dmarc);
        var record = parses.Spf(spf);

        Assert.Same(lint, parses.Dmarc(dmarc));
        Assert.Same(record, parses.Spf(spf));
        Assert.Equal(DmarcLinter.Lint(dmarc).Findings, lint.Findings);
        Assert.Equal(SpfParser.Parse(spf).Record!.Terms.Select(t => t.Text), record!.Terms.Select(t => t.Text));
        Assert.Null(SpfParser.Parse("spf1 -all").Record);
        Assert.Null(parses.Spf("spf1 -all"));
        Assert.Null(parses.Spf("spf1 -all"));
    }

    /// <summary>
    /// A subdomain's check in the gatherer's rounds (RFC 9989 §4.10 walk one level a round, RFC 7208 include, RFC 9990
    /// §3 report authorisation), with one memo for all rounds and with a fresh one each round: the same report.
    /// </summary>
    [Fact]
    public void A_check_whose_rounds_share_one_memo_reports_what_fresh_parses_report()
    {
        const string domain = "news.example.com";
        var served = new Dictionary<string, DnsAnswer>
        {
            [domain] = DnsAnswer.OfTxtValues("v=spf1 include:_spf.esp.example -all"),
            [$"_dmarc.{domain}"] = DnsAnswer.OfTxtValues("v=DMARC1; p=quarantine; rua=mailto:reports@dmarc.example"),
        };
        var world = new Dictionary<string, DnsAnswer>
        {
            ["_spf.esp.example"] = DnsAnswer.OfTxtValues("v=spf1 ip4:192.0.2.0/24 -all"),
            ["_dmarc.example.com"] = DnsAnswer.OfTxtValues("v=DMARC1; p=reject"),
            [$"{domain}._report._dmarc.dmarc.example"] = DnsAnswer.OfTxtValues("v=DMARC1"),
        };

        HealthReport Check(Func<RecordParses> memo)
        {
            var answers = HealthQuestions
                .Authoritative(domain, ["s1"], null)
                .ToDictionary(q => q, q => served.GetValueOrDefault(q.Name, DnsAnswer.NoData));
            var view = new ServerView("ns1", answers);
            var resolved = new Dictionary<DnsQuestion, DnsAnswer>();
            for (var round = 0; ; round++)
            {
                var observation = new HealthObservation(domain, [view], resolved) { Parses = memo() };
                var evaluation = HealthEvaluator.Evaluate(observation, ["s1"], null);
                if (evaluation.Missing.Count == 0)
                {
                    Assert.True(round >= 2, $"{round} rounds: the check should have needed several");
                    return evaluation.Report;
                }

                foreach (var question in evaluation.Missing)
                {
                    resolved[question] = world.GetValueOrDefault(question.Name, DnsAnswer.NxDomain);
                }
            }
        }

        var shared = new RecordParses();
        var withMemo = Check(() => shared);
        var fresh = Check(() => new RecordParses());

        static IEnumerable<string> Lines(HealthReport report) => report.Checks.Select(c => $"{c.Id} {c.Status} {c.Message}");
        Assert.Equal(Lines(fresh), Lines(withMemo));
        Assert.Contains(withMemo.Checks, c => c.Id == "dmarc.external-report-authorization" && c.Status == CheckStatus.Pass);
        Assert.Contains(withMemo.Checks, c => c.Id == "spf.include-targets" && c.Status == CheckStatus.Pass);
    }
}
