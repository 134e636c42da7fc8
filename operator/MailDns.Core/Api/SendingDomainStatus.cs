using System.Text.Json.Serialization;
using k8s.Models;

namespace MailDns.Core.Api;

public sealed class SendingDomainStatus
{
    [JsonPropertyName("observedGeneration")]
    public long? ObservedGeneration { get; set; }

    [JsonPropertyName("conditions")]
    public IList<V1Condition>? Conditions { get; set; }

    [JsonPropertyName("records")]
    public IList<RecordStatus>? Records { get; set; }

    [JsonPropertyName("dkim")]
    public DkimStatus? Dkim { get; set; }

    [JsonPropertyName("publish")]
    public PublishStatus? Publish { get; set; }

    [JsonPropertyName("health")]
    public HealthStatus? Health { get; set; }

    [JsonPropertyName("reports")]
    public DomainReportsStatus? Reports { get; set; }

    [JsonPropertyName("dmarc")]
    public DmarcRolloutStatus? Dmarc { get; set; }

    [JsonPropertyName("reputation")]
    public ReputationStatus? Reputation { get; set; }

    [JsonPropertyName("mtaSts")]
    public MtaStsStatus? MtaSts { get; set; }

    [JsonPropertyName("transport")]
    public TransportStatus? Transport { get; set; }
}

public sealed class RecordStatus
{
    [JsonPropertyName("name")]
    public string Name { get; set; } = "";

    [JsonPropertyName("type")]
    public string Type { get; set; } = "TXT";

    [JsonPropertyName("ttl")]
    public int Ttl { get; set; }

    [JsonPropertyName("value")]
    public string Value { get; set; } = "";

    [JsonPropertyName("purpose")]
    public string? Purpose { get; set; }
}

public sealed class DkimStatus
{
    [JsonPropertyName("activeSelectors")]
    public IList<string>? ActiveSelectors { get; set; }

    [JsonPropertyName("nextRotationTime")]
    public DateTimeOffset? NextRotationTime { get; set; }

    [JsonPropertyName("keys")]
    public IList<DkimKeyStatus>? Keys { get; set; }
}

public sealed class DkimKeyStatus
{
    [JsonPropertyName("selector")]
    public string Selector { get; set; } = "";

    [JsonPropertyName("algorithm")]
    public string Algorithm { get; set; } = "";

    [JsonPropertyName("size")]
    public int? Size { get; set; }

    [JsonPropertyName("phase")]
    public string Phase { get; set; } = "";

    [JsonPropertyName("fingerprint")]
    public string? Fingerprint { get; set; }

    [JsonPropertyName("createdAt")]
    public DateTimeOffset? CreatedAt { get; set; }

    [JsonPropertyName("publishedAt")]
    public DateTimeOffset? PublishedAt { get; set; }

    [JsonPropertyName("verifiedAt")]
    public DateTimeOffset? VerifiedAt { get; set; }

    [JsonPropertyName("activatedAt")]
    public DateTimeOffset? ActivatedAt { get; set; }

    [JsonPropertyName("retiringAt")]
    public DateTimeOffset? RetiringAt { get; set; }

    [JsonPropertyName("revokedAt")]
    public DateTimeOffset? RevokedAt { get; set; }
}

public sealed class PublishStatus
{
    [JsonPropertyName("provider")]
    public string? Provider { get; set; }

    [JsonPropertyName("stack")]
    public string? Stack { get; set; }

    [JsonPropertyName("lastRunTime")]
    public DateTimeOffset? LastRunTime { get; set; }

    [JsonPropertyName("created")]
    public int? Created { get; set; }

    [JsonPropertyName("updated")]
    public int? Updated { get; set; }

    [JsonPropertyName("deleted")]
    public int? Deleted { get; set; }

    [JsonPropertyName("unchanged")]
    public int? Unchanged { get; set; }

    [JsonPropertyName("previewSteps")]
    public IList<PreviewStepStatus>? PreviewSteps { get; set; }
}

public sealed class PreviewStepStatus
{
    [JsonPropertyName("op")]
    public string Op { get; set; } = "";

    [JsonPropertyName("name")]
    public string Name { get; set; } = "";

    [JsonPropertyName("type")]
    public string Type { get; set; } = "TXT";

    [JsonPropertyName("value")]
    public string? Value { get; set; }
}

public sealed class HealthStatus
{
    [JsonPropertyName("lastCheckTime")]
    public DateTimeOffset? LastCheckTime { get; set; }

    [JsonPropertyName("nextCheckTime")]
    public DateTimeOffset? NextCheckTime { get; set; }

    [JsonPropertyName("checks")]
    public IList<HealthCheckStatus>? Checks { get; set; }
}

public sealed class HealthCheckStatus
{
    [JsonPropertyName("id")]
    public string Id { get; set; } = "";

    [JsonPropertyName("selector")]
    public string? Selector { get; set; }

    [JsonPropertyName("server")]
    public string? Server { get; set; }

    [JsonPropertyName("status")]
    public string Status { get; set; } = "";

    [JsonPropertyName("severity")]
    public string Severity { get; set; } = "";

    [JsonPropertyName("message")]
    public string Message { get; set; } = "";
}

/// <summary>
/// What receivers reported about the domain over the report window (status.reports), cut to a few entries per list
/// so the status object stays small; the full figures are in the report store (`maildns reports summary`).
/// </summary>
public sealed class DomainReportsStatus
{
    public const int ListLimit = 5;

    [JsonPropertyName("window")]
    public string Window { get; set; } = "";

    [JsonPropertyName("computedAt")]
    public DateTime? ComputedAt { get; set; }

    [JsonPropertyName("reports")]
    public long Reports { get; set; }

    [JsonPropertyName("messages")]
    public long Messages { get; set; }

    [JsonPropertyName("dmarcPassRate")]
    public string? DmarcPassRate { get; set; }

    [JsonPropertyName("dkimAlignedPassRate")]
    public string? DkimAlignedPassRate { get; set; }

    [JsonPropertyName("spfAlignedPassRate")]
    public string? SpfAlignedPassRate { get; set; }

    [JsonPropertyName("reporters")]
    public IList<ReportSourceTally>? Reporters { get; set; }

    [JsonPropertyName("sources")]
    public IList<ReportSourceTally>? Sources { get; set; }

    [JsonPropertyName("failingSources")]
    public IList<ReportSourceTally>? FailingSources { get; set; }

    [JsonPropertyName("selectors")]
    public IList<ReportSelectorTally>? Selectors { get; set; }

    [JsonPropertyName("tlsFailedSessions")]
    public long TlsFailedSessions { get; set; }

    [JsonPropertyName("tlsSuccessfulSessions")]
    public long TlsSuccessfulSessions { get; set; }

    [JsonPropertyName("failureReports")]
    public long FailureReports { get; set; }

    [JsonPropertyName("lastReceived")]
    public DateTime? LastReceived { get; set; }
}

public sealed class ReportSourceTally
{
    [JsonPropertyName("name")]
    public string Name { get; set; } = "";

    [JsonPropertyName("reverseName")]
    public string? ReverseName { get; set; }

    [JsonPropertyName("messages")]
    public long Messages { get; set; }

    [JsonPropertyName("dmarcPass")]
    public long DmarcPass { get; set; }
}

public sealed class ReportSelectorTally
{
    [JsonPropertyName("selector")]
    public string Selector { get; set; } = "";

    [JsonPropertyName("domain")]
    public string Domain { get; set; } = "";

    [JsonPropertyName("messages")]
    public long Messages { get; set; }

    [JsonPropertyName("pass")]
    public long Pass { get; set; }
}

/// <summary>
/// The DMARC rollout's state (status.dmarc): the stage published, since when, and the evidence behind the last decision.
/// The record at _dmarc is rendered from this stage, not from spec.dmarc.policy, while a rollout is set.
/// </summary>
public sealed class DmarcRolloutStatus
{
    [JsonPropertyName("stage")]
    public string Stage { get; set; } = "";

    [JsonPropertyName("effectivePolicy")]
    public string EffectivePolicy { get; set; } = "";

    [JsonPropertyName("testing")]
    public bool Testing { get; set; }

    [JsonPropertyName("startedAt")]
    public DateTime? StartedAt { get; set; }

    [JsonPropertyName("since")]
    public DateTime? Since { get; set; }

    [JsonPropertyName("decision")]
    public string? Decision { get; set; }

    [JsonPropertyName("reason")]
    public string? Reason { get; set; }

    [JsonPropertyName("evaluatedAt")]
    public DateTime? EvaluatedAt { get; set; }

    [JsonPropertyName("messages")]
    public long Messages { get; set; }

    [JsonPropertyName("passRate")]
    public string? PassRate { get; set; }

    [JsonPropertyName("failingSources")]
    public IList<string>? FailingSources { get; set; }
}

/// <summary>
/// What blocklists and reverse DNS say about the domain and its sending addresses (status.reputation). Lists are cut to
/// <see cref="ListLimit"/> entries; the counts say how many there were.
/// </summary>
public sealed class ReputationStatus
{
    public const int ListLimit = 20;

    /// <summary>The spec generation whose addresses this check asked about.</summary>
    [JsonPropertyName("observedGeneration")]
    public long? ObservedGeneration { get; set; }

    [JsonPropertyName("checkedAt")]
    public DateTime? CheckedAt { get; set; }

    [JsonPropertyName("addresses")]
    public int Addresses { get; set; }

    [JsonPropertyName("domains")]
    public IList<string>? Domains { get; set; }

    [JsonPropertyName("lists")]
    public IList<string>? Lists { get; set; }

    [JsonPropertyName("notExpanded")]
    public IList<string>? NotExpanded { get; set; }

    [JsonPropertyName("listedCount")]
    public int ListedCount { get; set; }

    [JsonPropertyName("listed")]
    public IList<ListingStatus>? Listed { get; set; }

    [JsonPropertyName("allowlisted")]
    public IList<ListingStatus>? Allowlisted { get; set; }

    [JsonPropertyName("unanswered")]
    public IList<UnansweredListStatus>? Unanswered { get; set; }

    [JsonPropertyName("fcrdnsPassed")]
    public int FcrdnsPassed { get; set; }

    [JsonPropertyName("fcrdnsFailedCount")]
    public int FcrdnsFailedCount { get; set; }

    [JsonPropertyName("fcrdnsFailed")]
    public IList<FcrdnsFailureStatus>? FcrdnsFailed { get; set; }

    [JsonPropertyName("fcrdnsUnknown")]
    public int FcrdnsUnknown { get; set; }
}

/// <summary>One target on one list: since when it has been listed and when that was last confirmed.</summary>
public sealed class ListingStatus
{
    [JsonPropertyName("target")]
    public string Target { get; set; } = "";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "";

    [JsonPropertyName("list")]
    public string List { get; set; } = "";

    [JsonPropertyName("codes")]
    public IList<string>? Codes { get; set; }

    [JsonPropertyName("meaning")]
    public string Meaning { get; set; } = "";

    [JsonPropertyName("since")]
    public DateTime? Since { get; set; }

    [JsonPropertyName("lastSeen")]
    public DateTime? LastSeen { get; set; }
}

/// <summary>A list that left questions unanswered in the last check: how many, and why (the first reason seen).</summary>
public sealed class UnansweredListStatus
{
    [JsonPropertyName("list")]
    public string List { get; set; } = "";

    [JsonPropertyName("status")]
    public string Status { get; set; } = "";

    [JsonPropertyName("count")]
    public int Count { get; set; }

    [JsonPropertyName("meaning")]
    public string Meaning { get; set; } = "";
}

public sealed class FcrdnsFailureStatus
{
    [JsonPropertyName("address")]
    public string Address { get; set; } = "";

    [JsonPropertyName("names")]
    public IList<string>? Names { get; set; }

    [JsonPropertyName("message")]
    public string Message { get; set; } = "";
}

/// <summary>
/// The MTA-STS policy the operator manages (status.mtaSts): the policy every replica's public listener serves, its id,
/// and the id the _mta-sts record carries, which moves to a new policy only once that policy is served.
/// </summary>
public sealed class MtaStsStatus
{
    [JsonPropertyName("mode")]
    public string? Mode { get; set; }

    [JsonPropertyName("mx")]
    public IList<string>? Mx { get; set; }

    [JsonPropertyName("maxAge")]
    public long? MaxAge { get; set; }

    /// <summary>The policy text served at https://mta-sts.DOMAIN/.well-known/mta-sts.txt.</summary>
    [JsonPropertyName("policy")]
    public string? Policy { get; set; }

    [JsonPropertyName("policyId")]
    public string? PolicyId { get; set; }

    /// <summary>The id the _mta-sts record carries.</summary>
    [JsonPropertyName("publishedId")]
    public string? PublishedId { get; set; }

    /// <summary>Whether the published id is the current policy's.</summary>
    [JsonPropertyName("current")]
    public bool Current { get; set; }

    [JsonPropertyName("reason")]
    public string? Reason { get; set; }

    [JsonPropertyName("message")]
    public string? Message { get; set; }

    /// <summary>Set while a deleted domain withdraws its policy (RFC 8461 §8.3).</summary>
    [JsonPropertyName("withdrawal")]
    public MtaStsWithdrawalStatus? Withdrawal { get; set; }
}

/// <summary>The last scheduled transport check (spec.transportCheck): when it ran, for which generation, and its results.</summary>
public sealed class TransportStatus
{
    [JsonPropertyName("checkedAt")]
    public DateTimeOffset? CheckedAt { get; set; }

    [JsonPropertyName("observedGeneration")]
    public long ObservedGeneration { get; set; }

    [JsonPropertyName("checks")]
    public IList<HealthCheckStatus>? Checks { get; set; }
}

/// <summary>A policy being withdrawn: how long senders may hold the previous one, and when the mode none id went out.</summary>
public sealed class MtaStsWithdrawalStatus
{
    /// <summary>The previous policy's max_age in seconds.</summary>
    [JsonPropertyName("heldFor")]
    public long HeldFor { get; set; }

    [JsonPropertyName("publishedAt")]
    public DateTimeOffset? PublishedAt { get; set; }
}
