using CsCheck;
using MailDns.Core.Names;

namespace MailDns.Core.Tests.Names;

/// <summary>The fast paths of the name helpers give what the plain string operations give.</summary>
public class DomainNameTests
{
    private static readonly Gen<string> NameLike = Gen.OneOf(
            Gen.Const("example"),
            Gen.Const("EXAMPLE"),
            Gen.Const("Ex"),
            Gen.Const("."),
            Gen.Const(" "),
            Gen.Const("\t"),
            Gen.Const("_dmarc"),
            Gen.Const("é"),
            Gen.Const("İ"),
            Gen.Const("ß"),
            Gen.Char.Select(c => c.ToString())
        )
        .Array[0, 8]
        .Select(parts => string.Concat(parts));

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
