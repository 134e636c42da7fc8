using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace MailDns.Core.Api;

/// <summary>
/// What DnsProvider and ClusterDnsProvider share: everything but their kind and scope.
/// </summary>
public abstract class DnsProviderResource : IKubernetesObject<V1ObjectMeta>, ISpec<DnsProviderSpec>, IStatus<DnsProviderStatus?>
{
    protected DnsProviderResource(string kind) => Kind = kind;

    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = ApiGroup.ApiVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; }

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public DnsProviderSpec Spec { get; set; } = new();

    [JsonPropertyName("status")]
    public DnsProviderStatus? Status { get; set; }
}

/// <summary>Where a zone's records are published: a namespaced provider.</summary>
[KubernetesEntity(Group = ApiGroup.Name, ApiVersion = ApiGroup.Version, Kind = KindName, PluralName = "dnsproviders")]
public sealed class DnsProvider : DnsProviderResource
{
    public const string KindName = "DnsProvider";

    public DnsProvider()
        : base(KindName) { }
}

/// <summary>The same as <see cref="DnsProvider"/>, cluster-scoped, shared by every namespace.</summary>
[KubernetesEntity(Group = ApiGroup.Name, ApiVersion = ApiGroup.Version, Kind = KindName, PluralName = "clusterdnsproviders")]
public sealed class ClusterDnsProvider : DnsProviderResource
{
    public const string KindName = "ClusterDnsProvider";

    public ClusterDnsProvider()
        : base(KindName) { }
}

public sealed class DnsProviderSpec
{
    [JsonPropertyName("zone")]
    public string Zone { get; set; } = "";

    [JsonPropertyName("pulumi")]
    public PulumiProviderSpec? Pulumi { get; set; }

    [JsonPropertyName("rfc2136")]
    public Rfc2136ProviderSpec? Rfc2136 { get; set; }

    [JsonPropertyName("zoneFile")]
    public ZoneFileProviderSpec? ZoneFile { get; set; }
}

public sealed class PulumiProviderSpec
{
    [JsonPropertyName("package")]
    public string Package { get; set; } = "";

    [JsonPropertyName("config")]
    public IDictionary<string, string>? Config { get; set; }

    [JsonPropertyName("credentialsSecretRef")]
    public SecretRef? CredentialsSecretRef { get; set; }

    [JsonPropertyName("backend")]
    public string? Backend { get; set; }

    [JsonPropertyName("passphraseSecretRef")]
    public SecretKeyRef? PassphraseSecretRef { get; set; }

    [JsonPropertyName("stackName")]
    public string? StackName { get; set; }
}

public sealed class Rfc2136ProviderSpec
{
    [JsonPropertyName("server")]
    public string Server { get; set; } = "";

    [JsonPropertyName("tsigKeyName")]
    public string TsigKeyName { get; set; } = "";

    [JsonPropertyName("tsigAlgorithm")]
    public string? TsigAlgorithm { get; set; }

    [JsonPropertyName("tsigSecretRef")]
    public SecretKeyRef TsigSecretRef { get; set; } = new();
}

public sealed class ZoneFileProviderSpec
{
    [JsonPropertyName("path")]
    public string Path { get; set; } = "";
}

/// <summary>A whole Secret; each key becomes an environment variable.</summary>
public sealed class SecretRef
{
    [JsonPropertyName("name")]
    public string Name { get; set; } = "";

    [JsonPropertyName("namespace")]
    public string? Namespace { get; set; }
}

/// <summary>One key of a Secret.</summary>
public sealed class SecretKeyRef
{
    [JsonPropertyName("name")]
    public string Name { get; set; } = "";

    [JsonPropertyName("namespace")]
    public string? Namespace { get; set; }

    [JsonPropertyName("key")]
    public string Key { get; set; } = "";
}

public sealed class DnsProviderStatus
{
    [JsonPropertyName("observedGeneration")]
    public long? ObservedGeneration { get; set; }

    [JsonPropertyName("conditions")]
    public IList<V1Condition>? Conditions { get; set; }
}
