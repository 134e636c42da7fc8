using MailDns.Operator.Hosting;

namespace MailDns.Operator.Tests.Hosting;

public class IdleMemoryTrimTests
{
    private const long MB = 1 << 20;

    [Theory]
    [InlineData(100 * MB, 1 * MB, true)] // a burst, then a quiet interval: trim
    [InlineData(64 * MB, 4 * MB, true)] // both at their bounds
    [InlineData(100 * MB, 20 * MB, false)] // still busy: the collector keeps up by itself
    [InlineData(10 * MB, 0, false)] // quiet, but nothing much happened since the last trim
    [InlineData(0, 0, false)] // idle since the last trim: never twice for one burst
    public void A_trim_is_due_only_when_a_burst_of_work_is_followed_by_a_quiet_interval(long sinceTrim, long lastInterval, bool due) =>
        Assert.Equal(due, IdleMemoryTrim.Due(sinceTrim, lastInterval));
}
