using System.Net;
using CsCheck;
using MailDns.Core.Reputation;

namespace MailDns.Core.Tests.Reputation;

/// <summary>How each list's answers are read: the rules that keep a refused query from ever reading as a listing.</summary>
public class ListVerdictTests
{
    private static ListResult Ask(Blocklist list, params string[] codes) =>
        ListVerdict.Of(list, LookupAnswer.Of(codes, TimeSpan.FromMinutes(5)));

    [Theory]
    // Spamhaus ZEN return codes (the list's documentation) and its error codes: refused, never listed.
    [InlineData("zen.spamhaus.org", "127.0.0.2", "listed", "SBL")]
    [InlineData("zen.spamhaus.org", "127.0.0.3", "listed", "SBL CSS")]
    [InlineData("zen.spamhaus.org", "127.0.0.4", "listed", "XBL")]
    [InlineData("zen.spamhaus.org", "127.0.0.9", "listed", "DROP")]
    [InlineData("zen.spamhaus.org", "127.0.0.11", "listed", "PBL")]
    [InlineData("zen.spamhaus.org", "127.255.255.252", "refused", "typing error")]
    [InlineData("zen.spamhaus.org", "127.255.255.254", "refused", "public or open resolvers")]
    [InlineData("zen.spamhaus.org", "127.255.255.255", "refused", "excessive")]
    [InlineData("dbl.spamhaus.org", "127.0.1.2", "listed", "spam domain")]
    [InlineData("dbl.spamhaus.org", "127.0.1.104", "listed", "abused legitimate phishing")]
    [InlineData("dbl.spamhaus.org", "127.0.1.255", "refused", "IP queries are prohibited")]
    // Bitmask lists: each bit of the last octet is a sub-list; 127.0.0.1 is their "query refused" answer.
    [InlineData("multi.uribl.com", "127.0.0.2", "listed", "black: spam domain")]
    [InlineData("multi.uribl.com", "127.0.0.14", "listed", "black: spam domain, grey: bulk sender domain, red: seen in new spam")]
    [InlineData("multi.uribl.com", "127.0.0.1", "refused", "URIBL: query refused")]
    [InlineData("multi.surbl.org", "127.0.0.136", "listed", "PH: phishing, CR: cracked site")]
    [InlineData("multi.surbl.org", "127.0.0.1", "refused", "access blocked")]
    [InlineData("multi.surbl.org", "127.0.0.0", "unknown", "sets no bit")]
    // DNSWL is an allowlist: a hit says how trusted the sender is.
    [InlineData("list.dnswl.org", "127.0.3.2", "listed", "allowlisted: trust medium (category 3)")]
    [InlineData("list.dnswl.org", "127.0.0.255", "refused", "DNSWL: query refused")]
    // The generic rule (RFC 5782 §2.3): 127.0.0.2–254 listed, 127.255.255.0/24 refused; outside 127/8 not a DNSBL answer
    // (§2.1); 127.0.0.1 never an entry (§5).
    [InlineData("bl.example.net", "127.0.0.2", "listed", "listed")]
    [InlineData("bl.example.net", "127.0.0.254", "listed", "listed")]
    [InlineData("bl.example.net", "127.255.255.1", "refused", "refused the query")]
    [InlineData("bl.example.net", "10.0.0.1", "unknown", "not a DNSBL answer")]
    [InlineData("bl.example.net", "127.0.0.1", "unknown", "RFC 5782 §5")]
    public void Each_list_reads_its_codes(string zone, string code, string status, string meaning)
    {
        var result = Ask(BlocklistCatalog.Parse(zone).List!, code);

        Assert.Equal(status, result.Status.ToString().ToLowerInvariant());
        Assert.Contains(meaning, result.Meaning, StringComparison.Ordinal);
    }

    [Fact]
    public void An_error_code_among_listing_codes_makes_the_whole_answer_refused()
    {
        var result = Ask(BlocklistCatalog.SpamhausZen, "127.0.0.2", "127.255.255.254");

        Assert.Equal(ListStatus.Refused, result.Status);
        Assert.False(result.IsListing);
    }

    [Theory]
    [InlineData(LookupOutcome.NxDomain, ListStatus.Clean)] // RFC 5782 §2.1: NXDOMAIN is not listed
    [InlineData(LookupOutcome.NoData, ListStatus.Clean)]
    [InlineData(LookupOutcome.Refused, ListStatus.Refused)]
    [InlineData(LookupOutcome.Failed, ListStatus.Unknown)]
    public void No_address_in_the_answer_is_clean_only_when_the_name_does_not_exist_or_has_no_address(
        LookupOutcome outcome,
        ListStatus expected
    )
    {
        var answer = new LookupAnswer(outcome, [], TimeSpan.FromMinutes(1), outcome is LookupOutcome.Failed ? "timed out" : null);

        Assert.Equal(expected, ListVerdict.Of(BlocklistCatalog.SpamCop, answer).Status);
    }

    [Fact]
    public void An_allowlist_hit_is_never_a_listing()
    {
        Assert.False(Ask(BlocklistCatalog.Dnswl, "127.0.5.3").IsListing);
    }

    [Fact]
    public void No_code_in_127_255_255_0_24_is_ever_a_listing_on_any_list()
    {
        var lists = BlocklistCatalog.BuiltIn.Append(BlocklistCatalog.Parse("bl.example.net").List!).ToList();
        Gen.Byte.Select(Gen.Int[0, lists.Count - 1])
            .Sample((last, i) => Assert.Equal(ListStatus.Refused, Ask(lists[i], $"127.255.255.{last}").Status));
    }

    [Theory]
    [InlineData("192.0.2.1", "zen.spamhaus.org", "1.2.0.192.zen.spamhaus.org")] // RFC 5782 §2.1
    [InlineData(
        "2001:db8:1:2:3:4:567:89ab",
        "zen.spamhaus.org", // RFC 5782 §2.4
        "b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2.zen.spamhaus.org"
    )]
    [InlineData("Example.COM.", "dbl.spamhaus.org", "example.com.dbl.spamhaus.org")] // RFC 5782 §2.2
    [InlineData("123.example", "multi.uribl.com", "123.example.multi.uribl.com")]
    public void Targets_are_asked_in_the_form_each_list_kind_defines(string target, string zone, string name)
    {
        Assert.Equal(name, ListQueryName.Of(target, zone));
    }

    [Fact]
    public void Every_address_reverses_into_its_own_octets_or_32_nibbles_and_back()
    {
        Gen.Byte.Array[4]
            .Select(b => new IPAddress(b))
            .Sample(ip => Assert.Equal(ip, IPAddress.Parse(string.Join('.', ListQueryName.Reversed(ip).Split('.').Reverse()))));
        Gen.Byte.Array[16]
            .Select(b => new IPAddress(b))
            .Sample(ip =>
            {
                var nibbles = ListQueryName.Reversed(ip).Split('.');
                Assert.Equal(32, nibbles.Length);
                var hex = string.Concat(nibbles.Reverse());
                Assert.Equal(ip, new IPAddress(Convert.FromHexString(hex)));
            });
    }

    [Fact]
    public void A_dqs_key_moves_only_the_spamhaus_zones_and_never_shows_in_a_list_name()
    {
        var keyed = BlocklistCatalog.WithDqsKey(BlocklistCatalog.BuiltIn, "abcdef0123456789");

        var zen = keyed.Single(l => l.Zone == "zen.spamhaus.org");
        Assert.Equal("1.2.0.192.abcdef0123456789.zen.dq.spamhaus.net", zen.QueryFor("192.0.2.1"));
        Assert.Equal(
            "example.com.abcdef0123456789.dbl.dq.spamhaus.net",
            keyed.Single(l => l.Zone == "dbl.spamhaus.org").QueryFor("example.com")
        );
        Assert.Equal("1.2.0.192.bl.spamcop.net", keyed.Single(l => l.Zone == "bl.spamcop.net").QueryFor("192.0.2.1"));
        Assert.All(keyed, l => Assert.DoesNotContain("abcdef", l.ToString(), StringComparison.Ordinal));
    }
}
