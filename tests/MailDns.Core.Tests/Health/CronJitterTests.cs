using MailDns.Core.Health;

namespace MailDns.Core.Tests.Health;

public class CronJitterTests
{
    [Theory]
    [InlineData("0 0/15 * * * ?", @"^([0-9]|[1-5][0-9]) ([0-9]|1[0-4])/15 \* \* \* \?$")]
    [InlineData("0 */5 * * * ?", @"^\d+ [0-4]/5 \* \* \* \?$")]
    [InlineData("0 0 * * * ?", @"^\d+ ([0-9]|[1-5][0-9]) \* \* \* \?$")]
    [InlineData("0 0 3 * * ?", @"^\d+ 0 3 \* \* \?$")]
    [InlineData("0 30 * * * ?", @"^\d+ 30 \* \* \* \?$")]
    [InlineData("15,45 0/15 * * * ?", @"^15,45 \d+/15 \* \* \* \?$")]
    [InlineData("0 5-10 * * * ?", @"^\d+ 5-10 \* \* \* \?$")]
    public void Only_literal_seconds_stepped_minutes_and_the_minute_of_an_hourly_schedule_move(string cron, string pattern)
    {
        Assert.Matches(pattern, CronJitter.Spread(cron, "mail/example"));
    }

    [Fact]
    public void The_offset_is_stable_for_a_key_and_spreads_many_keys_over_the_interval()
    {
        Assert.Equal(CronJitter.Spread("0 0/15 * * * ?", "a/b"), CronJitter.Spread("0 0/15 * * * ?", "a/b"));

        var offsets = Enumerable.Range(0, 1000).Select(i => CronJitter.Spread("0 0/15 * * * ?", $"ns/d{i}")).Distinct().Count();

        Assert.True(offsets > 500, $"1000 domains got only {offsets} distinct start times out of 900");
    }
}
