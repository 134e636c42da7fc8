using System.Globalization;
using System.Runtime.InteropServices;
using MailDns.Core.Dkim.Storage;

namespace MailDns.Operator.Dkim;

/// <summary>
/// Keeps each SendingDomain's key set in a directory laid out exactly as the kubelet lays out a mounted Secret:
/// the files live in a timestamped directory, <c>..data</c> is a symbolic link to it, and every file name is a
/// link through <c>..data</c>. A save writes a new timestamped directory and swaps <c>..data</c> with one
/// rename, so an MTA (or a crash) sees either the whole old set or the whole new one, never a mixture. The
/// standalone mode uses it; MTAs on the same host can read it as they would the Secret.
/// </summary>
public sealed partial class DirectoryKeyStore : IKeyStore
{
    private const string DataLink = "..data";
    private readonly string root;

    public DirectoryKeyStore(string root) => this.root = root;

    /// <summary>"namespace/name" → root/namespace/name.</summary>
    public string DirectoryOf(string owner) => Path.Combine(root, owner.Replace('/', Path.DirectorySeparatorChar));

    public Task<KeySet?> LoadAsync(string owner, CancellationToken cancellationToken)
    {
        var dir = DirectoryOf(owner);
        var data = Path.Combine(dir, DataLink);
        if (!Directory.Exists(data))
        {
            return Task.FromResult<KeySet?>(null);
        }

        var files = Directory.EnumerateFiles(data).ToDictionary(f => Path.GetFileName(f), File.ReadAllText, StringComparer.Ordinal);
        return Task.FromResult<KeySet?>(MtaKeyFiles.Parse(files));
    }

    public Task SaveAsync(string owner, KeySet keys, CancellationToken cancellationToken)
    {
        var dir = DirectoryOf(owner);
        Directory.CreateDirectory(dir);
        var files = MtaKeyFiles.Render(keys);

        var version =
            ".."
            + DateTime.UtcNow.ToString("yyyy_MM_dd_HH_mm_ss.fffffff", CultureInfo.InvariantCulture)
            + "_"
            + Guid.NewGuid().ToString("N")[..8];
        var versionDir = Path.Combine(dir, version);
        Directory.CreateDirectory(versionDir);
        foreach (var (name, content) in files)
        {
            var mode = name.EndsWith(".key", StringComparison.Ordinal)
                ? UnixFileMode.UserRead | UnixFileMode.UserWrite
                : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
            using var stream = new FileStream(
                Path.Combine(versionDir, name),
                new FileStreamOptions
                {
                    Mode = FileMode.CreateNew,
                    Access = FileAccess.Write,
                    UnixCreateMode = mode,
                }
            );
            using var writer = new StreamWriter(stream);
            writer.Write(content);
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }

        // The swap: a new link beside ..data, renamed over it (rename(2) is atomic).
        var previous = ResolveData(dir);
        var tempLink = Path.Combine(dir, "..data_tmp");
        File.Delete(tempLink);
        File.CreateSymbolicLink(tempLink, version);
        Rename(tempLink, Path.Combine(dir, DataLink));

        // Per-file links, created for new names and removed for names that left the set.
        foreach (var name in files.Keys)
        {
            var link = Path.Combine(dir, name);
            if (!File.Exists(link) && new FileInfo(link).LinkTarget is null)
            {
                File.CreateSymbolicLink(link, Path.Combine(DataLink, name));
            }
        }

        foreach (
            var link in Directory
                .EnumerateFileSystemEntries(dir)
                .Where(e => !Path.GetFileName(e).StartsWith("..", StringComparison.Ordinal))
        )
        {
            if (!files.ContainsKey(Path.GetFileName(link)))
            {
                File.Delete(link);
            }
        }

        if (previous is not null && previous != version)
        {
            Directory.Delete(Path.Combine(dir, previous), recursive: true);
        }

        return Task.CompletedTask;
    }

    private static string? ResolveData(string dir) => new FileInfo(Path.Combine(dir, DataLink)).LinkTarget;

    /// <summary>rename(2) itself: File.Move follows the link to its directory and refuses to replace ..data.</summary>
    private static void Rename(string from, string to)
    {
        if (NativeMethods.rename(from, to) != 0)
        {
            throw new IOException($"rename {from} to {to} failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    private static partial class NativeMethods
    {
        [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int rename(string oldpath, string newpath);
    }
}
