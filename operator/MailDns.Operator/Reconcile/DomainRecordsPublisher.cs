using MailDns.Core.Api;
using MailDns.Core.Dkim.Rotation;
using MailDns.Core.Publishing;
using MailDns.Core.Records;
using MailDns.Operator.Publishing;

namespace MailDns.Operator.Reconcile;

/// <summary>
/// Publishes a SendingDomain's whole record set (SPF, DMARC, policy records and a DKIM record for every key
/// that has one) through a record publisher, remembering what it owns. A conflict or a failed change throws, so
/// the rotation runner never marks a key Published that DNS does not have.
/// </summary>
public sealed class DomainRecordsPublisher(SendingDomain domain, RecordPublisher publisher, IReadOnlyList<OwnedRecord> owned)
    : IDkimPublisher
{
    public IReadOnlyList<OwnedRecord> Owned { get; private set; } = owned;

    /// <summary>Every publish of this reconcile (rotation steps and the final whole set) as one result.</summary>
    public PublishResult? Result { get; private set; }

    public IReadOnlyList<DesiredRecord> Desired { get; private set; } = [];

    /// <summary>What the store serves after the last publish, when it changed nothing (so the values it read are current).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>>? ServedNow { get; private set; }

    public async Task PublishAsync(string name, IReadOnlyList<DkimKey> keys, CancellationToken cancellationToken)
    {
        Desired = RecordSynthesis.Synthesize(domain, keys.Where(k => k.Phase.HasRecord()).Select(k => k.ToPublicKey()));
        (var result, ServedNow) = await publisher
            .ApplyReadingAsync(Desired, Owned, domain.Spec.Publish?.Adopt ?? false, cancellationToken)
            .ConfigureAwait(false);
        Result = Result is null ? result : Result.Then(result);

        // What we own now: every desired record not refused by a conflict or a failed change, and every old one
        // whose removal failed (it is still there, still ours).
        var failed = result.Failures.Select(f => f.Change).ToList();
        var conflicted = result.Conflicts.Select(c => (c.Name, c.WantedValue)).ToHashSet();
        Owned = Desired
            .Where(d => !conflicted.Contains((d.Name, d.Value)) && !failed.Any(f => f.NewValue == d.Value && f.Name == d.Name))
            .Select(d => new OwnedRecord(d.Name, d.Value, d.Owner))
            .Concat(failed.Where(f => f.OldValue is not null).Select(f => new OwnedRecord(f.Name, f.OldValue!, f.Owner)))
            .Distinct()
            .ToList();

        if (!result.Succeeded)
        {
            throw new PublishException(
                string.Join("; ", result.Conflicts.Select(c => c.Message).Concat(result.Failures.Select(f => f.Error)).Distinct())
            );
        }
    }
}
