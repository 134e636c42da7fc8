using System.Net;
using MailDns.Core.Health;
using MailDns.Operator.Dns;

namespace MailDns.Operator.Health;

/// <summary>Where to ask: the zone's authoritative servers (queried without recursion) and a resolver for the rest.</summary>
public sealed record HealthTargets(IReadOnlyList<IPEndPoint> Authoritative, IReadOnlyList<IPEndPoint> Resolvers);

/// <summary>
/// The I/O half of a health check: asks every authoritative server the domain's questions, then asks a resolver
/// whatever the pure evaluator says it still needs (SPF include targets, report authorisations) until nothing is
/// missing. Nothing is cached between checks.
/// </summary>
public sealed class HealthGatherer(IDnsQuery dns, int maxQuestions = 200)
{
    public async Task<HealthReport> CheckAsync(
        string domain,
        IReadOnlyList<string> selectors,
        HealthExpectation? expected,
        HealthTargets targets,
        CancellationToken cancellationToken
    )
    {
        var questions = HealthQuestions.Authoritative(domain, selectors, expected);
        var views = await Task.WhenAll(
                targets.Authoritative.Select(async server =>
                {
                    var answers = await Task.WhenAll(questions.Select(q => dns.AskAsync(server, q, recursive: false, cancellationToken)))
                        .ConfigureAwait(false);
                    return new ServerView(server.ToString(), questions.Zip(answers).ToDictionary(p => p.First, p => p.Second));
                })
            )
            .ConfigureAwait(false);

        var resolved = new Dictionary<DnsQuestion, DnsAnswer>();
        var parses = new RecordParses();
        while (true)
        {
            var evaluation = HealthEvaluator.Evaluate(
                new HealthObservation(domain, views, resolved) { Parses = parses },
                selectors,
                expected
            );
            var ask = evaluation.Missing.Count == 0 ? [] : evaluation.Missing.Where(q => !resolved.ContainsKey(q)).ToList();
            if (ask.Count == 0)
            {
                return evaluation.Report;
            }

            foreach (var question in ask)
            {
                resolved[question] =
                    resolved.Count >= maxQuestions
                        ? DnsAnswer.Failed($"not asked: more than {maxQuestions} questions for one check")
                        : await AskResolversAsync(question, targets.Resolvers, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The first resolver that gives an answer (any outcome but Failed) wins; all failing is Failed.</summary>
    private async Task<DnsAnswer> AskResolversAsync(
        DnsQuestion question,
        IReadOnlyList<IPEndPoint> resolvers,
        CancellationToken cancellationToken
    )
    {
        DnsAnswer? last = null;
        foreach (var resolver in resolvers)
        {
            last = await dns.AskAsync(resolver, question, recursive: true, cancellationToken).ConfigureAwait(false);
            if (last.Outcome != LookupOutcome.Failed)
            {
                return last;
            }
        }

        return last ?? DnsAnswer.Failed("no resolver configured");
    }
}
