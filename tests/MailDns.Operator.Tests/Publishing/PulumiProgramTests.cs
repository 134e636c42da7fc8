using MailDns.Core.Publishing.Pulumi;
using MailDns.Core.Records;
using MailDns.Testing;
using YamlDotNet.RepresentationModel;

namespace MailDns.Operator.Tests.Publishing;

/// <summary>
/// Golden Pulumi YAML programs, one per package (tests/MailDns.Operator.Tests/Publishing/golden, reviewed by eye
/// when written): a missing golden file is written and the test fails, so a new one is always looked at.
/// </summary>
public class PulumiProgramTests
{
    private static readonly string LongDkim =
        "v=DKIM1; k=rsa; p="
        + string.Concat(
            Enumerable.Range(0, 392).Select(i => "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[i * 7 % 64])
        );

    private static readonly DesiredRecord[] Records =
    [
        new("mail.example.com", 3600, "v=spf1 ip4:192.0.2.0/24 include:_spf.esp.example.net -all", RecordPurpose.Spf, "mail/example"),
        new("_dmarc.mail.example.com", 3600, "v=DMARC1; p=reject; rua=mailto:dmarc@example.com", RecordPurpose.Dmarc, "mail/example"),
        new("rsa-2026-01._domainkey.mail.example.com", 3600, LongDkim, RecordPurpose.Dkim, "mail/example", "rsa-2026-01"),
        new("news.example.com", 300, "v=spf1 -all", RecordPurpose.Spf, "mail/news"),
        new("_submission._tcp.mail.example.com", 3600, "0 1 587 smtp.example.com.", RecordPurpose.Submission, "mail/example"),
        new("_submission._tcp.mail.example.com", 3600, "10 1 587 smtp2.example.com.", RecordPurpose.Submission, "mail/example"),
        new("_submissions._tcp.mail.example.com", 3600, "0 1 465 smtp.example.com.", RecordPurpose.Submission, "mail/example"),
    ];

    public static TheoryData<string, string> Packages =>
        new()
        {
            { "cloudflare", "zoneId=023e105f4ecef8ad9ca31a8372d0c353" },
            { "aws", "zoneId=Z0123456789ABCDEFGHIJ,region=eu-west-1" },
            { "gcp", "project=example-project,managedZone=example-com" },
            { "azure-native", "resourceGroupName=dns,subscriptionId=00000000-0000-0000-0000-000000000000" },
            { "digitalocean", "domain=example.com" },
            { "dns", "server=192.0.2.53,port=53,keyName=maildns.,keyAlgorithm=hmac-sha256" },
        };

    internal static PulumiStack Stack(string package, string config, IEnumerable<DesiredRecord>? records = null) =>
        new(
            "mail-provider-example-com",
            package,
            "example.com",
            config.Split(',').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]),
            (records ?? Records).ToList(),
            new Dictionary<string, IReadOnlyList<string>> { ["mail.example.com"] = ["google-site-verification=keep-me"] }
        );

    [Theory]
    [MemberData(nameof(Packages))]
    public void The_program_matches_its_golden_file(string package, string config)
    {
        var (program, settings) = PulumiProgram.Render(Stack(package, config));

        var golden = Repo.PathOf("tests", "MailDns.Operator.Tests", "Publishing", "golden", $"{package}.Pulumi.yaml");
        if (!File.Exists(golden))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(golden)!);
            File.WriteAllText(golden, program);
            Assert.Fail($"golden file written: {golden}; review it and run again");
        }

        Assert.Equal(File.ReadAllText(golden), program);
        Assert.Equal("config:\n  maildns:zone: \"example.com\"\n", settings);
    }

    [Theory]
    [MemberData(nameof(Packages))]
    public void The_program_is_yaml_with_one_explicit_provider_and_no_credentials(string package, string config)
    {
        var (program, _) = PulumiProgram.Render(Stack(package, config));

        var yaml = new YamlStream();
        yaml.Load(new StringReader(program));
        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        Assert.Equal("yaml", root["runtime"].ToString());
        var resources = (YamlMappingNode)root["resources"];
        Assert.Equal($"pulumi:providers:{package}", resources["provider"]["type"].ToString());
        Assert.All(
            resources.Children.Where(r => r.Key.ToString() != "provider"),
            r => Assert.Equal("${provider}", r.Value["options"]["provider"].ToString())
        );
        // The dns program names its secret config variable (declared secret, set from stdin), never a value.
        var named = PulumiPackages.SecretConfig.TryGetValue(package, out var secret)
            ? program
                .Replace(secret.ConfigKey, "", StringComparison.Ordinal)
                .Replace("secret: true", "", StringComparison.Ordinal)
                .Replace("keySecret: \"${}\"", "", StringComparison.Ordinal)
            : program;
        Assert.DoesNotMatch("(?i)token|secret|password|apikey|access_key", named);
    }

    [Theory]
    [MemberData(nameof(Packages))]
    public void The_same_records_in_any_order_give_the_same_bytes(string package, string config)
    {
        var shuffled = Records.Reverse().ToArray();

        Assert.Equal(PulumiProgram.Render(Stack(package, config)).Program, PulumiProgram.Render(Stack(package, config, shuffled)).Program);
    }

    [Theory]
    [InlineData("cloudflare")]
    [InlineData("digitalocean")]
    public void A_value_change_keeps_the_resource_name_so_it_is_an_update_not_a_replacement(string package)
    {
        var changed = Records.Select(r => r.Purpose == RecordPurpose.Dmarc ? r with { Value = "v=DMARC1; p=quarantine" } : r).ToList();

        var before = Names(PulumiProgram.Render(Stack(package, "zoneId=z,domain=example.com")).Program);
        var after = Names(PulumiProgram.Render(Stack(package, "zoneId=z,domain=example.com", changed)).Program);

        Assert.Equal(before, after);
    }

    [Fact]
    public void A_value_that_looks_like_an_interpolation_is_escaped()
    {
        var (program, _) = PulumiProgram.Render(
            Stack("digitalocean", "domain=example.com", [new("x.example.com", 300, "v=spf1 exists:${oops} -all", RecordPurpose.Spf, "a/b")])
        );

        Assert.Contains("\"v=spf1 exists:$${oops} -all\"", program);
    }

    private static List<string> Names(string program)
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(program));
        return ((YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode)["resources"])
            .Children.Select(c => c.Key.ToString())
            .ToList();
    }
}
