using MailDns.Core.Names;
using MailDns.Core.Publishing;
using MailDns.Core.Records;

namespace MailDns.Operator.Publishing;

/// <summary>A zone the product can read and change one TXT value at a time: a zone file, or a server taking RFC 2136 updates.</summary>
public interface IRecordStore
{
    /// <summary>The TXT values served at each name, joined.</summary>
    Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> ReadAsync(
        IReadOnlyCollection<string> names,
        CancellationToken cancellationToken
    );

    /// <summary>Makes the changes; returns those that failed, each with the server's answer.</summary>
    Task<IReadOnlyList<(RecordChange Change, string Error)>> ApplyAsync(
        IReadOnlyList<RecordChange> changes,
        CancellationToken cancellationToken
    );
}

/// <summary>
/// Preview and apply for record-by-record providers. Content comes from the core (desired records); ownership
/// from the records this owner published before; the decision is <see cref="PublishPlanner"/>'s.
/// </summary>
public sealed class RecordPublisher(IRecordStore store)
{
    public async Task<ChangeSet> PreviewAsync(
        IReadOnlyList<DesiredRecord> desired,
        IReadOnlyList<OwnedRecord> owned,
        bool adopt,
        CancellationToken cancellationToken
    ) => (await ReadAndPlanAsync(desired, owned, adopt, cancellationToken).ConfigureAwait(false)).Plan;

    public async Task<PublishResult> ApplyAsync(
        IReadOnlyList<DesiredRecord> desired,
        IReadOnlyList<OwnedRecord> owned,
        bool adopt,
        CancellationToken cancellationToken
    ) => (await ApplyReadingAsync(desired, owned, adopt, cancellationToken).ConfigureAwait(false)).Result;

    /// <summary>
    /// Applies, and says what the store serves now when that is known without asking it again: the values read to plan,
    /// when the plan changed nothing (null when it changed something, as the store may not serve exactly what was sent).
    /// </summary>
    public async Task<(PublishResult Result, IReadOnlyDictionary<string, IReadOnlyList<string>>? ServedNow)> ApplyReadingAsync(
        IReadOnlyList<DesiredRecord> desired,
        IReadOnlyList<OwnedRecord> owned,
        bool adopt,
        CancellationToken cancellationToken
    )
    {
        var (served, plan) = await ReadAndPlanAsync(desired, owned, adopt, cancellationToken).ConfigureAwait(false);
        if (plan.IsEmpty)
        {
            return (PublishResult.From(plan, []), served);
        }

        var failures = await store.ApplyAsync(plan.Changes, cancellationToken).ConfigureAwait(false);
        return (PublishResult.From(plan, failures), null);
    }

    private async Task<(IReadOnlyDictionary<string, IReadOnlyList<string>> Served, ChangeSet Plan)> ReadAndPlanAsync(
        IReadOnlyList<DesiredRecord> desired,
        IReadOnlyList<OwnedRecord> owned,
        bool adopt,
        CancellationToken cancellationToken
    )
    {
        var served = await store.ReadAsync(NamesOf(desired, owned), cancellationToken).ConfigureAwait(false);
        return (served, PublishPlanner.Plan(desired, served, owned, adopt));
    }

    /// <summary>The names a store is asked about for these records, normalized, each once.</summary>
    public static List<string> NamesOf(IReadOnlyList<DesiredRecord> desired, IReadOnlyList<OwnedRecord> owned) =>
        desired
            .Select(d => DomainName.Normalize(d.Name))
            .Concat(owned.Select(o => DomainName.Normalize(o.Name)))
            .Distinct(StringComparer.Ordinal)
            .ToList();
}
