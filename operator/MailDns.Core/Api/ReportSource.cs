using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace MailDns.Core.Api;

/// <summary>A mailbox the operator reads DMARC aggregate, TLS and failure reports from (crds/reportsources.maildns.io.yaml).</summary>
[KubernetesEntity(Group = ApiGroup.Name, ApiVersion = ApiGroup.Version, Kind = KindName, PluralName = Plural)]
public sealed class ReportSource : IKubernetesObject<V1ObjectMeta>, ISpec<ReportSourceSpec>, IStatus<ReportSourceStatus?>
{
    public const string KindName = "ReportSource";
    public const string Plural = "reportsources";

    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = ApiGroup.ApiVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = KindName;

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public ReportSourceSpec Spec { get; set; } = new();

    [JsonPropertyName("status")]
    public ReportSourceStatus? Status { get; set; }
}

public sealed class ReportSourceSpec
{
    [JsonPropertyName("imap")]
    public ImapSourceSpec Imap { get; set; } = new();
}

public sealed class ImapSourceSpec
{
    public const string Implicit = "Implicit";
    public const string StartTls = "StartTls";
    public const string None = "None";

    [JsonPropertyName("host")]
    public string Host { get; set; } = "";

    [JsonPropertyName("port")]
    public int? Port { get; set; }

    [JsonPropertyName("tls")]
    public string? Tls { get; set; }

    [JsonPropertyName("caBundle")]
    public string? CaBundle { get; set; }

    [JsonPropertyName("credentialsSecretRef")]
    public MailboxCredentialsRef CredentialsSecretRef { get; set; } = new();

    [JsonPropertyName("folder")]
    public string? Folder { get; set; }

    [JsonPropertyName("archiveFolder")]
    public string? ArchiveFolder { get; set; }

    [JsonPropertyName("invalidFolder")]
    public string? InvalidFolder { get; set; }

    [JsonPropertyName("pollInterval")]
    public string? PollInterval { get; set; }

    [JsonPropertyName("idle")]
    public bool? Idle { get; set; }

    public string TlsMode => Tls ?? Implicit;

    public int EffectivePort => Port ?? (TlsMode == Implicit ? 993 : 143);

    public string EffectiveFolder => Folder ?? "INBOX";

    public string EffectiveArchiveFolder => ArchiveFolder ?? "Archive";

    public string EffectiveInvalidFolder => InvalidFolder ?? "Invalid";
}

public sealed class MailboxCredentialsRef
{
    [JsonPropertyName("name")]
    public string Name { get; set; } = "";

    [JsonPropertyName("usernameKey")]
    public string? UsernameKey { get; set; }

    [JsonPropertyName("passwordKey")]
    public string? PasswordKey { get; set; }
}

public sealed class ReportSourceStatus
{
    [JsonPropertyName("observedGeneration")]
    public long? ObservedGeneration { get; set; }

    [JsonPropertyName("lastPollTime")]
    public DateTime? LastPollTime { get; set; }

    [JsonPropertyName("lastStoredTime")]
    public DateTime? LastStoredTime { get; set; }

    [JsonPropertyName("counts")]
    public ReportSourceCounts? Counts { get; set; }

    [JsonPropertyName("conditions")]
    public IList<V1Condition>? Conditions { get; set; }
}

public sealed class ReportSourceCounts
{
    [JsonPropertyName("messages")]
    public long Messages { get; set; }

    [JsonPropertyName("stored")]
    public long Stored { get; set; }

    [JsonPropertyName("duplicate")]
    public long Duplicate { get; set; }

    [JsonPropertyName("invalid")]
    public long Invalid { get; set; }
}
