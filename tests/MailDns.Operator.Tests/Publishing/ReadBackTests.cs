using MailDns.Core.Publishing;
using MailDns.Core.Records;
using MailDns.Operator.Publishing;
using MailDns.Testing;

namespace MailDns.Operator.Tests.Publishing;

/// <summary>
/// What a publish says the store serves afterwards: the reconcile's read-back uses it instead of asking the store
/// again, but only when the publish changed nothing (a store may not serve exactly what it was sent).
/// </summary>
public class ReadBackTests
{
    private const string Zone = "pub.test";

    private static readonly DesiredRecord Spf = new(Zone, 300, "v=spf1 ip4:192.0.2.1 -all", RecordPurpose.Spf, "mail/pub");

    private static readonly DesiredRecord Dmarc = new($"_dmarc.{Zone}", 300, "v=DMARC1; p=none", RecordPurpose.Dmarc, "mail/pub");

    /// <summary>A store that counts the names it is asked for.</summary>
    private sealed class CountingStore(IRecordStore inner) : IRecordStore
    {
        public int NamesRead { get; private set; }

        public Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> ReadAsync(
            IReadOnlyCollection<string> names,
            CancellationToken cancellationToken
        )
        {
            NamesRead += names.Count;
            return inner.ReadAsync(names, cancellationToken);
        }

        public Task<IReadOnlyList<(RecordChange Change, string Error)>> ApplyAsync(
            IReadOnlyList<RecordChange> changes,
            CancellationToken cancellationToken
        ) => inner.ApplyAsync(changes, cancellationToken);
    }

    [Fact]
    public async Task A_publish_that_changes_records_leaves_the_read_back_to_a_new_read()
    {
        using var dir = new TempDir();
        var store = new ZoneFileStore(Path.Combine(dir.Path, "pub.test.zone"), Zone);

        var (result, servedNow) = await new RecordPublisher(store).ApplyReadingAsync([Spf, Dmarc], [], false, CancellationToken.None);

        Assert.Equal(2, result.Created);
        Assert.Null(servedNow);
    }

    [Fact]
    public async Task A_publish_that_changes_nothing_gives_what_the_store_serves_after_one_read_per_name()
    {
        using var dir = new TempDir();
        var store = new CountingStore(new ZoneFileStore(Path.Combine(dir.Path, "pub.test.zone"), Zone));
        var publisher = new RecordPublisher(store);
        await publisher.ApplyAsync([Spf, Dmarc], [], false, CancellationToken.None);
        var owned = new List<OwnedRecord> { new(Spf.Name, Spf.Value, Spf.Owner), new(Dmarc.Name, Dmarc.Value, Dmarc.Owner) };
        var before = store.NamesRead;

        var (result, servedNow) = await publisher.ApplyReadingAsync([Spf, Dmarc], owned, false, CancellationToken.None);

        Assert.Equal(2, result.Unchanged);
        Assert.Equal(2, store.NamesRead - before);
        var fresh = await store.ReadAsync([Zone, Dmarc.Name], CancellationToken.None);
        Assert.NotNull(servedNow);
        Assert.Equal(fresh[Zone], servedNow[Zone]);
        Assert.Equal(fresh[Dmarc.Name], servedNow[Dmarc.Name]);
        Assert.Equal([Dmarc.Value], servedNow[Dmarc.Name]);
    }
}
