using CsCheck;
using MailDns.Core.Operations;

namespace MailDns.Core.Tests.Operations;

public class BackoffTests
{
    [Theory]
    [InlineData(1, 0.5, 1000)]
    [InlineData(2, 0.5, 2000)]
    [InlineData(5, 0.5, 16000)]
    [InlineData(20, 0.5, 300000)]
    [InlineData(1, 0.0, 500)]
    [InlineData(1, 0.999, 1499)]
    public void The_delay_doubles_per_failure_with_jitter_and_stops_at_the_cap(int failures, double random, int expectedMs)
    {
        Assert.Equal(expectedMs, (int)Backoff.Default.Delay(failures, random).TotalMilliseconds);
    }

    [Fact]
    public void The_delay_is_never_negative_nor_beyond_the_cap()
    {
        Gen.Select(Gen.Int[0, 10_000], Gen.Double[0, 0.9999])
            .Sample(
                (failures, random) =>
                {
                    var delay = Backoff.Default.Delay(failures, random);
                    return delay >= TimeSpan.Zero && delay <= Backoff.Default.Cap;
                }
            );
    }
}
