using MailDns.Core.Health;
using MailDns.Core.Names;
using MailDns.Core.Records;
using MailDns.Core.Spf;

namespace MailDns.Core.Publishing;

/// <summary>
/// The changes that bring what a zone serves to what the product wants, touching only what the product owns.
/// Pure: desired records, the TXT values served at their names (joined, so a provider's re-splitting is never
/// drift), the records this owner published before, and whether foreign records may be adopted.
/// </summary>
public static class PublishPlanner
{
    public static ChangeSet Plan(
        IReadOnlyList<DesiredRecord> desired,
        IReadOnlyDictionary<string, IReadOnlyList<string>> served,
        IReadOnlyList<OwnedRecord> owned,
        bool adopt
    )
    {
        var changes = new List<RecordChange>();
        var unchanged = new List<DesiredRecord>();
        var conflicts = new List<RecordConflict>();
        var ownedSet = owned.Select(o => (DomainName.Normalize(o.Name), o.Value)).ToHashSet();
        var kept = new HashSet<(string, string)>();
        var wanted = desired.Select(d => (DomainName.Normalize(d.Name), d.Value)).ToHashSet();

        foreach (var record in desired.OrderBy(r => r.Name, StringComparer.Ordinal).ThenBy(r => r.Value, StringComparer.Ordinal))
        {
            var name = DomainName.Normalize(record.Name);
            var values = served.TryGetValue(name, out var v) ? v : [];
            if (values.Contains(record.Value, StringComparer.Ordinal))
            {
                unchanged.Add(record);
                kept.Add((name, record.Value));
                continue;
            }

            // A value of the same kind already at the name: ours (an older version) is replaced in place; a
            // foreign one is a conflict unless adoption is allowed.
            // A name holding several wanted values (the SRV records of one service) pairs each old value of ours with
            // one new value at most, and never counts a value wanted beside this one as foreign.
            var sameKind = values.Where(value => SameKind(record, value) && !wanted.Contains((name, value))).ToList();
            var ours = sameKind.FirstOrDefault(value => ownedSet.Contains((name, value)) && !kept.Contains((name, value)));
            var foreign = sameKind.Where(value => !ownedSet.Contains((name, value)) && !kept.Contains((name, value))).ToList();
            if (foreign.Count > 0 && !adopt)
            {
                conflicts.Add(new RecordConflict(name, foreign[0], record.Value, record.Purpose, record.Owner));
                continue;
            }

            if (ours is not null)
            {
                changes.Add(new RecordChange(ChangeKind.Update, name, record.Ttl, ours, record.Value, record.Purpose, record.Owner));
                kept.Add((name, ours));
            }
            else
            {
                changes.Add(new RecordChange(ChangeKind.Create, name, record.Ttl, null, record.Value, record.Purpose, record.Owner));
            }

            foreach (var adopted in foreign)
            {
                changes.Add(new RecordChange(ChangeKind.Delete, name, record.Ttl, adopted, null, record.Purpose, record.Owner));
                kept.Add((name, adopted));
            }
        }

        foreach (var old in owned.OrderBy(o => o.Name, StringComparer.Ordinal).ThenBy(o => o.Value, StringComparer.Ordinal))
        {
            var name = DomainName.Normalize(old.Name);
            if (
                !kept.Contains((name, old.Value))
                && served.TryGetValue(name, out var values)
                && values.Contains(old.Value, StringComparer.Ordinal)
                && !wanted.Contains((name, old.Value))
            )
            {
                changes.Add(new RecordChange(ChangeKind.Delete, name, 0, old.Value, null, null, old.Owner));
            }
        }

        return new ChangeSet(changes, unchanged, conflicts);
    }

    /// <summary>
    /// Values that occupy the slot the record wants: at most one SPF at a name, one DMARC, one policy record of
    /// each kind; a DKIM selector name belongs to its key alone, and a submission service name to its SRV records, so
    /// anything there is the same kind.
    /// </summary>
    public static bool SameKind(DesiredRecord record, string value) =>
        record.Purpose switch
        {
            RecordPurpose.Spf => SpfParser.LooksLikeSpf(value),
            RecordPurpose.Dmarc => ServedRecordChecks.IsDmarc(value),
            RecordPurpose.MtaSts => value.StartsWith("v=STSv1", StringComparison.Ordinal),
            RecordPurpose.TlsRpt => value.StartsWith("v=TLSRPTv1", StringComparison.Ordinal),
            RecordPurpose.Bimi => value.StartsWith("v=BIMI1", StringComparison.Ordinal),
            _ => true,
        };

    /// <summary>The records a deletion with deletionPolicy Delete removes: exactly what this owner published.</summary>
    public static ChangeSet PlanDeletion(IReadOnlyDictionary<string, IReadOnlyList<string>> served, IReadOnlyList<OwnedRecord> owned) =>
        Plan([], served, owned, adopt: false);
}
