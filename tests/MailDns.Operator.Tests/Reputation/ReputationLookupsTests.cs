using MailDns.Core.Reputation;
using MailDns.Operator.Reputation;
using Microsoft.Extensions.Time.Testing;

namespace MailDns.Operator.Tests.Reputation;

/// <summary>The cache and the query budget under a controlled clock: no sleeps, the clock is moved by hand.</summary>
public sealed class ReputationLookupsTests
{
    private static readonly DateTimeOffset Noon = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>An in-memory resolver: every name is listed with the given TTL; counts what it was asked.</summary>
    private sealed class CountingDns(TimeSpan ttl) : IReputationDns
    {
        public List<string> Asked { get; } = [];

        public Task<LookupAnswer> AskAsync(string name, ReputationQuestion type, CancellationToken cancellationToken)
        {
            lock (Asked)
            {
                Asked.Add(name);
            }

            return Task.FromResult(
                name.StartsWith("1.", StringComparison.Ordinal) ? LookupAnswer.NxDomain(ttl) : LookupAnswer.Of(["127.0.0.2"], ttl)
            );
        }
    }

    [Fact]
    public async Task An_answer_is_reused_for_its_ttl_and_asked_again_once_it_expires()
    {
        var clock = new FakeTimeProvider(Noon);
        var dns = new CountingDns(TimeSpan.FromMinutes(5));
        var lookups = new ReputationLookups(dns, clock, new BudgetLimits(100, 1000));

        Assert.Equal(ListStatus.Listed, (await lookups.AskListAsync(BlocklistCatalog.SpamCop, "192.0.2.2", default)).Status);
        clock.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal(ListStatus.Listed, (await lookups.AskListAsync(BlocklistCatalog.SpamCop, "192.0.2.2", default)).Status);
        Assert.Single(dns.Asked);

        clock.Advance(TimeSpan.FromMinutes(2));
        await lookups.AskListAsync(BlocklistCatalog.SpamCop, "192.0.2.2", default);
        Assert.Equal(2, dns.Asked.Count);
    }

    [Fact]
    public async Task A_negative_answer_is_cached_for_its_negative_ttl()
    {
        var clock = new FakeTimeProvider(Noon);
        var dns = new CountingDns(TimeSpan.FromMinutes(1));
        var lookups = new ReputationLookups(dns, clock, new BudgetLimits(100, 1000));

        Assert.Equal(ListStatus.Clean, (await lookups.AskListAsync(BlocklistCatalog.SpamCop, "192.0.2.1", default)).Status);
        await lookups.AskListAsync(BlocklistCatalog.SpamCop, "192.0.2.1", default);

        Assert.Single(dns.Asked);
    }

    [Fact]
    public async Task A_spent_daily_budget_leaves_the_rest_unknown_until_the_next_utc_day()
    {
        var clock = new FakeTimeProvider(Noon);
        var dns = new CountingDns(TimeSpan.Zero);
        var lookups = new ReputationLookups(dns, clock, new BudgetLimits(PerDay: 2, PerSecond: 1000));

        var results = new List<ListResult>();
        for (var i = 2; i < 5; i++)
        {
            var asking = lookups.AskListAsync(BlocklistCatalog.SpamCop, $"192.0.2.{i}", default);
            clock.Advance(TimeSpan.FromSeconds(1)); // past the rate's spacing
            results.Add(await asking);
        }

        Assert.Equal([ListStatus.Listed, ListStatus.Listed, ListStatus.Unknown], results.Select(r => r.Status));
        Assert.Contains("daily budget of 2", results[2].Meaning);
        Assert.Equal(2, dns.Asked.Count);

        clock.SetUtcNow(Noon.AddDays(1));
        Assert.Equal(ListStatus.Listed, (await lookups.AskListAsync(BlocklistCatalog.SpamCop, "192.0.2.9", default)).Status);
    }

    [Fact]
    public async Task Queries_to_one_list_wait_for_their_slot_and_other_lists_do_not_wait_for_it()
    {
        var clock = new FakeTimeProvider(Noon);
        var dns = new CountingDns(TimeSpan.Zero);
        var lookups = new ReputationLookups(dns, clock, new BudgetLimits(PerDay: 100, PerSecond: 1));

        var first = lookups.AskListAsync(BlocklistCatalog.SpamCop, "192.0.2.2", default);
        var second = lookups.AskListAsync(BlocklistCatalog.SpamCop, "192.0.2.3", default);
        var otherList = lookups.AskListAsync(BlocklistCatalog.Barracuda, "192.0.2.3", default);

        Assert.True(first.IsCompleted);
        Assert.True(otherList.IsCompleted);
        Assert.False(second.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(ListStatus.Listed, (await second.WaitAsync(TimeSpan.FromSeconds(10))).Status);
    }
}
