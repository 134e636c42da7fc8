using System.Collections.Concurrent;
using MailDns.Core.Reputation;

namespace MailDns.Operator.Reputation;

/// <summary>
/// The reputation checks' way to DNS: every answer kept for its TTL on the given clock (a list asked about the same target
/// within the TTL is not asked again), and every list query within the list's budget (<see cref="QueryBudget"/>): spaced
/// to its rate, and refused for the rest of the day once the daily budget is spent (that target is unknown, not clean).
/// Shared by every check in the process, so the budget holds across domains.
/// </summary>
public sealed class ReputationLookups(IReputationDns dns, TimeProvider time, BudgetLimits limits, ReputationMetrics? metrics = null)
{
    private readonly ConcurrentDictionary<(string, ReputationQuestion), (LookupAnswer Answer, DateTimeOffset Until)> cache = new();
    private readonly Dictionary<string, BudgetState> budgets = new(StringComparer.Ordinal);

    /// <summary>Questions that went to DNS (not answered from the cache), for tests and benchmarks.</summary>
    public long Queries => Interlocked.Read(ref queries);

    private long queries;

    public BudgetLimits Limits => limits;

    /// <summary>What the list says about the target.</summary>
    public async Task<ListResult> AskListAsync(Blocklist list, string target, CancellationToken cancellationToken)
    {
        var name = list.QueryFor(target);
        if (Cached(name, ReputationQuestion.A) is { } cached)
        {
            return ListVerdict.Of(list, cached);
        }

        BudgetDecision decision;
        lock (budgets)
        {
            decision = QueryBudget.Take(budgets.GetValueOrDefault(list.Zone, BudgetState.Fresh), time.GetUtcNow(), limits);
            budgets[list.Zone] = decision.Next;
        }

        if (!decision.Allowed)
        {
            metrics?.Unanswered(list.Zone, "budget");
            return new ListResult(
                list,
                ListStatus.Unknown,
                [],
                $"not asked: the daily budget of {limits.PerDay} queries for {list.Zone} is spent until {decision.Until:u}"
            );
        }

        if (decision.Wait > TimeSpan.Zero)
        {
            await Task.Delay(decision.Wait, time, cancellationToken).ConfigureAwait(false);
        }

        var answer = await AskAsync(name, ReputationQuestion.A, cancellationToken).ConfigureAwait(false);
        var result = ListVerdict.Of(list, answer);
        metrics?.Asked(list.Zone, result.Status);
        return result;
    }

    /// <summary>A question outside any list's budget (reverse DNS), answered from the cache when it can be.</summary>
    public async Task<LookupAnswer> AskAsync(string name, ReputationQuestion type, CancellationToken cancellationToken)
    {
        if (Cached(name, type) is { } cached)
        {
            return cached;
        }

        Interlocked.Increment(ref queries);
        var answer = await dns.AskAsync(name, type, cancellationToken).ConfigureAwait(false);
        if (answer.Cacheable && answer.Ttl > TimeSpan.Zero)
        {
            cache[(name, type)] = (answer, time.GetUtcNow() + answer.Ttl);
        }

        return answer;
    }

    private LookupAnswer? Cached(string name, ReputationQuestion type)
    {
        if (!cache.TryGetValue((name, type), out var entry))
        {
            return null;
        }

        if (entry.Until > time.GetUtcNow())
        {
            return entry.Answer;
        }

        cache.TryRemove(new KeyValuePair<(string, ReputationQuestion), (LookupAnswer, DateTimeOffset)>((name, type), entry));
        return null;
    }
}
