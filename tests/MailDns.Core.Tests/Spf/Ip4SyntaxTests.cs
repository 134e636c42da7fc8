using System.Net;
using CsCheck;
using MailDns.Core.Spf;

namespace MailDns.Core.Tests.Spf;

/// <summary>RFC 7208 §5.6 ip4-network: four dec-octets (0-255, no leading zero) separated by dots.</summary>
public class Ip4SyntaxTests
{
    [Theory]
    [InlineData("192.0.2.1", true)]
    [InlineData("0.0.0.0", true)]
    [InlineData("255.255.255.255", true)]
    [InlineData("192.0.2", false)]
    [InlineData("192.0.2.1.5", false)]
    [InlineData("192..2.1", false)]
    [InlineData("192.0.2.1.", false)]
    [InlineData("192.0.2.01", false)]
    [InlineData("256.0.2.1", false)]
    [InlineData("1000.0.2.1", false)]
    [InlineData("a.b.c.d", false)]
    [InlineData("١.2.3.4", false)]
    [InlineData("", false)]
    public void An_address_is_four_decimal_octets_without_leading_zeros(string address, bool valid)
    {
        Assert.Equal(valid, SpfParser.IsIp4(address));
    }

    [Fact]
    public void Every_accepted_address_is_the_address_it_parses_to()
    {
        var decimalOctet = Gen.Int[0, 255].Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var octet = Gen.OneOf(decimalOctet, Gen.String["0123456789"]);
        var text = Gen.OneOf(octet.Array[4].Select(o => string.Join('.', o)), octet.Array[0, 6].Select(o => string.Join('.', o)));

        text.Sample(s => !SpfParser.IsIp4(s) || (IPAddress.TryParse(s, out var ip) && ip.ToString() == s));
    }
}
