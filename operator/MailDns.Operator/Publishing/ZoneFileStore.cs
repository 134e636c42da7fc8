using System.Collections.Concurrent;
using MailDns.Core.Publishing;
using MailDns.Operator.IO;

namespace MailDns.Operator.Publishing;

/// <summary>
/// The embedded default: a zone file on disk, edited in place by <see cref="ZoneFileEditor"/> and replaced
/// atomically (temporary file, then rename), so a reader (BIND reloading, a git commit) never sees half a file.
/// A file that does not exist yet is created with an SOA and NS for the zone.
/// </summary>
public sealed class ZoneFileStore(string path, string zone) : IRecordStore
{
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Locks = new(StringComparer.Ordinal);

    public string Path { get; } = System.IO.Path.GetFullPath(path);

    public async Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> ReadAsync(
        IReadOnlyCollection<string> names,
        CancellationToken cancellationToken
    )
    {
        var text = File.Exists(Path) ? await File.ReadAllTextAsync(Path, cancellationToken).ConfigureAwait(false) : "";
        var all = ZoneFileEditor.Read(text, zone);
        return names.Where(all.ContainsKey).ToDictionary(n => n, n => all[n], StringComparer.Ordinal);
    }

    public async Task<IReadOnlyList<(RecordChange Change, string Error)>> ApplyAsync(
        IReadOnlyList<RecordChange> changes,
        CancellationToken cancellationToken
    )
    {
        // One writer per file in this process; the rename makes each write whole for readers outside it.
        var gate = Locks.GetOrAdd(Path, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var text = File.Exists(Path)
                ? await File.ReadAllTextAsync(Path, cancellationToken).ConfigureAwait(false)
                : ZoneFileEditor.NewZone(zone);
            var (edited, failures) = ZoneFileEditor.Apply(text, zone, changes);
            if (!File.Exists(Path) || edited != text)
            {
                Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
                AtomicFile.Write(Path, edited);
            }

            return failures;
        }
        finally
        {
            gate.Release();
        }
    }
}
