namespace MailDns.Operator.IO;

/// <summary>
/// An exclusive lock on a state directory for one run of <c>maildns reconcile</c>: two runs at once would leave
/// the zone with one run's public keys and the directory with the other's private keys. The lock is the kernel's
/// (an exclusive open of a lock file), so it is released when the process ends, however it ends.
/// </summary>
public sealed class StateLock : IDisposable
{
    public const string FileName = ".maildns.lock";

    private readonly FileStream stream;

    private StateLock(FileStream stream) => this.stream = stream;

    /// <summary>The lock, or null when another run holds it.</summary>
    public static StateLock? TryAcquire(string stateDir)
    {
        Directory.CreateDirectory(stateDir);
        try
        {
            var path = Path.Combine(stateDir, FileName);
            return new StateLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException)
        {
            return null;
        }
    }

    public void Dispose() => stream.Dispose();
}
