using System.Diagnostics;
using MailKit.Net.Imap;
using MailKit.Security;

namespace MailDns.Testing;

/// <summary>
/// A real IMAP server, Dovecot from Debian's dovecot-imapd (tests/install.sh), on two free ports of 127.0.0.1: one
/// cleartext (STARTTLS offered) and one implicit TLS, with a certificate from <see cref="TestCertificates"/>. One
/// user, a Maildir in a temporary directory, started in the foreground and stopped by PID.
/// </summary>
public sealed class DovecotServer : IDisposable
{
    public const string User = "dmarc";
    public const string Password = "s3cret-imap-pass";

    private readonly TempDir dir = new();
    private readonly Process process;

    public DovecotServer(TestCertificates certificates)
    {
        Port = DnsServerProcess.FreePort();
        TlsPort = DnsServerProcess.FreePort();
        var (cert, key) = certificates.Server("imap.test");
        dir.Write("cert.pem", cert);
        dir.Write("key.pem", key);
        dir.Write("users", $"{User}:{{PLAIN}}{Password}\n");
        var home = Path.Combine(dir.Path, "home");
        Directory.CreateDirectory(home);
        var root = Environment.UserName == "root";
        // As root Dovecot drops to its own users and the mail user (nobody); otherwise everything runs as the caller.
        var (uid, gid) = root ? ("65534", "65534") : (Id("-u"), Id("-g"));
        if (root)
        {
            Tool.Run("chown", "-R", "65534:65534", home);
            Tool.Run("chmod", "755", dir.Path);
        }

        var user = Environment.UserName;
        var config = $$"""
            base_dir = {{dir.Path}}/run
            state_dir = {{dir.Path}}/state
            log_path = {{dir.Path}}/dovecot.log
            protocols = imap
            listen = 127.0.0.1
            ssl = yes
            ssl_cert = <{{dir.Path}}/cert.pem
            ssl_key = <{{dir.Path}}/key.pem
            ssl_min_protocol = TLSv1.2
            disable_plaintext_auth = no
            auth_mechanisms = plain login
            mail_location = maildir:{{home}}/%u/Maildir
            first_valid_uid = 0
            {{(root ? "" : $"default_internal_user = {user}\ndefault_login_user = {user}\n")}}
            passdb {
              driver = passwd-file
              args = {{dir.Path}}/users
            }
            userdb {
              driver = static
              args = uid={{uid}} gid={{gid}} home={{home}}/%u
            }
            service imap-login {
              chroot =
              inet_listener imap {
                address = 127.0.0.1
                port = {{Port}}
              }
              inet_listener imaps {
                address = 127.0.0.1
                port = {{TlsPort}}
                ssl = yes
              }
            }
            service anvil {
              chroot =
            }
            service auth {
              unix_listener {{dir.Path}}/auth-smtp {
                mode = 0666
              }
            }
            """;
        var conf = dir.Write("dovecot.conf", config);
        var psi = new ProcessStartInfo("/usr/sbin/dovecot") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "-F", "-c", conf })
        {
            psi.ArgumentList.Add(a);
        }

        process = Process.Start(psi) ?? throw new InvalidOperationException("dovecot did not start");
        process.ErrorDataReceived += (_, e) => Log.AppendLine(e.Data);
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            try
            {
                using var client = Connect();
                return;
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException or ImapProtocolException)
            {
                if (DateTime.UtcNow > deadline || process.HasExited)
                {
                    throw new InvalidOperationException($"dovecot did not answer: {Log}{ReadLog()}", e);
                }

                Thread.Sleep(100); // waiting for a server to listen: no event to wait on
            }
        }
    }

    /// <summary>Dovecot's SASL socket, for an SMTP server that authenticates through it (Postfix smtpd_sasl_type=dovecot).</summary>
    public string AuthSocket => Path.Combine(dir.Path, "auth-smtp");

    /// <summary>The cleartext port (STARTTLS offered).</summary>
    public int Port { get; }

    /// <summary>The implicit-TLS port.</summary>
    public int TlsPort { get; }

    public System.Text.StringBuilder Log { get; } = new();

    public string ReadLog() =>
        File.Exists(Path.Combine(dir.Path, "dovecot.log")) ? File.ReadAllText(Path.Combine(dir.Path, "dovecot.log")) : "";

    /// <summary>A logged-in client on the cleartext port, for tests that deliver and look (the test plays the MTA).</summary>
    public ImapClient Connect()
    {
        var client = new ImapClient();
        client.Connect("127.0.0.1", Port, SecureSocketOptions.None);
        client.Authenticate(User, Password);
        return client;
    }

    /// <summary>Delivers a message to a folder, creating it if needed.</summary>
    public void Deliver(MimeKit.MimeMessage message, string folder = "INBOX")
    {
        using var client = Connect();
        var target = folder == "INBOX" ? client.Inbox : Folder(client, folder, create: true)!;
        // AppendRequest, not Append(message): IMailFolder is IEnumerable, so that would bind to LINQ's Append and send nothing.
        target.Append(new MailKit.AppendRequest(message));
        client.Disconnect(true);
    }

    /// <summary>The subjects of the messages in a folder (empty when the folder does not exist).</summary>
    public IReadOnlyList<string> Subjects(string folder)
    {
        using var client = Connect();
        var target = folder == "INBOX" ? client.Inbox : Folder(client, folder, create: false);
        if (target is null)
        {
            return [];
        }

        target.Open(MailKit.FolderAccess.ReadOnly);
        var subjects =
            target.Count == 0 ? [] : Enumerable.Range(0, target.Count).Select(i => target.GetMessage(i).Subject ?? "").Order().ToList();
        client.Disconnect(true);
        return subjects;
    }

    private static MailKit.IMailFolder? Folder(ImapClient client, string name, bool create)
    {
        var personal = client.GetFolder(client.PersonalNamespaces[0]);
        var existing = personal.GetSubfolders(false).FirstOrDefault(f => f.Name == name);
        return existing ?? (create ? personal.Create(name, true) : null);
    }

    private static string Id(string flag) => Tool.Run("id", flag).Output.Trim();

    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }

        process.Dispose();
        // Dovecot's child processes may hold files for a moment after the master is gone.
        try
        {
            dir.Dispose();
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
