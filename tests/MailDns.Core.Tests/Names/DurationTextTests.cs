using MailDns.Core.Names;

namespace MailDns.Core.Tests.Names;

public class DurationTextTests
{
    [Theory]
    [InlineData("90d", 90 * 24 * 3600)]
    [InlineData("1h30m", 5400)]
    [InlineData("2w", 14 * 24 * 3600)]
    [InlineData("36h", 36 * 3600)]
    [InlineData("45s", 45)]
    [InlineData("1d12h", 36 * 3600)]
    public void Durations_are_sums_of_number_and_unit(string text, int seconds)
    {
        Assert.True(DurationText.TryParse(text, out var d));
        Assert.Equal(TimeSpan.FromSeconds(seconds), d);
    }

    [Theory]
    [InlineData("")]
    [InlineData("90")]
    [InlineData("1.5h")]
    [InlineData("-1d")]
    [InlineData("1y")]
    [InlineData("d")]
    [InlineData("99999999999999999999d")]
    public void Anything_else_is_refused(string text)
    {
        Assert.False(DurationText.TryParse(text, out _));
    }
}
