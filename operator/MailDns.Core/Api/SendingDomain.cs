using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace MailDns.Core.Api;

/// <summary>A domain that sends mail, with the SPF, DKIM and DMARC records the operator keeps for it.</summary>
[KubernetesEntity(Group = ApiGroup.Name, ApiVersion = ApiGroup.Version, Kind = KindName, PluralName = "sendingdomains")]
public sealed class SendingDomain : IKubernetesObject<V1ObjectMeta>, ISpec<SendingDomainSpec>, IStatus<SendingDomainStatus?>
{
    public const string KindName = "SendingDomain";

    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = ApiGroup.ApiVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = KindName;

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public SendingDomainSpec Spec { get; set; } = new();

    [JsonPropertyName("status")]
    public SendingDomainStatus? Status { get; set; }

    /// <summary>"namespace/name", the key used for ownership and in messages.</summary>
    public string Key => $"{Metadata.NamespaceProperty ?? "default"}/{Metadata.Name}";
}

public sealed class SendingDomainSpec
{
    [JsonPropertyName("domain")]
    public string Domain { get; set; } = "";

    [JsonPropertyName("providerRef")]
    public ProviderRef ProviderRef { get; set; } = new();

    [JsonPropertyName("ttl")]
    public int? Ttl { get; set; }

    [JsonPropertyName("spf")]
    public SpfSpec? Spf { get; set; }

    [JsonPropertyName("dkim")]
    public DkimSpec? Dkim { get; set; }

    [JsonPropertyName("dmarc")]
    public DmarcSpec? Dmarc { get; set; }

    [JsonPropertyName("mtaSts")]
    public MtaStsSpec? MtaSts { get; set; }

    [JsonPropertyName("tlsRpt")]
    public TlsRptSpec? TlsRpt { get; set; }

    [JsonPropertyName("bimi")]
    public BimiSpec? Bimi { get; set; }

    [JsonPropertyName("submission")]
    public SubmissionSpec? Submission { get; set; }

    [JsonPropertyName("publish")]
    public PublishSpec? Publish { get; set; }

    [JsonPropertyName("healthCheck")]
    public HealthCheckSpec? HealthCheck { get; set; }

    [JsonPropertyName("reputation")]
    public ReputationSpec? Reputation { get; set; }

    [JsonPropertyName("transportCheck")]
    public TransportCheckSpec? TransportCheck { get; set; }

    [JsonPropertyName("deletionPolicy")]
    public string? DeletionPolicy { get; set; }
}

public sealed class ProviderRef
{
    [JsonPropertyName("kind")]
    public string? Kind { get; set; }

    [JsonPropertyName("name")]
    public string Name { get; set; } = "";
}

public sealed class SpfSpec
{
    [JsonPropertyName("include")]
    public IList<string>? Include { get; set; }

    [JsonPropertyName("ip4")]
    public IList<string>? Ip4 { get; set; }

    [JsonPropertyName("ip6")]
    public IList<string>? Ip6 { get; set; }

    [JsonPropertyName("a")]
    public bool? A { get; set; }

    [JsonPropertyName("mx")]
    public bool? Mx { get; set; }

    [JsonPropertyName("all")]
    public string? All { get; set; }
}

public sealed class DkimSpec
{
    [JsonPropertyName("series")]
    public IList<DkimSeriesSpec>? Series { get; set; }

    [JsonPropertyName("rotation")]
    public DkimRotationSpec? Rotation { get; set; }

    [JsonPropertyName("rotateRequestedAt")]
    public DateTimeOffset? RotateRequestedAt { get; set; }

    /// <summary>The series rotateRequestedAt is for (algorithm or selector prefix); all when empty.</summary>
    [JsonPropertyName("rotateRequestedSeries")]
    public IList<string>? RotateRequestedSeries { get; set; }

    [JsonPropertyName("compromisedSelectors")]
    public IList<string>? CompromisedSelectors { get; set; }
}

public sealed class DkimSeriesSpec
{
    [JsonPropertyName("algorithm")]
    public string? Algorithm { get; set; }

    [JsonPropertyName("size")]
    public int? Size { get; set; }

    [JsonPropertyName("selectorPrefix")]
    public string? SelectorPrefix { get; set; }
}

public sealed class DkimRotationSpec
{
    [JsonPropertyName("interval")]
    public string? Interval { get; set; }

    [JsonPropertyName("propagationDelay")]
    public string? PropagationDelay { get; set; }

    [JsonPropertyName("retireAfter")]
    public string? RetireAfter { get; set; }

    [JsonPropertyName("revokeFor")]
    public string? RevokeFor { get; set; }
}

public sealed class DmarcSpec
{
    [JsonPropertyName("policy")]
    public string Policy { get; set; } = "";

    [JsonPropertyName("subdomainPolicy")]
    public string? SubdomainPolicy { get; set; }

    [JsonPropertyName("nonExistentSubdomainPolicy")]
    public string? NonExistentSubdomainPolicy { get; set; }

    [JsonPropertyName("aggregateReportUris")]
    public IList<string>? AggregateReportUris { get; set; }

    [JsonPropertyName("failureReportUris")]
    public IList<string>? FailureReportUris { get; set; }

    [JsonPropertyName("dkimAlignment")]
    public string? DkimAlignment { get; set; }

    [JsonPropertyName("spfAlignment")]
    public string? SpfAlignment { get; set; }

    [JsonPropertyName("failureOptions")]
    public IList<string>? FailureOptions { get; set; }

    [JsonPropertyName("testing")]
    public bool? Testing { get; set; }

    [JsonPropertyName("rollout")]
    public DmarcRolloutSpec? Rollout { get; set; }
}

/// <summary>
/// A rollout from the policy toward the target, one stage at a time, on the evidence of the aggregate reports; the
/// policy actually published is in status.dmarc.
/// </summary>
public sealed class DmarcRolloutSpec
{
    [JsonPropertyName("target")]
    public string Target { get; set; } = "";

    [JsonPropertyName("minPassRate")]
    public double? MinPassRate { get; set; }

    [JsonPropertyName("minMessages")]
    public long? MinMessages { get; set; }

    [JsonPropertyName("window")]
    public string? Window { get; set; }

    [JsonPropertyName("stepAfter")]
    public string? StepAfter { get; set; }

    [JsonPropertyName("rollback")]
    public bool? Rollback { get; set; }
}

public sealed class MtaStsSpec
{
    /// <summary>The id of a policy you host yourself; with <see cref="Mode"/> the operator derives it.</summary>
    [JsonPropertyName("id")]
    public string? Id { get; set; }

    /// <summary>enforce, testing or none: the operator renders, serves and ids the policy.</summary>
    [JsonPropertyName("mode")]
    public string? Mode { get; set; }

    /// <summary>MX patterns; default: the domain's MX hosts.</summary>
    [JsonPropertyName("mx")]
    public IList<string>? Mx { get; set; }

    [JsonPropertyName("maxAge")]
    public string? MaxAge { get; set; }
}

public sealed class TlsRptSpec
{
    [JsonPropertyName("reportUris")]
    public IList<string> ReportUris { get; set; } = [];
}

public sealed class BimiSpec
{
    [JsonPropertyName("selector")]
    public string? Selector { get; set; }

    [JsonPropertyName("logoUrl")]
    public string LogoUrl { get; set; } = "";

    [JsonPropertyName("authorityUrl")]
    public string? AuthorityUrl { get; set; }
}

public sealed class PublishSpec
{
    [JsonPropertyName("mode")]
    public string? Mode { get; set; }

    [JsonPropertyName("adopt")]
    public bool? Adopt { get; set; }
}

public sealed class HealthCheckSpec
{
    [JsonPropertyName("schedule")]
    public string? Schedule { get; set; }

    [JsonPropertyName("nameservers")]
    public IList<string>? Nameservers { get; set; }
}

/// <summary>
/// Where mail clients submit mail (RFC 6186): the operator publishes _submission._tcp (STARTTLS) and _submissions._tcp
/// (implicit TLS, RFC 8314 §5.1) SRV records for these endpoints.
/// </summary>
public sealed class SubmissionSpec
{
    [JsonPropertyName("startTls")]
    public IList<SubmissionEndpoint>? StartTls { get; set; }

    [JsonPropertyName("implicitTls")]
    public IList<SubmissionEndpoint>? ImplicitTls { get; set; }
}

public sealed class SubmissionEndpoint
{
    [JsonPropertyName("host")]
    public string Host { get; set; } = "";

    [JsonPropertyName("port")]
    public int? Port { get; set; }

    [JsonPropertyName("priority")]
    public int? Priority { get; set; }

    [JsonPropertyName("weight")]
    public int? Weight { get; set; }
}

/// <summary>
/// Scheduled transport security checks (spec.transportCheck): MX, MTA-STS, STARTTLS and certificates on port 25, DANE, and
/// the submission endpoints, as `maildns check` runs them. Off by default: they open SMTP sessions with the domain's MX
/// hosts, and many clusters may not connect out on port 25.
/// </summary>
public sealed class TransportCheckSpec
{
    [JsonPropertyName("enabled")]
    public bool? Enabled { get; set; }

    [JsonPropertyName("schedule")]
    public string? Schedule { get; set; }
}

/// <summary>Blocklist and reverse DNS checks of the domain and its sending addresses (spec.reputation).</summary>
public sealed class ReputationSpec
{
    [JsonPropertyName("enabled")]
    public bool? Enabled { get; set; }

    /// <summary>Sending addresses or networks beyond the SPF ip4/ip6 terms (senders behind an include).</summary>
    [JsonPropertyName("ips")]
    public IList<string>? Ips { get; set; }

    [JsonPropertyName("schedule")]
    public string? Schedule { get; set; }
}
