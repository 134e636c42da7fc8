using MailDns.Core.Names;

namespace MailDns.Core.Tests.Names;

/// <summary>The organisational domain where no DNS is asked, by the shipped Public Suffix List snapshot.</summary>
public class PublicSuffixListTests
{
    [Theory]
    [InlineData("mail.example.co.uk", "example.co.uk")] // a two-label suffix: not "co.uk" as "last two labels" said
    [InlineData("example.co.uk", "example.co.uk")]
    [InlineData("a.b.example.com", "example.com")]
    [InlineData("example.com", "example.com")]
    [InlineData("mail.example.com.au", "example.com.au")]
    [InlineData("x.y.city.kawasaki.jp", "city.kawasaki.jp")] // "!city.kawasaki.jp" is an exception to "*.kawasaki.jp"
    [InlineData("x.y.foo.kawasaki.jp", "y.foo.kawasaki.jp")] // "*.kawasaki.jp": every label below is a suffix
    [InlineData("shop.example.unknowntld", "example.unknowntld")] // no rule: the last label is the suffix
    [InlineData("MAIL.Example.CO.UK.", "example.co.uk")]
    public void The_organisational_domain_is_the_public_suffix_and_one_more_label(string domain, string organisational)
    {
        Assert.Equal(organisational, PublicSuffixList.Default.OrganizationalDomain(domain));
    }

    [Fact]
    public void The_shipped_snapshot_holds_the_whole_list_with_its_private_section()
    {
        Assert.True(PublicSuffixList.Default.RuleCount > 9000, $"{PublicSuffixList.Default.RuleCount} rules");
        Assert.Equal("github.io", PublicSuffixList.Default.PublicSuffix("someone.github.io"));
    }

    [Fact]
    public void Rules_are_read_up_to_the_first_whitespace_and_comments_are_skipped()
    {
        var list = PublicSuffixList.Parse("// comment\nuk\nco.uk trailing words\n*.ck\n!www.ck\n");

        Assert.Equal("co.uk", list.PublicSuffix("a.b.co.uk"));
        Assert.Equal("b.ck", list.PublicSuffix("a.b.ck"));
        Assert.Equal("ck", list.PublicSuffix("www.ck"));
        Assert.Equal(4, list.RuleCount);
    }
}
