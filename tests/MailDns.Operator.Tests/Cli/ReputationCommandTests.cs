using System.Text.Json.Nodes;
using MailDns.Testing;

namespace MailDns.Operator.Tests.Cli;

/// <summary>
/// `maildns reputation` against a real BIND serving test copies of the lists (<see cref="BlocklistZones"/>): the JSON
/// contract, every class of answer (listed, bitmask, error codes, NXDOMAIN, a zone the resolver refuses), forward-confirmed
/// reverse DNS, and the exit codes (0 clean, 1 listed, 3 unanswered, 2 usage).
/// </summary>
public sealed class ReputationCommandTests : IClassFixture<ReputationCommandTests.Zones>
{
    public sealed class Zones : IDisposable
    {
        public BlocklistZones Lists { get; } = new();

        public void Dispose() => Lists.Dispose();
    }

    private readonly BlocklistZones zones;

    public ReputationCommandTests(Zones fixture) => zones = fixture.Lists;

    private (int Exit, JsonArray Json, string Error) Run(params string[] args)
    {
        var result = MailDns.Testing.Cli.Run(["reputation", .. args, "--resolver", zones.Resolver, "--output", "json"]);
        var json = result.Out.Length > 0 ? JsonNode.Parse(result.Out)!.AsArray() : [];
        return (result.Exit, json, result.Error);
    }

    private static JsonNode Result(JsonNode target, string list) =>
        target["results"]!.AsArray().Single(r => (string)r!["list"]! == list)!;

    [Fact]
    public void A_clean_address_with_confirmed_reverse_dns_exits_0_with_every_list_clean()
    {
        var (exit, json, error) = Run(BlocklistZones.Clean, "--list", "zen.spamhaus.org", "--list", "bl.spamcop.net");

        Assert.True(exit == 0, error + json);
        var target = json.Single()!;
        Assert.Equal("ip", (string)target["kind"]!);
        Assert.False((bool)target["listed"]!);
        Assert.Equal("pass", (string)target["fcrdns"]!);

        // RFC 5782 §2.1: NXDOMAIN for the reversed address means not listed.
        Assert.All(target["results"]!.AsArray(), r => Assert.Equal("clean", (string)r!["status"]!));
    }

    [Fact]
    public void A_spamhaus_sbl_code_is_listed_with_its_meaning_and_exits_1()
    {
        var (exit, json, _) = Run(BlocklistZones.SpamhausSbl, "--list", "zen.spamhaus.org");

        Assert.Equal(1, exit);
        var zen = Result(json.Single()!, "zen.spamhaus.org");
        Assert.Equal("listed", (string)zen["status"]!);
        Assert.Equal(["127.0.0.2"], zen["codes"]!.AsArray().Select(c => (string)c!));
        Assert.StartsWith("SBL", (string)zen["meaning"]!);
    }

    [Fact]
    public void Several_codes_are_each_decoded_and_an_address_without_ptr_fails_forward_confirmed_reverse_dns()
    {
        var (exit, json, _) = Run(BlocklistZones.SpamhausXblAndPbl, "--list", "zen.spamhaus.org");

        Assert.Equal(1, exit);
        var zen = Result(json.Single()!, "zen.spamhaus.org");
        Assert.Equal(["127.0.0.10", "127.0.0.4"], zen["codes"]!.AsArray().Select(c => (string)c!));
        Assert.Contains("XBL", (string)zen["meaning"]!);
        Assert.Contains("PBL", (string)zen["meaning"]!);
        Assert.Equal("fail", (string)json.Single()!["fcrdns"]!);
    }

    [Fact]
    public void Spamhaus_refusing_a_public_resolver_is_refused_never_listed_and_says_so_exit_3()
    {
        var (exit, json, _) = Run(BlocklistZones.SpamhausPublicResolver, "--list", "zen.spamhaus.org");

        Assert.Equal(3, exit);
        var zen = Result(json.Single()!, "zen.spamhaus.org");
        Assert.False((bool)json.Single()!["listed"]!);
        Assert.Equal("refused", (string)zen["status"]!);
        Assert.Contains("public or open resolvers", (string)zen["meaning"]!);
    }

    [Fact]
    public void Bitmask_lists_are_decoded_bit_by_bit_and_the_uribl_error_code_is_refused()
    {
        var (exit, json, _) = Run(
            BlocklistZones.UriblBlackGrey,
            BlocklistZones.SurblPhishMalware,
            BlocklistZones.UriblRefused,
            "--list",
            "multi.uribl.com",
            "--list",
            "multi.surbl.org"
        );

        Assert.Equal(1, exit);
        var grey = json.Single(t => (string)t!["target"]! == BlocklistZones.UriblBlackGrey)!;
        Assert.Equal("domain", (string)grey["kind"]!);
        Assert.Null(grey["fcrdns"]); // the contract's null for a domain
        Assert.Equal("black: spam domain, grey: bulk sender domain", (string)Result(grey, "multi.uribl.com")["meaning"]!);
        var phish = json.Single(t => (string)t!["target"]! == BlocklistZones.SurblPhishMalware)!;
        Assert.Equal("PH: phishing, MW: malware", (string)Result(phish, "multi.surbl.org")["meaning"]!);
        var blocked = json.Single(t => (string)t!["target"]! == BlocklistZones.UriblRefused)!;
        Assert.Equal("refused", (string)Result(blocked, "multi.uribl.com")["status"]!);
        Assert.False((bool)blocked["listed"]!);
    }

    [Fact]
    public void A_list_given_only_by_zone_uses_the_generic_rule()
    {
        var (exit, json, _) = Run(
            BlocklistZones.GenericListed,
            BlocklistZones.GenericRefused,
            BlocklistZones.GenericNotDnsbl,
            BlocklistZones.Clean,
            "--list",
            BlocklistZones.GenericList + ":ip"
        );

        Assert.Equal(1, exit);
        string StatusOf(string ip) => (string)Result(json.Single(t => (string)t!["target"]! == ip)!, BlocklistZones.GenericList)["status"]!;

        // RFC 5782 §2.3: 127.0.0.2–127.0.0.254 is a listing; 127.255.255.0/24 is an error; outside 127/8 is not a DNSBL answer.
        Assert.Equal("listed", StatusOf(BlocklistZones.GenericListed));
        Assert.Equal("refused", StatusOf(BlocklistZones.GenericRefused));
        Assert.Equal("unknown", StatusOf(BlocklistZones.GenericNotDnsbl));
        Assert.Equal("clean", StatusOf(BlocklistZones.Clean));
    }

    [Fact]
    public void IPv6_addresses_are_asked_in_nibble_form_and_checked_for_reverse_dns()
    {
        var (exit, json, _) = Run(BlocklistZones.SpamhausSblV6, BlocklistZones.CleanV6, "--list", "zen.spamhaus.org");

        Assert.Equal(1, exit);
        var listed = json.Single(t => (string)t!["target"]! == BlocklistZones.SpamhausSblV6)!;
        Assert.Equal("listed", (string)Result(listed, "zen.spamhaus.org")["status"]!); // RFC 5782 §2.4
        var clean = json.Single(t => (string)t!["target"]! == BlocklistZones.CleanV6)!;
        Assert.Equal("clean", (string)Result(clean, "zen.spamhaus.org")["status"]!);
        Assert.Equal("pass", (string)clean["fcrdns"]!);
    }

    [Fact]
    public void A_ptr_name_that_resolves_elsewhere_fails_forward_confirmed_reverse_dns()
    {
        var (exit, json, _) = Run(BlocklistZones.PtrMismatch, "--list", "zen.spamhaus.org");

        Assert.Equal(0, exit); // not listed, every answer had: the reverse DNS verdict is reported, not an exit reason
        Assert.Equal("fail", (string)json.Single()!["fcrdns"]!);
    }

    [Fact]
    public void The_built_in_set_asks_domain_lists_about_domains_and_shows_an_allowlist_hit_as_such()
    {
        var (exit, json, _) = Run(BlocklistZones.Clean, BlocklistZones.DblSpam);

        Assert.Equal(1, exit);
        var ip = json.Single(t => (string)t!["target"]! == BlocklistZones.Clean)!;
        Assert.False((bool)ip["listed"]!);
        var dnswl = Result(ip, "list.dnswl.org");
        Assert.Equal("listed", (string)dnswl["status"]!);
        Assert.True((bool)dnswl["allowlist"]!);
        Assert.StartsWith("allowlisted", (string)dnswl["meaning"]!);
        Assert.DoesNotContain(ip["results"]!.AsArray(), r => (string)r!["list"]! == "dbl.spamhaus.org");
        var domain = json.Single(t => (string)t!["target"]! == BlocklistZones.DblSpam)!;
        Assert.Equal("DBL: spam domain", (string)Result(domain, "dbl.spamhaus.org")["meaning"]!);
        Assert.DoesNotContain(domain["results"]!.AsArray(), r => (string)r!["list"]! == "zen.spamhaus.org");
    }

    [Fact]
    public void A_zone_the_resolver_refuses_is_refused_not_clean_and_exits_3()
    {
        var (exit, json, _) = Run(BlocklistZones.Clean, "--list", "not-served.example.org");

        Assert.Equal(3, exit);
        Assert.Equal("refused", (string)Result(json.Single()!, "not-served.example.org")["status"]!);
    }

    [Theory]
    [InlineData("not an address", "TARGET")]
    [InlineData("192.0.2.1 --list zen.spamhaus.org:url", "'ip' or 'domain'")]
    [InlineData("192.0.2.1 --list nodots", "not a DNS zone")]
    public void Bad_input_is_a_usage_error_naming_the_rule(string args, string said)
    {
        var result = MailDns.Testing.Cli.Run(["reputation", .. args.Split(' ', 2)[0] == "not" ? [args] : args.Split(' ')]);

        Assert.Equal(2, result.Exit);
        Assert.Contains(said, result.Error);
    }
}
