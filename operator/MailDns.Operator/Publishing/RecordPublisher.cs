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
    )
    {
        var names = desired
            .Select(d => DomainName.Normalize(d.Name))
            .Concat(owned.Select(o => DomainName.Normalize(o.Name)))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        var served = await store.ReadAsync(names, cancellationToken).ConfigureAwait(false);
        return PublishPlanner.Plan(desired, served, owned, adopt);
    }

    public async Task<PublishResult> ApplyAsync(
        IReadOnlyList<DesiredRecord> desired,
        IReadOnlyList<OwnedRecord> owned,
        bool adopt,
        CancellationToken cancellationToken
    )
    {
        var plan = await PreviewAsync(desired, owned, adopt, cancellationToken).ConfigureAwait(false);
        var failures = plan.IsEmpty ? [] : await store.ApplyAsync(plan.Changes, cancellationToken).ConfigureAwait(false);
        return PublishResult.From(plan, failures);
    }
}
