using System.Security.Cryptography.X509Certificates;
using MailDns.Core.Api;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MailKit.Security;

namespace MailDns.Operator.Reports;

/// <summary>
/// An IMAP folder through MailKit: implicit TLS, STARTTLS (required, never silently skipped) or cleartext, with an
/// extra CA bundle for private PKI. The archive and invalid folders are created when missing.
/// </summary>
public sealed class ImapMailbox : IMailbox
{
    private readonly ImapClient client;
    private readonly IMailFolder folder;
    private readonly Dictionary<string, IMailFolder> targets = new(StringComparer.Ordinal);

    /// <summary>The folder's message count when the waiting messages were last listed.</summary>
    private int listedCount = -1;
    private ImapMailbox(ImapClient client, IMailFolder folder)
    {
        this.client = client;
        this.folder = folder;
    }

    public static async Task<ImapMailbox> OpenAsync(MailboxSettings settings, CancellationToken cancellationToken)
    {
        var client = new ImapClient { Timeout = 60_000 };
        try
        {
            if (settings.CaBundle is { Length: > 0 } bundle)
            {
                var extra = new X509Certificate2Collection();
                extra.ImportFromPem(bundle);
                client.ServerCertificateValidationCallback = (_, certificate, _, errors) =>
                    errors == System.Net.Security.SslPolicyErrors.None || TrustedBy(extra, certificate, errors, settings.Host);
            }

            var secure = settings.TlsMode switch
            {
                ImapSourceSpec.None => SecureSocketOptions.None,
                ImapSourceSpec.StartTls => SecureSocketOptions.StartTls,
                _ => SecureSocketOptions.SslOnConnect,
            };
            await client.ConnectAsync(settings.Host, settings.Port, secure, cancellationToken);
            await client.AuthenticateAsync(settings.Username, settings.Password, cancellationToken);
            var inbox = settings.Folder.Equals("INBOX", StringComparison.OrdinalIgnoreCase)
                ? client.Inbox
                : await client.GetFolderAsync(settings.Folder, cancellationToken);
            await inbox.OpenAsync(FolderAccess.ReadWrite, cancellationToken);
            return new ImapMailbox(client, inbox);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>The chain is built again with the bundle as extra trust; the name must still match the host.</summary>
    private static bool TrustedBy(
        X509Certificate2Collection extra,
        X509Certificate? certificate,
        System.Net.Security.SslPolicyErrors errors,
        string host
    )
    {
        if (certificate is null || errors.HasFlag(System.Net.Security.SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(extra);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return chain.Build(leaf) && leaf.MatchesHostname(host);
    }

    public async Task<IReadOnlyList<uint>> WaitingAsync(CancellationToken cancellationToken)
    {
        var uids = await folder.SearchAsync(SearchQuery.NotDeleted, cancellationToken);
        listedCount = folder.Count;
        return uids.Select(u => u.Id).Order().ToList();
    }

    public async Task<Stream> FetchAsync(uint uid, CancellationToken cancellationToken)
    {
        var spool = new FileStream(
            Path.GetTempFileName(),
            FileMode.Create,
            FileAccess.ReadWrite,
            FileShare.None,
            81920,
            FileOptions.DeleteOnClose
        );
        await using (var content = await folder.GetStreamAsync(new UniqueId(uid), cancellationToken))
        {
            await content.CopyToAsync(spool, cancellationToken);
        }

        spool.Position = 0;
        return spool;
    }

    public async Task MoveAsync(uint uid, string target, CancellationToken cancellationToken)
    {
        if (!targets.TryGetValue(target, out var destination))
        {
            var personal = client.GetFolder(client.PersonalNamespaces[0]);
            var existing = (await personal.GetSubfoldersAsync(false, cancellationToken)).FirstOrDefault(f => f.Name == target);
            destination = existing ?? await personal.CreateAsync(target, true, cancellationToken)
                ?? throw new IOException($"the IMAP server did not create folder {target}");
            targets[target] = destination;
        }

        // MOVE (RFC 6851) where offered; MailKit falls back to COPY, \Deleted and UID EXPUNGE otherwise.
        await folder.MoveToAsync(new UniqueId(uid), destination, cancellationToken);
    }

    public async Task IdleAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (!client.Capabilities.HasFlag(ImapCapabilities.Idle))
        {
            await Task.Delay(timeout, cancellationToken);
            return;
        }

        // A message that arrived while the last batch was read or moved was announced then (EXISTS on that command's
        // response), before anyone listened for CountChanged; IDLE would not announce it again. List again first.
        if (folder.Count != listedCount)
        {
            return;
        }

        using var done = new CancellationTokenSource(timeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        void Arrived(object? sender, EventArgs e) => done.Cancel();
        folder.CountChanged += Arrived;
        try
        {
            await client.IdleAsync(done.Token, cancellationToken);
        }
        finally
        {
            folder.CountChanged -= Arrived;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (client.IsConnected)
            {
                await client.DisconnectAsync(true);
            }
        }
        catch (Exception e) when (e is IOException or ImapProtocolException or ImapCommandException) { }

        client.Dispose();
    }
}
