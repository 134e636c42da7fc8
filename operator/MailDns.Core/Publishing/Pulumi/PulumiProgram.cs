using System.Security.Cryptography;
using System.Text;
using MailDns.Core.Api;
using MailDns.Core.Names;
using MailDns.Core.Records;
using MailDns.Core.Txt;
using Map = System.Collections.Generic.List<System.Collections.Generic.KeyValuePair<string, object?>>;

namespace MailDns.Core.Publishing.Pulumi;

/// <summary>
/// One stack: a provider and zone, and the records of every SendingDomain that publishes through it.
/// <see cref="Foreign"/> holds, for providers whose resource owns a whole RRset (Route53, Cloud DNS, Azure, the
/// Terraform dns provider), values at the product's names that it does not own; they are kept in the RRset.
/// </summary>
public sealed record PulumiStack(
    string Name,
    string Package,
    string Zone,
    IReadOnlyDictionary<string, string> Config,
    IReadOnlyList<DesiredRecord> Records,
    IReadOnlyDictionary<string, IReadOnlyList<string>>? Foreign = null
)
{
    public const string Project = "maildns";

    /// <summary>The default stack name: the provider's key and zone, in the characters stack names allow.</summary>
    public static string DefaultName(string providerKey, string zone) =>
        Sanitize($"{providerKey.Replace('/', '-')}-{DomainName.Normalize(zone).Replace('.', '-')}");

    /// <summary>The stack a SendingDomain publishes to: the provider's stackName, else one per provider and zone.</summary>
    public static string NameFor(SendingDomain domain, DnsProviderSpec provider)
    {
        var reference = domain.Spec.ProviderRef;
        var providerKey =
            (reference.Kind ?? Defaults.ProviderKind) == ClusterDnsProvider.KindName
                ? $"cluster-{reference.Name}"
                : $"{domain.Metadata.NamespaceProperty ?? "default"}-{reference.Name}";
        return provider.Pulumi?.StackName ?? DefaultName(providerKey, provider.Zone);
    }

    public static string Sanitize(string text) =>
        new(text.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-').ToArray());
}

/// <summary>The packages a Pulumi provider can name, and the environment variables each reads its credentials from.</summary>
public static class PulumiPackages
{
    public static readonly IReadOnlyDictionary<string, string> RecordTypes = new Dictionary<string, string>
    {
        ["cloudflare"] = "cloudflare:index/dnsRecord:DnsRecord",
        ["aws"] = "aws:route53/record:Record",
        ["gcp"] = "gcp:dns/recordSet:RecordSet",
        ["azure-native"] = "azure-native:dns:RecordSet",
        ["digitalocean"] = "digitalocean:index/dnsRecord:DnsRecord",
        ["dns"] = "dns:index/txtRecordSet:TxtRecordSet",
    };

    /// <summary>The SRV record resource where it is not the TXT one (the Terraform dns provider has one resource per type).</summary>
    public static readonly IReadOnlyDictionary<string, string> SrvRecordTypes = new Dictionary<string, string>
    {
        ["dns"] = "dns:index/srvRecordSet:SrvRecordSet",
    };

    /// <summary>
    /// The provider plugin version each program pins (the explicit provider's <c>options.version</c>), so a program
    /// runs against the inputs it was written for. PulumiTypeDefinitionTests checks every rendered program against the
    /// type definitions of exactly these versions (tests/install.sh fetches them); change both together.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> Versions = new Dictionary<string, string>
    {
        ["aws"] = "7.48.0",
        ["azure-native"] = "3.28.0",
        ["cloudflare"] = "6.22.1",
        ["digitalocean"] = "4.80.1",
        ["gcp"] = "9.37.0",
    };

    /// <summary>
    /// Secret provider settings that cannot come from the environment, as config the program declares secret, and the
    /// credential key that holds each. The Terraform dns provider validates key_name, key_algorithm and key_secret as
    /// a set before it reads DNS_UPDATE_KEYSECRET, so the secret must be in config beside the other two; it is set
    /// with `pulumi config set --secret` from standard input, never in a file or an argument.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, (string ConfigKey, string Credential)> SecretConfig = new Dictionary<
        string,
        (string, string)
    >
    {
        ["dns"] = ("tsigKeySecret", "DNS_UPDATE_KEYSECRET"),
    };

    /// <summary>Providers whose one resource holds every value at a name (so foreign values must be merged in).</summary>
    public static bool OwnsWholeRrset(string package) => package is "aws" or "gcp" or "azure-native" or "dns";
}

/// <summary>
/// Renders a stack as a Pulumi YAML program (runtime: yaml) and its stack settings file. Deterministic: resources
/// are named after what they hold (the record's name, and its purpose for one-value-per-resource providers), so
/// a value change is an update in place, never a replacement, and the same records give the same bytes. Secrets
/// never appear: each provider reads its credentials from environment variables set from the referenced Secret.
/// </summary>
public static class PulumiProgram
{
    public static (string Program, string StackSettings) Render(PulumiStack stack)
    {
        if (!PulumiPackages.RecordTypes.TryGetValue(stack.Package, out var recordType))
        {
            throw new ArgumentException(
                $"pulumi.package '{stack.Package}' is not supported: use one of {string.Join(", ", PulumiPackages.RecordTypes.Keys)}"
            );
        }

        var resources = new Map { new("provider", ProviderResource(stack)) };
        foreach (var (name, type, properties) in RecordResources(stack))
        {
            resources.Add(
                new(
                    name,
                    new Map
                    {
                        new(
                            "type",
                            type == RecordTypes.Srv
                                ? PulumiPackages.SrvRecordTypes.GetValueOrDefault(stack.Package, recordType)
                                : recordType
                        ),
                        new("properties", properties),
                        new("options", new Map { new("provider", new PulumiYaml.Expression("${provider}")) }),
                    }
                )
            );
        }

        var program = new Map
        {
            new("name", PulumiStack.Project),
            new(
                "description",
                $"TXT and SRV records of the SendingDomains publishing to {DomainName.Normalize(stack.Zone)} (generated by "
                    + "MailDnsOperator; do not edit)"
            ),
            new("runtime", "yaml"),
        };
        if (stack.Package == "dns")
        {
            // The Terraform dns provider through Pulumi's any-Terraform-provider bridge.
            program.Add(
                new(
                    "packages",
                    new Map
                    {
                        new(
                            "dns",
                            new Map
                            {
                                new("source", "terraform-provider"),
                                new("version", "0.13.0"),
                                new("parameters", new List<object?> { "hashicorp/dns", "3.4.3" }),
                            }
                        ),
                    }
                )
            );
        }

        if (PulumiPackages.SecretConfig.TryGetValue(stack.Package, out var secret))
        {
            program.Add(new("config", new Map { new(secret.ConfigKey, new Map { new("type", "string"), new("secret", true) }) }));
        }

        program.Add(new("resources", resources));
        program.Add(new("outputs", new Map { new("records", stack.Records.Count), new("zone", DomainName.Normalize(stack.Zone)) }));
        var settings = new Map { new("config", new Map { new($"{PulumiStack.Project}:zone", DomainName.Normalize(stack.Zone)) }) };
        return (PulumiYaml.Write(program), PulumiYaml.Write(settings));
    }

    private static Map ProviderResource(PulumiStack stack)
    {
        var config = stack.Config;
        var properties = stack.Package switch
        {
            "aws" => Some(("region", Get(config, "region"))),
            "gcp" => Some(("project", Get(config, "project"))),
            "azure-native" => Some(("subscriptionId", Get(config, "subscriptionId"))),
            "dns" => new Map
            {
                new(
                    "update",
                    Some(
                        ("server", Get(config, "server")),
                        ("port", Get(config, "port") is { } p ? int.Parse(p, System.Globalization.CultureInfo.InvariantCulture) : null),
                        ("keyName", Get(config, "keyName")),
                        ("keyAlgorithm", Get(config, "keyAlgorithm")),
                        ("keySecret", new PulumiYaml.Expression($"${{{PulumiPackages.SecretConfig["dns"].ConfigKey}}}"))
                    )
                ),
            },
            _ => new Map(),
        };
        var provider = new Map { new("type", $"pulumi:providers:{stack.Package}"), new("properties", properties) };
        if (PulumiPackages.Versions.TryGetValue(stack.Package, out var version))
        {
            provider.Add(new("options", new Map { new("version", version) }));
        }

        return provider;
    }

    private static IEnumerable<(string Name, string Type, Map Properties)> RecordResources(PulumiStack stack)
    {
        var zone = DomainName.Normalize(stack.Zone);
        var ttlOf = (IEnumerable<DesiredRecord> rs) => rs.Min(r => r.Ttl);
        if (PulumiPackages.OwnsWholeRrset(stack.Package))
        {
            foreach (var group in stack.Records.GroupBy(r => DomainName.Normalize(r.Name)).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                var values = group
                    .Select(r => r.Value)
                    .Concat(stack.Foreign?.GetValueOrDefault(group.Key) ?? [])
                    .Distinct(StringComparer.Ordinal)
                    .Order(StringComparer.Ordinal)
                    .ToList();
                var type = RecordTypes.At(group.Key);
                yield return (
                    $"{type.ToLowerInvariant()}-{Slug(group.Key)}",
                    type,
                    type == RecordTypes.Srv
                        ? SrvRrsetProperties(stack, zone, group.Key, ttlOf(group), values.Select(v => SrvValue.Parse(v)!).ToList())
                        : RrsetProperties(stack, zone, group.Key, ttlOf(group), values)
                );
            }

            yield break;
        }

        foreach (
            var record in stack
                .Records.OrderBy(r => r.Name, StringComparer.Ordinal)
                .ThenBy(r => r.Purpose)
                .ThenBy(r => r.Value, StringComparer.Ordinal)
        )
        {
            var name = DomainName.Normalize(record.Name);
            var resource = $"{DesiredRecord.PurposeText(record.Purpose)}-{Slug(name)}";
            if (record.Type == RecordTypes.Srv)
            {
                // Several SRV values share a name, one resource each: the value names the resource, so a changed
                // endpoint replaces its resource.
                yield return ($"{resource}-{Hash(record.Value)}", RecordTypes.Srv, SrvProperties(stack, zone, name, record));
                continue;
            }

            yield return stack.Package switch
            {
                "cloudflare" => (
                    resource,
                    RecordTypes.Txt,
                    new Map
                    {
                        new("zoneId", Get(stack.Config, "zoneId")),
                        new("name", name),
                        new("type", "TXT"),
                        new("content", Quoted(record.Value)),
                        new("ttl", record.Ttl),
                        new("comment", $"MailDnsOperator {record.Owner}"),
                    }
                ),
                _ => (
                    resource,
                    RecordTypes.Txt,
                    new Map
                    {
                        new("domain", Get(stack.Config, "domain") ?? zone),
                        new("type", "TXT"),
                        new("name", name == zone ? "@" : DomainName.RelativeTo(name, zone)),
                        new("value", record.Value),
                        new("ttl", record.Ttl),
                    }
                ),
            };
        }
    }

    /// <summary>One SRV value as its own resource (Cloudflare, DigitalOcean): the four fields as the provider names them.</summary>
    private static Map SrvProperties(PulumiStack stack, string zone, string name, DesiredRecord record)
    {
        var srv = SrvValue.Parse(record.Value)!;
        return stack.Package switch
        {
            "cloudflare" => new Map
            {
                new("zoneId", Get(stack.Config, "zoneId")),
                new("name", name),
                new("type", "SRV"),
                new(
                    "data",
                    new Map { new("priority", srv.Priority), new("weight", srv.Weight), new("port", srv.Port), new("target", srv.Target) }
                ),
                new("priority", srv.Priority),
                new("ttl", record.Ttl),
                new("comment", $"MailDnsOperator {record.Owner}"),
            },
            _ => new Map
            {
                new("domain", Get(stack.Config, "domain") ?? zone),
                new("type", "SRV"),
                new("name", DomainName.RelativeTo(name, zone)),
                new("value", DomainName.Fqdn(srv.Target)),
                new("priority", srv.Priority),
                new("weight", srv.Weight),
                new("port", srv.Port),
                new("ttl", record.Ttl),
            },
        };
    }

    /// <summary>Every SRV value at a name as one resource (Route53, Cloud DNS, Azure, the Terraform dns provider).</summary>
    private static Map SrvRrsetProperties(PulumiStack stack, string zone, string name, int ttl, IReadOnlyList<SrvValue> values) =>
        stack.Package switch
        {
            "aws" => new Map
            {
                new("zoneId", Get(stack.Config, "zoneId")),
                new("name", name),
                new("type", "SRV"),
                new("ttl", ttl),
                new("records", values.Select(v => (object?)v.ToString()).ToList()),
                new("allowOverwrite", true),
            },
            "gcp" => new Map
            {
                new("managedZone", Get(stack.Config, "managedZone")),
                new("name", DomainName.Fqdn(name)),
                new("type", "SRV"),
                new("ttl", ttl),
                new("rrdatas", values.Select(v => (object?)v.ToString()).ToList()),
            },
            "azure-native" => new Map
            {
                new("resourceGroupName", Get(stack.Config, "resourceGroupName")),
                new("zoneName", Get(stack.Config, "zoneName") ?? zone),
                new("relativeRecordSetName", DomainName.RelativeTo(name, zone)),
                new("recordType", "SRV"),
                new("ttl", ttl),
                new(
                    "srvRecords",
                    values
                        .Select(v =>
                            (object?)
                                new Map
                                {
                                    new("priority", v.Priority),
                                    new("weight", v.Weight),
                                    new("port", v.Port),
                                    new("target", v.Target),
                                }
                        )
                        .ToList()
                ),
            },
            _ => new Map
            {
                new("zone", DomainName.Fqdn(zone)),
                new("name", DomainName.RelativeTo(name, zone)),
                new(
                    "srvs",
                    values
                        .Select(v =>
                            (object?)
                                new Map
                                {
                                    new("priority", v.Priority),
                                    new("weight", v.Weight),
                                    new("target", DomainName.Fqdn(v.Target)),
                                    new("port", v.Port),
                                }
                        )
                        .ToList()
                ),
                new("ttl", ttl),
            },
        };

    private static Map RrsetProperties(PulumiStack stack, string zone, string name, int ttl, IReadOnlyList<string> values) =>
        stack.Package switch
        {
            "aws" => new Map
            {
                new("zoneId", Get(stack.Config, "zoneId")),
                new("name", name),
                new("type", "TXT"),
                new("ttl", ttl),
                new("records", values.Select(v => (object?)string.Join("\"\"", TxtStrings.Split(v))).ToList()),
                new("allowOverwrite", true),
            },
            "gcp" => new Map
            {
                new("managedZone", Get(stack.Config, "managedZone")),
                new("name", DomainName.Fqdn(name)),
                new("type", "TXT"),
                new("ttl", ttl),
                new("rrdatas", values.Select(v => (object?)TxtStrings.Quote(TxtStrings.Split(v))).ToList()),
            },
            "azure-native" => new Map
            {
                new("resourceGroupName", Get(stack.Config, "resourceGroupName")),
                new("zoneName", Get(stack.Config, "zoneName") ?? zone),
                new("relativeRecordSetName", name == zone ? "@" : DomainName.RelativeTo(name, zone)),
                new("recordType", "TXT"),
                new("ttl", ttl),
                new(
                    "txtRecords",
                    values.Select(v => (object?)new Map { new("value", TxtStrings.Split(v).Select(s => (object?)s).ToList()) }).ToList()
                ),
            },
            _ => new Map
            {
                new("zone", DomainName.Fqdn(zone)),
                new("name", name == zone ? "@" : DomainName.RelativeTo(name, zone)),
                new("txt", values.Select(v => (object?)v).ToList()),
                new("ttl", ttl),
            },
        };

    /// <summary>Cloudflare takes a long TXT as quoted 255-octet strings; a short one as it is.</summary>
    private static string Quoted(string value) =>
        TxtStrings.Octets(value) <= TxtStrings.MaxOctets ? value : TxtStrings.Quote(TxtStrings.Split(value));

    private static Map Some(params (string Key, object? Value)[] pairs) =>
        pairs.Where(p => p.Value is not null).Select(p => new KeyValuePair<string, object?>(p.Key, p.Value)).ToList();

    private static string? Get(IReadOnlyDictionary<string, string> config, string key) => config.TryGetValue(key, out var v) ? v : null;

    /// <summary>A resource-name form of a DNS name; a short hash keeps two names that slug alike apart.</summary>
    private static string Slug(string name) => $"{name.Replace('.', '-').Replace('_', 'u')}-{Hash(name)}";

    private static string Hash(string text) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..6].ToLowerInvariant();
}
