using MailDns.Core.Api;
using MailDns.Core.Validation;

namespace MailDns.Core.Tests.Validation;

/// <summary>The C# rules; the CRDs' CEL rules (exactly one kind, cluster Secret namespaces) are in CelRuleTests.</summary>
public class DnsProviderValidatorTests
{
    private static DnsProviderSpec Rfc2136() =>
        new()
        {
            Zone = "example.com",
            Rfc2136 = new Rfc2136ProviderSpec
            {
                Server = "127.0.0.1:5353",
                TsigKeyName = "k",
                TsigSecretRef = new SecretKeyRef { Name = "tsig", Key = "secret" },
            },
        };

    public static TheoryData<string, Func<DnsProviderSpec>, bool, string> Rules =>
        new()
        {
            {
                "a zone with a trailing dot is refused",
                () =>
                {
                    var s = Rfc2136();
                    s.Zone = "example.com.";
                    return s;
                },
                false,
                "provider.invalid-zone"
            },
            {
                "an unknown Pulumi package is refused",
                () =>
                    new DnsProviderSpec
                    {
                        Zone = "example.com",
                        Pulumi = new PulumiProviderSpec { Package = "route53" },
                    },
                false,
                "provider.pulumi-package"
            },
            {
                "a credential in config is refused",
                () =>
                    new DnsProviderSpec
                    {
                        Zone = "example.com",
                        Pulumi = new PulumiProviderSpec
                        {
                            Package = "cloudflare",
                            Config = new Dictionary<string, string> { ["apiToken"] = "x" },
                        },
                    },
                false,
                "provider.credentials-in-config"
            },
            {
                "a server with a bad port is refused",
                () =>
                {
                    var s = Rfc2136();
                    s.Rfc2136!.Server = "ns1:0";
                    return s;
                },
                false,
                "provider.rfc2136-server"
            },
            {
                "an unknown TSIG algorithm is refused",
                () =>
                {
                    var s = Rfc2136();
                    s.Rfc2136!.TsigAlgorithm = "hmac-md5";
                    return s;
                },
                false,
                "provider.tsig-algorithm"
            },
            {
                "an empty zone file path is refused",
                () =>
                    new DnsProviderSpec
                    {
                        Zone = "example.com",
                        ZoneFile = new ZoneFileProviderSpec { Path = " " },
                    },
                false,
                "provider.zone-file-path"
            },
        };

    [Theory]
    [MemberData(nameof(Rules))]
    public void Each_rule_reports_its_code(string because, Func<DnsProviderSpec> spec, bool clusterScoped, string code)
    {
        Assert.True(DnsProviderValidator.Validate("p", spec(), clusterScoped).Any(f => f.Code == code), because);
    }

    [Fact]
    public void A_namespaced_rfc2136_provider_is_valid()
    {
        Assert.Empty(DnsProviderValidator.Validate("p", Rfc2136(), clusterScoped: false));
    }
}
