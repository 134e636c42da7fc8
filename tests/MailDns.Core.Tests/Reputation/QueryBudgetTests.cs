using MailDns.Core.Reputation;

namespace MailDns.Core.Tests.Reputation;

public class QueryBudgetTests
{
    private static readonly DateTimeOffset Noon = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Queries_are_spaced_by_the_rate_and_counted_against_the_day()
    {
        var limits = new BudgetLimits(PerDay: 100, PerSecond: 4);
        var state = BudgetState.Fresh;
        var waits = new List<TimeSpan>();
        for (var i = 0; i < 4; i++)
        {
            var decision = QueryBudget.Take(state, Noon, limits);
            Assert.True(decision.Allowed);
            waits.Add(decision.Wait);
            state = decision.Next;
        }

        Assert.Equal([0, 250, 500, 750], waits.Select(w => (int)w.TotalMilliseconds));
        Assert.Equal(4, state.UsedToday);
    }

    [Fact]
    public void A_spent_daily_budget_refuses_until_midnight_utc_and_a_new_day_starts_again()
    {
        var limits = new BudgetLimits(PerDay: 2, PerSecond: 1000);
        var state = QueryBudget.Take(QueryBudget.Take(BudgetState.Fresh, Noon, limits).Next, Noon, limits).Next;

        var refused = QueryBudget.Take(state, Noon.AddHours(1), limits);
        Assert.False(refused.Allowed);
        Assert.Equal(new DateTimeOffset(2026, 12, 2, 0, 0, 0, TimeSpan.Zero), refused.Until);

        var tomorrow = QueryBudget.Take(refused.Next, Noon.AddDays(1), limits);
        Assert.True(tomorrow.Allowed);
        Assert.Equal(1, tomorrow.Next.UsedToday);
    }

    [Fact]
    public void After_a_quiet_spell_the_next_query_goes_at_once()
    {
        var limits = new BudgetLimits(PerDay: 100, PerSecond: 1);
        var first = QueryBudget.Take(BudgetState.Fresh, Noon, limits);

        var later = QueryBudget.Take(first.Next, Noon.AddMinutes(5), limits);

        Assert.Equal(TimeSpan.Zero, later.Wait);
    }
}
