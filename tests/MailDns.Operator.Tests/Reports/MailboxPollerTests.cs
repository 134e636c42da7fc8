using MailDns.Core.Api;
using MailDns.Operator.Reports;
using MailDns.Testing;
using MailDns.Testing.Reports;

namespace MailDns.Operator.Tests.Reports;

/// <summary>
/// Reading reports from a real IMAP server (Dovecot on 127.0.0.1) into the store: reports arrive as real MIME
/// messages with gzip and zip attachments; a message leaves the folder only after its reports are committed.
/// </summary>
public sealed class MailboxPollerTests : IDisposable
{
    private static readonly DateTimeOffset Day = new(2026, 11, 28, 0, 0, 0, TimeSpan.Zero);
    private readonly TestCertificates certificates = new();
    private readonly DovecotServer dovecot;
    private readonly TempDir dir = new();
    private readonly ReportStore store;

    public MailboxPollerTests()
    {
        dovecot = new DovecotServer(certificates);
        store = new ReportStore(ReportDatabase.Parse(Path.Combine(dir.Path, "reports.db")));
        store.MigrateAsync().GetAwaiter().GetResult();
    }

    private MailboxSettings Settings(string tls = ImapSourceSpec.Implicit, string? ca = null, string password = DovecotServer.Password) =>
        new(
            "127.0.0.1",
            tls == ImapSourceSpec.Implicit ? dovecot.TlsPort : dovecot.Port,
            tls,
            ca ?? certificates.CaPem,
            DovecotServer.User,
            password,
            "INBOX",
            "Archive",
            "Invalid"
        );

    private static readonly TestRow[] Rows = [new("192.0.2.10", 700, true, true), new("198.51.100.7", 300, false, false, "s1")];

    private void DeliverTheUsualMix()
    {
        var xml = (string id) => ReportFiles.Aggregate("google.com", id, "news.example.com", Day, Rows);
        dovecot.Deliver(ReportFiles.GzipMail("Report domain: news.example.com gzip", xml("g-1"), "google.com!news.example.com!1!2"));
        dovecot.Deliver(ReportFiles.ZipMail("Report domain: news.example.com zip", xml("m-1"), "microsoft.com!news.example.com!1!2"));
        var tls = ReportFiles.Tls("google.com", "t-1", "news.example.com", Day, 100, 2);
        dovecot.Deliver(
            ReportFiles.Mail("Report domain: news.example.com tls", ReportFiles.Gzip(tls), "t.json.gz", "application", "tlsrpt+gzip")
        );
        var failure = ReportFiles.Failure("mail.ru", "news.example.com", "198.51.100.7", Day.AddHours(3));
        failure.Subject = "Failure report";
        dovecot.Deliver(failure);
        dovecot.Deliver(ReportFiles.GzipMail("Broken report", "<feedback><report_metadata>", "broken"));
    }

    [Fact]
    public async Task Every_report_is_stored_and_archived_and_a_broken_one_goes_to_the_invalid_folder_without_blocking_the_rest()
    {
        DeliverTheUsualMix();
        Assert.Equal(5, dovecot.Subjects("INBOX").Count);
        var poller = new MailboxPoller(store, TimeProvider.System);

        PollResult result;
        await using (var mailbox = await ImapMailbox.OpenAsync(Settings(), default))
        {
            result = await poller.PollAsync(mailbox, Settings(), default);
        }

        Assert.Equal((5, 4, 0, 1), (result.Messages, result.Stored, result.Duplicate, result.Invalid));
        Assert.Contains("not well-formed XML", Assert.Single(result.InvalidReasons));
        Assert.Empty(dovecot.Subjects("INBOX"));
        Assert.Equal(4, dovecot.Subjects("Archive").Count);
        Assert.Equal(["Broken report"], dovecot.Subjects("Invalid"));
        var window = await store.WindowAsync("news.example.com", Day.AddDays(-1), Day.AddDays(7));
        Assert.Equal(
            (2000L, 1400L, 100L, 2L, 1L),
            (window.Messages, window.DmarcPass, window.TlsSuccessfulSessions, window.TlsFailedSessions, window.FailureReports)
        );
    }

    [Fact]
    public async Task A_crash_between_commit_and_archive_stores_nothing_twice_and_the_next_pass_archives_it()
    {
        DeliverTheUsualMix();
        var poller = new MailboxPoller(store, TimeProvider.System);
        await using (var real = await ImapMailbox.OpenAsync(Settings(), default))
        {
            var crashing = new CrashingMailbox(real, crashOnMove: 2);
            await Assert.ThrowsAsync<CrashException>(() => poller.PollAsync(crashing, Settings(), default));
        }

        Assert.Single(dovecot.Subjects("Archive")); // the first message was archived before the crash
        PollResult again;
        await using (var mailbox = await ImapMailbox.OpenAsync(Settings(), default))
        {
            again = await poller.PollAsync(mailbox, Settings(), default);
        }

        Assert.Equal((4, 2, 1, 1), (again.Messages, again.Stored, again.Duplicate, again.Invalid));
        Assert.Equal(4, dovecot.Subjects("Archive").Count);
        Assert.Equal(2000, (await store.WindowAsync("news.example.com", Day.AddDays(-1), Day.AddDays(7))).Messages);
    }

    [Fact]
    public async Task A_crash_between_fetch_and_commit_loses_nothing_the_message_is_read_again()
    {
        dovecot.Deliver(
            ReportFiles.GzipMail("Only report", ReportFiles.Aggregate("google.com", "g-9", "news.example.com", Day, Rows), "g")
        );
        var poller = new MailboxPoller(store, TimeProvider.System);
        await using (var real = await ImapMailbox.OpenAsync(Settings(), default))
        {
            await Assert.ThrowsAsync<CrashException>(() =>
                poller.PollAsync(new CrashingMailbox(real, crashWhileReading: true), Settings(), default)
            );
        }

        Assert.Equal(["Only report"], dovecot.Subjects("INBOX"));
        Assert.Equal(0, (await store.WindowAsync("news.example.com", Day.AddDays(-1), Day.AddDays(7))).Messages);
        await using (var mailbox = await ImapMailbox.OpenAsync(Settings(), default))
        {
            Assert.Equal(1, (await poller.PollAsync(mailbox, Settings(), default)).Stored);
        }

        Assert.Equal(1000, (await store.WindowAsync("news.example.com", Day.AddDays(-1), Day.AddDays(7))).Messages);
        Assert.Equal(["Only report"], dovecot.Subjects("Archive"));
    }

    [Fact]
    public async Task Starttls_is_used_when_asked_and_a_server_the_bundle_does_not_vouch_for_is_refused()
    {
        await using (var mailbox = await ImapMailbox.OpenAsync(Settings(ImapSourceSpec.StartTls), default))
        {
            Assert.Empty(await mailbox.WaitingAsync(default));
        }

        using var other = new TestCertificates();
        await Assert.ThrowsAsync<MailKit.Security.SslHandshakeException>(() =>
            ImapMailbox.OpenAsync(Settings(ImapSourceSpec.Implicit, other.CaPem), default)
        );
    }

    [Fact]
    public async Task A_rejected_login_says_so_without_the_password()
    {
        var e = await Assert.ThrowsAsync<MailKit.Security.AuthenticationException>(() =>
            ImapMailbox.OpenAsync(Settings(password: "wrong-password-xyz"), default)
        );
        Assert.DoesNotContain("wrong-password-xyz", e.ToString());
        Assert.DoesNotContain("wrong-password-xyz", Settings(password: "wrong-password-xyz").ToString());
    }

    public void Dispose()
    {
        dovecot.Dispose();
        certificates.Dispose();
        dir.Dispose();
    }
}

public sealed class CrashException() : Exception("simulated crash");

/// <summary>A real mailbox that "crashes" at a chosen point: on the Nth move, or while a fetched message is read.</summary>
public sealed class CrashingMailbox(IMailbox inner, int crashOnMove = 0, bool crashWhileReading = false) : IMailbox
{
    private int moves;

    public Task<IReadOnlyList<uint>> WaitingAsync(CancellationToken cancellationToken) => inner.WaitingAsync(cancellationToken);

    public async Task<Stream> FetchAsync(uint uid, CancellationToken cancellationToken)
    {
        var stream = await inner.FetchAsync(uid, cancellationToken);
        return crashWhileReading ? new CrashingStream(stream) : stream;
    }

    public Task MoveAsync(uint uid, string folder, CancellationToken cancellationToken) =>
        ++moves == crashOnMove ? throw new CrashException() : inner.MoveAsync(uid, folder, cancellationToken);

    public Task IdleAsync(TimeSpan timeout, CancellationToken cancellationToken) => inner.IdleAsync(timeout, cancellationToken);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private sealed class CrashingStream(Stream inner) : Stream
    {
        private long read;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position
        {
            get => read;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = inner.Read(buffer, offset, count);
            read += n;
            return read > 600 ? throw new CrashException() : n;
        }

        public override void Flush() { }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
