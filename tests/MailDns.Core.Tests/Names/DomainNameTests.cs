using CsCheck;
using MailDns.Core.Names;
using MailDns.Core.Tests.Support;

namespace MailDns.Core.Tests.Names;

/// <summary>The fast paths of the name helpers give what the plain string operations give.</summary>
public class DomainNameTests
{
    private static readonly Gen<string> NameLike = Pieces.Joined(8, "example", "EXAMPLE", "Ex", ".", " ", "\t", "_dmarc", "é", "İ", "ß");

    [Fact]
    public void Normalize_is_trim_then_trailing_dots_then_invariant_lower_case() =>
        NameLike.Sample(name => Assert.Equal(name.Trim().TrimEnd('.').ToLowerInvariant(), DomainName.Normalize(name)));

    [Theory]
    [InlineData("example.org", "example.org")]
    [InlineData(" Mail.Example.ORG. ", "mail.example.org")]
    [InlineData("ÉCOLE.example", "école.example")]
    public void Normalize_lowers_and_trims(string name, string normalized) => Assert.Equal(normalized, DomainName.Normalize(name));

    [Fact]
    public void A_name_already_normalised_is_returned_as_it_is()
    {
        var name = new string("d42.bench.test".ToCharArray());

        Assert.Same(name, DomainName.Normalize(name));
    }

    [Fact]
    public void LowerCase_is_ToLowerInvariant() =>
        NameLike.Sample(text => Assert.Equal(text.ToLowerInvariant(), LowerCase.Of(text)));
}
