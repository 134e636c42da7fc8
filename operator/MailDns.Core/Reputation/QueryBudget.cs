namespace MailDns.Core.Reputation;

/// <summary>How many queries one list may get: per UTC day, and per second (spaced evenly, not in bursts).</summary>
public sealed record BudgetLimits(int PerDay, double PerSecond)
{
    /// <summary>Well under the free-use limits of the public lists (Spamhaus: 100,000 queries a day).</summary>
    public static BudgetLimits Default { get; } = new(50_000, 20);
}

/// <summary>One list's use of its budget: queries so far on <see cref="Day"/>, and when the next one may go.</summary>
public sealed record BudgetState(DateOnly Day, int UsedToday, DateTimeOffset NextSlot)
{
    public static BudgetState Fresh { get; } = new(DateOnly.MinValue, 0, DateTimeOffset.MinValue);
}

/// <summary>A query may go after <see cref="Wait"/>, or not at all today (<see cref="Allowed"/> false, until
/// <see cref="Until"/>).</summary>
public sealed record BudgetDecision(bool Allowed, TimeSpan Wait, DateTimeOffset Until, BudgetState Next);

/// <summary>
/// The query budget of a list, as a pure function of its state and the time: a list is never asked more than its daily
/// budget (what is left unasked is unknown, never clean), and queries are spaced 1/PerSecond apart. A cached answer costs
/// nothing; only a query that goes out takes a slot.
/// </summary>
public static class QueryBudget
{
    public static BudgetDecision Take(BudgetState state, DateTimeOffset now, BudgetLimits limits)
    {
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var used = state.Day == today ? state.UsedToday : 0;
        var tomorrow = new DateTimeOffset(today.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        if (used >= limits.PerDay)
        {
            return new BudgetDecision(false, TimeSpan.Zero, tomorrow, state with { Day = today, UsedToday = used });
        }

        var at = state.NextSlot > now ? state.NextSlot : now;
        var spacing = limits.PerSecond > 0 ? TimeSpan.FromSeconds(1 / limits.PerSecond) : TimeSpan.Zero;

        // A slot that falls on the next day counts there.
        var slotDay = DateOnly.FromDateTime(at.UtcDateTime);
        var next = new BudgetState(slotDay, slotDay == today ? used + 1 : 1, at + spacing);
        return new BudgetDecision(true, at - now, at, next);
    }
}
