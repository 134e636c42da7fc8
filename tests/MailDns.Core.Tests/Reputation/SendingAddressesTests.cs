using MailDns.Core.Reputation;

namespace MailDns.Core.Tests.Reputation;

public class SendingAddressesTests
{
    [Theory]
    [InlineData("192.0.2.7", 1, "")]
    [InlineData("192.0.2.0/30", 4, "")]
    [InlineData("192.0.2.7/30", 4, "")] // RFC 7208 §5.6: host bits beyond the prefix are ignored
    [InlineData("192.0.2.0/24", 256, "")]
    [InlineData("192.0.0.0/23", 0, "192.0.0.0/23: wider than /24")]
    [InlineData("2001:db8::/120", 256, "")]
    [InlineData("2001:db8::/64", 0, "2001:db8::/64: wider than /120")]
    [InlineData("2001:db8::5", 1, "")]
    [InlineData("not-an-ip", 0, "not-an-ip: not an address or network")]
    [InlineData("192.0.2.0/33", 0, "192.0.2.0/33: not an address or network")]
    public void Networks_up_to_a_slash_24_or_slash_120_are_expanded_and_wider_ones_are_reported(string network, int count, string note)
    {
        var expansion = SendingAddresses.Expand([network]);

        Assert.Equal(count, expansion.Addresses.Count);
        Assert.Equal(note, string.Join("; ", expansion.NotExpanded));
    }

    [Fact]
    public void Overlapping_networks_give_each_address_once_in_order()
    {
        var expansion = SendingAddresses.Expand(["192.0.2.0/31", "192.0.2.1", "192.0.2.2"]);

        Assert.Equal(["192.0.2.0", "192.0.2.1", "192.0.2.2"], expansion.Addresses.Select(a => a.ToString()));
    }

    [Fact]
    public void Past_the_address_bound_a_network_is_reported_rather_than_silently_cut()
    {
        var networks = Enumerable.Range(0, 17).Select(i => $"10.0.{i}.0/24").ToList();

        var expansion = SendingAddresses.Expand(networks);

        Assert.Equal(SendingAddresses.MaxAddresses, expansion.Addresses.Count);
        Assert.Equal(["10.0.16.0/24: past 4096 addresses in all"], expansion.NotExpanded);
    }
}
