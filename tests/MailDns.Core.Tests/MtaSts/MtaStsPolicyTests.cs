using CsCheck;
using MailDns.Core.MtaSts;

namespace MailDns.Core.Tests.MtaSts;

/// <summary>The policy file as RFC 8461 defines it, its id, and the §8.3 ordering the planner keeps.</summary>
public class MtaStsPolicyTests
{
    private static readonly MtaStsPolicy Enforce = MtaStsPolicy.For(
        "enforce",
        ["MX1.Example.com.", "mx2.example.com", "mx1.example.com"],
        TimeSpan.FromDays(7)
    );

    [Fact]
    public void The_policy_renders_as_rfc_8461_section_3_2_with_crlf_lines_and_hosts_normalised_once_each()
    {
        Assert.Equal(
            "version: STSv1\r\nmode: enforce\r\nmx: mx1.example.com\r\nmx: mx2.example.com\r\nmax_age: 604800\r\n",
            Enforce.Render()
        );
    }

    [Fact]
    public void The_id_is_32_alphanumerics_stable_for_a_policy_and_different_for_another()
    {
        var id = MtaStsPolicy.IdOf(Enforce.Render());

        Assert.Matches("^[a-z0-9]{32}$", id); // RFC 8461 §3.1: 1 to 32 alphanumerics
        Assert.Equal(
            id,
            MtaStsPolicy.IdOf(MtaStsPolicy.For("enforce", ["mx1.example.com", "mx2.example.com"], TimeSpan.FromDays(7)).Render())
        );
        Assert.NotEqual(id, MtaStsPolicy.IdOf((Enforce with { Mode = "testing" }).Render()));
    }

    [Fact]
    public void Every_rendered_policy_parses_back_to_itself()
    {
        var host = Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789"].Array[1, 10].Select(l => new string(l) + ".example.com");
        Gen.Select(Gen.OneOf("enforce", "testing"), host.List[1, 5], Gen.Long[1, MtaStsPolicy.MaxMaxAge])
            .Sample(
                (mode, hosts, maxAge) =>
                {
                    var policy = MtaStsPolicy.For(mode, hosts, TimeSpan.FromSeconds(maxAge));
                    var parsed = MtaStsPolicyParser.Parse(policy.Render()).Policy!;
                    Assert.Equal((policy.Mode, policy.MaxAgeSeconds), (parsed.Mode, parsed.MaxAgeSeconds));
                    Assert.Equal(policy.Mx, parsed.Mx);
                }
            );
    }

    [Theory]
    [InlineData("version: STSv1\nmode: enforce\nmx: mx.example.com\nmax_age: 86400\n", "")] // LF alone is accepted
    [InlineData("mode: enforce\nversion: STSv1\nmx: mx.example.com\nmax_age: 86400\n", "the first line must be 'version: STSv1'")]
    [InlineData("version: STSv1\nmode: strict\nmx: mx.example.com\nmax_age: 86400\n", "mode must be enforce, testing or none")]
    [InlineData("version: STSv1\nmode: enforce\nmx: mx.example.com\nmax_age: 31557601\n", "max_age must be 0 to 31557600")]
    [InlineData("version: STSv1\nmode: enforce\nmax_age: 86400\n", "needs at least one mx line")]
    [InlineData("version: STSv1\nmode: none\nmax_age: 86400\n", "")] // none needs no mx
    [InlineData("version: STSv1\nmode: enforce\nmode: testing\nmx: mx.example.com\nmax_age: 86400\n", "'mode' appears 2 times")]
    [InlineData("version: STSv1\nmode: enforce\nmx: *.*.example.com\nmax_age: 86400\n", "not a host name or a '*.' wildcard")]
    public void A_served_policy_is_read_as_a_sender_reads_it(string text, string error)
    {
        var parsed = MtaStsPolicyParser.Parse(text);

        if (error.Length == 0)
        {
            Assert.NotNull(parsed.Policy);
        }
        else
        {
            Assert.Null(parsed.Policy);
            Assert.Contains(parsed.Findings, f => f.Message.Contains(error, StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData("mx1.example.com", "mx1.example.com", true)]
    [InlineData("mx1.example.com", "MX1.example.com.", true)]
    [InlineData("*.example.com", "mx1.example.com", true)] // RFC 8461 §4.1: the wildcard covers one label
    [InlineData("*.example.com", "a.b.example.com", false)]
    [InlineData("*.example.com", "example.com", false)]
    [InlineData("mx1.example.com", "mx2.example.com", false)]
    public void Mx_patterns_match_as_rfc_8461_section_4_1_says(string pattern, string host, bool matches)
    {
        Assert.Equal(matches, MxPattern.Matches(pattern, host));
    }

    public static TheoryData<string, string?, string?, string?, string> Plans =>
        new()
        {
            // (because, published id, served text, expected id after, reason)
            { "a first policy waits for the URL to serve it: no record", null, null, null, MtaStsReasons.NotServed },
            { "a first policy served gets its id", null, "NEW", "new", MtaStsReasons.Published },
            { "a new policy not yet served keeps the old id", "old", "OLD", "old", MtaStsReasons.NotServed },
            { "a new policy whose fetch failed keeps the old id", "old", null, "old", MtaStsReasons.NotServed },
            { "a new policy served moves the id", "old", "NEW", "new", MtaStsReasons.Published },
            { "the published id of the desired policy stays, whatever the fetch says", "new", null, "new", MtaStsReasons.Published },
        };

    [Theory]
    [MemberData(nameof(Plans))]
    public void The_id_moves_to_a_policy_only_once_it_is_served(
        string because,
        string? published,
        string? served,
        string? after,
        string reason
    )
    {
        const string Desired = "version: STSv1\r\nmode: enforce\r\nmx: new.example.com\r\nmax_age: 604800\r\n";
        const string Old = "version: STSv1\r\nmode: enforce\r\nmx: old.example.com\r\nmax_age: 604800\r\n";
        string? Id(string? name) =>
            name switch
            {
                "new" => MtaStsPolicy.IdOf(Desired),
                "old" => MtaStsPolicy.IdOf(Old),
                _ => null,
            };
        var text = served switch
        {
            "NEW" => Desired,
            "OLD" => Old,
            _ => null,
        };

        var plan = MtaStsPlanner.Plan(new MtaStsPlanInput(Desired, Id(published), text, text is null ? "connection refused" : null));

        Assert.True((Id(after), reason) == (plan.PublishId, plan.Reason), because);
    }
}
