using MailDns.Core.Health;

namespace MailDns.Core.Tests.Health;

/// <summary>An answer's joined TXT values are made once, belong to its own records, and leave its equality alone.</summary>
public class DnsAnswerTests
{
    [Fact]
    public void Joined_values_are_made_once_and_a_copy_with_other_records_joins_its_own()
    {
        var answer = DnsAnswer.OfTxt(["v=DKIM1; k=rsa; p=AAAA", "BBBB"], ["v=spf1 -all"]);

        Assert.Equal(["v=DKIM1; k=rsa; p=AAAABBBB", "v=spf1 -all"], answer.Joined);
        Assert.Same(answer.Joined, answer.Joined);

        var other = answer with { Txt = [["v=DMARC1; ", "p=reject"]] };
        var aliased = answer with { Chain = ["selector.esp.example"] };

        Assert.Equal(["v=DMARC1; p=reject"], other.Joined);
        Assert.Equal(["v=DKIM1; k=rsa; p=AAAABBBB", "v=spf1 -all"], answer.Joined);
        Assert.Equal(answer.Joined, aliased.Joined);
    }

    [Fact]
    public void Answers_of_the_same_records_are_equal_whether_or_not_their_values_were_joined()
    {
        IReadOnlyList<string>[] records = [["v=spf1 ", "-all"]];
        var read = DnsAnswer.OfTxt(records);
        var unread = DnsAnswer.OfTxt(records);

        _ = read.Joined;

        Assert.Equal(unread, read);
        Assert.Equal(unread.GetHashCode(), read.GetHashCode());
        Assert.NotEqual(unread, read with { Outcome = LookupOutcome.NoData });
    }

    /// <summary>
    /// RFC 7208 §4.5: more than one SPF record is a permerror; RFC 9989 §4.10.1 step 2: anything but exactly one DMARC
    /// record counts as none. Only gives the one record of a kind, and nothing for none or several.
    /// </summary>
    [Theory]
    [InlineData(new string[0], null)]
    [InlineData(new[] { "google-site-verification=abc" }, null)]
    [InlineData(new[] { "v=spf1 -all" }, "v=spf1 -all")]
    [InlineData(new[] { "google-site-verification=abc", "v=spf1 ~all" }, "v=spf1 ~all")]
    [InlineData(new[] { "v=spf1 -all", "v=spf1 ~all" }, null)]
    public void Only_is_the_single_record_of_a_kind(string[] values, string? only)
    {
        var answer = values.Length == 0 ? DnsAnswer.NoData : DnsAnswer.OfTxtValues(values);

        Assert.Equal(only, answer.Only(v => v.StartsWith("v=spf1", StringComparison.Ordinal)));
    }
}
