namespace MailDns.Operator.Reports;

/// <summary>
/// The mailbox a ReportSource names, as the poller needs it: the messages waiting in the folder (by UID, oldest
/// first), each one's content, and moving one to another folder. Small on purpose: <see cref="ImapMailbox"/> is the
/// real one (MailKit, tested against Dovecot); tests wrap it to crash at chosen points.
/// </summary>
public interface IMailbox : IAsyncDisposable
{
    Task<IReadOnlyList<uint>> WaitingAsync(CancellationToken cancellationToken);

    /// <summary>The message, spooled to a temporary file so a large report is not held in memory.</summary>
    Task<Stream> FetchAsync(uint uid, CancellationToken cancellationToken);

    Task MoveAsync(uint uid, string folder, CancellationToken cancellationToken);

    /// <summary>Waits for new mail (IMAP IDLE) until something arrives or <paramref name="timeout"/> passes.</summary>
    Task IdleAsync(TimeSpan timeout, CancellationToken cancellationToken);
}

/// <summary>What a mailbox is reached with: the spec's settings and the credentials read from its Secret.</summary>
public sealed record MailboxSettings(
    string Host,
    int Port,
    string TlsMode,
    string? CaBundle,
    string Username,
    string Password,
    string Folder,
    string ArchiveFolder,
    string InvalidFolder
)
{
    /// <summary>The password is never printed, even by a record's generated ToString.</summary>
    public override string ToString() => $"{Username}@{Host}:{Port}/{Folder} ({TlsMode})";
}
