using MailDns.Core.Records;

namespace MailDns.Core.Publishing;

public enum ChangeKind
{
    Create,
    Update,
    Delete,
}

/// <summary>
/// One change to one TXT record. An update replaces exactly one value with another at the same name (a delete of
/// the old value and an add of the new), never the whole RRset.
/// </summary>
public sealed record RecordChange(
    ChangeKind Kind,
    string Name,
    int Ttl,
    string? OldValue,
    string? NewValue,
    RecordPurpose? Purpose,
    string Owner
);

/// <summary>A foreign record where the product wants one of the same kind: reported with its value, never overwritten.</summary>
public sealed record RecordConflict(string Name, string ForeignValue, string WantedValue, RecordPurpose Purpose, string Owner)
{
    public string Message =>
        $"{Name} already has a {DesiredRecord.PurposeText(Purpose)} record the operator does not own: \"{ForeignValue}\"; set "
            + $"spec.publish.adopt to replace it";
}

/// <summary>A record the product published, as recorded in status (or the state directory), so it can remove exactly those.</summary>
public sealed record OwnedRecord(string Name, string Value, string Owner);

public sealed record ChangeSet(
    IReadOnlyList<RecordChange> Changes,
    IReadOnlyList<DesiredRecord> Unchanged,
    IReadOnlyList<RecordConflict> Conflicts
)
{
    public static ChangeSet Empty { get; } = new([], [], []);

    public int Count(ChangeKind kind) => Changes.Count(c => c.Kind == kind);

    public bool IsEmpty => Changes.Count == 0;
}

/// <summary>What a publisher did: counts, and the changes that failed with the server's or provider's answer.</summary>
public sealed record PublishResult(
    int Created,
    int Updated,
    int Deleted,
    int Unchanged,
    IReadOnlyList<RecordConflict> Conflicts,
    IReadOnlyList<(RecordChange Change, string Error)> Failures
)
{
    public bool Succeeded => Failures.Count == 0 && Conflicts.Count == 0;

    /// <summary>
    /// Two publishes of one reconcile as one: changes add up, and what the later one found unchanged counts only
    /// when this reconcile did not create or update it itself (a first run creates, it does not find unchanged).
    /// Conflicts and failures are the later publish's: it is the state DNS was left in.
    /// </summary>
    public PublishResult Then(PublishResult later)
    {
        var created = Created + later.Created;
        var updated = Updated + later.Updated;
        var present = later.Created + later.Updated + later.Unchanged;
        var unchanged = Math.Max(0, present - created - updated);
        return new PublishResult(created, updated, Deleted + later.Deleted, unchanged, later.Conflicts, later.Failures);
    }

    public static PublishResult From(ChangeSet plan, IReadOnlyList<(RecordChange Change, string Error)> failures)
    {
        var failed = failures.Select(f => f.Change).ToHashSet();
        return new PublishResult(
            plan.Changes.Count(c => c.Kind == ChangeKind.Create && !failed.Contains(c)),
            plan.Changes.Count(c => c.Kind == ChangeKind.Update && !failed.Contains(c)),
            plan.Changes.Count(c => c.Kind == ChangeKind.Delete && !failed.Contains(c)),
            plan.Unchanged.Count,
            plan.Conflicts,
            failures
        );
    }
}
