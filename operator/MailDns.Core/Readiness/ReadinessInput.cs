using k8s.Models;
using MailDns.Core.Dkim.Rotation;
using MailDns.Core.Findings;
using MailDns.Core.Health;

namespace MailDns.Core.Readiness;

/// <summary>Why a reconcile could not go on: a named reason (from <see cref="Api.ConditionReasons"/>) and a message.</summary>
public sealed record Blocked(string Reason, string Message);

/// <summary>
/// What the publisher did this run: the records this generation wants, the names the store it wrote to does not
/// serve back, and the store's name for messages.
/// </summary>
public sealed record PublishEvidence(int Desired, IReadOnlyList<string> NotServed, string Store);

/// <summary>
/// A health check's report with what it was checked against: the generation and the records ("name value")
/// that were expected. A report for another generation or other records is stale and decides nothing.
/// </summary>
public sealed record HealthEvidence(HealthReport Report, long Generation, IReadOnlySet<string> Records, DateTimeOffset CheckedAt)
{
    public static string RecordKey(string name, string value) => $"{Names.DomainName.Normalize(name)} {value}";

    /// <summary>The records a status lists, keyed as the policy compares them.</summary>
    public static HashSet<string> RecordKeys(Api.SendingDomainStatus status) =>
        (status.Records ?? []).Select(r => RecordKey(r.Name, r.Value)).ToHashSet(StringComparer.Ordinal);

    public bool Describes(long generation, IEnumerable<string> records) => Generation == generation && Records.SetEquals(records);
}

/// <summary>
/// Everything the status policy needs, gathered beforehand by the I/O shell (cert-manager's readiness input).
/// </summary>
public sealed record ReadinessInput(long Generation, DateTimeOffset Now, IReadOnlyList<V1Condition> Previous)
{
    /// <summary>Errors in the spec found by validation; any of them stops everything else.</summary>
    public IReadOnlyList<Finding> SpecErrors { get; init; } = [];

    /// <summary>Why the reconcile stopped (provider missing, Secret missing, publish refused), or null.</summary>
    public Blocked? Failure { get; init; }

    /// <summary>What the publisher did; null when it did not run.</summary>
    public PublishEvidence? Publish { get; init; }

    /// <summary>The records ("name value") the status lists: this generation's once published, else the last ones.</summary>
    public IReadOnlySet<string> Records { get; init; } = new HashSet<string>();

    public IReadOnlyList<DkimKey> Keys { get; init; } = [];

    public bool DkimConfigured { get; init; }

    /// <summary>When the rotation planner wants to be asked again.</summary>
    public DateTimeOffset? NextRotation { get; init; }

    /// <summary>The last health report, whatever it checked; the policy decides whether it is current.</summary>
    public HealthEvidence? Health { get; init; }

    /// <summary>True when the health report describes exactly this generation and the records the status lists.</summary>
    public bool HealthIsCurrent => Health is { } h && h.Describes(Generation, Records);
}
