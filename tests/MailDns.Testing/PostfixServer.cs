using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace MailDns.Testing;

/// <summary>
/// A real Postfix (Debian's, installed by tests/run.sh) on 127.0.0.1, from a configuration directory of its own, with
/// one smtpd per kind of MX a transport check meets: STARTTLS with a good certificate for <see cref="Host"/>, with an
/// expired one, with one for another name, with one expiring in a week, and no STARTTLS at all. Started in the foreground
/// (postfix start-fg), stopped by the master's PID when disposed. Needs root, as Postfix's master does.
/// </summary>
public sealed class PostfixServer : IDisposable
{
    private readonly TempDir dir = new();
    private readonly Process process;

    public PostfixServer(TestCertificates certificates, string host, string? saslSocket = null)
    {
        Host = host;
        var queue = Path.Combine(dir.Path, "queue");
        var data = Path.Combine(dir.Path, "data");
        Directory.CreateDirectory(Path.Combine(queue, "pid"));
        Directory.CreateDirectory(data);
        Tool.Run("chown", "postfix", data);
        string Pair(string name, (string Cert, string Key) pem)
        {
            dir.Write(name + ".pem", pem.Cert);
            var key = dir.Write(name + ".key", pem.Key);
            File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            return $"-o smtpd_tls_cert_file={dir.Path}/{name}.pem -o smtpd_tls_key_file={dir.Path}/{name}.key";
        }

        var goodPem = certificates.Server(host);
        GoodCertificatePem = goodPem.CertificatePem;
        var good = Pair("good", goodPem);
        var expired = Pair("expired", certificates.Server(host, DateTimeOffset.UtcNow.AddHours(-1)));
        var wrongName = Pair("wrong", certificates.Server("other.example.net"));
        var expiring = Pair("expiring", certificates.Server(host, DateTimeOffset.UtcNow.AddDays(7)));
        (Good, Expired, WrongName, Expiring, Plain) = (Free(), Free(), Free(), Free(), Free());
        (Submission, SubmissionAuthInClear, Submissions) = (Free(), Free(), Free());
        var sasl = $"-o smtpd_sasl_auth_enable=yes -o smtpd_sasl_type=dovecot -o smtpd_sasl_path={saslSocket}";
        dir.Write(
            "main.cf",
            $"""
            queue_directory = {queue}
            data_directory = {data}
            mail_owner = postfix
            myhostname = {host}
            inet_interfaces = 127.0.0.1
            inet_protocols = ipv4
            compatibility_level = 3.6
            maillog_file = /dev/stdout
            mydestination =
            smtputf8_enable = no
            smtpd_tls_security_level = may

            """
        );
        string Smtpd(int port, string options) => $"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)} inet n - n - - smtpd {options}";
        dir.Write(
            "master.cf",
            string.Join(
                "\n",
                Smtpd(Good, good),
                Smtpd(Expired, expired),
                Smtpd(WrongName, wrongName),
                Smtpd(Expiring, expiring),
                Smtpd(Plain, "-o smtpd_tls_security_level=none"),
                // Submission (RFC 6409) behind the SRV records of RFC 6186: AUTH only after STARTTLS, AUTH offered in clear,
                // and implicit TLS (RFC 8314 §3.3).
                saslSocket is null
                    ? ""
                    : Smtpd(Submission, $"{good} {sasl} -o smtpd_tls_security_level=encrypt -o smtpd_tls_auth_only=yes"),
                saslSocket is null ? "" : Smtpd(SubmissionAuthInClear, $"{good} {sasl} -o smtpd_tls_auth_only=no"),
                saslSocket is null ? "" : Smtpd(Submissions, $"{good} {sasl} -o smtpd_tls_wrappermode=yes"),
                "tlsmgr unix - - n 1000? 1 tlsmgr",
                "anvil unix - - n - 1 anvil",
                "proxymap unix - - n - - proxymap",
                "postlog unix-dgram n - n - 1 postlogd",
                "cleanup unix n - n - 0 cleanup",
                "rewrite unix - - n - - trivial-rewrite",
                ""
            )
        );
        var psi = new ProcessStartInfo("postfix", ["-c", dir.Path, "start-fg"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        process = Process.Start(psi)!;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!Answers(Plain))
        {
            if (DateTime.UtcNow > deadline || process.HasExited)
            {
                throw new InvalidOperationException($"postfix did not start: {Log}");
            }

            Thread.Sleep(100); // waiting for the server process to listen; the deadline bounds it
        }
    }

    /// <summary>The certificate the <see cref="Good"/> listener serves (for TLSA records that match it).</summary>
    public string GoodCertificatePem { get; }

    /// <summary>The MX name the good certificates are for.</summary>
    public string Host { get; }

    public int Good { get; }

    public int Expired { get; }

    public int WrongName { get; }

    public int Expiring { get; }

    public int Plain { get; }

    /// <summary>Submission with STARTTLS that offers AUTH only after it (needs the SASL socket).</summary>
    public int Submission { get; }

    /// <summary>Submission that advertises AUTH before STARTTLS (smtpd_tls_auth_only = no).</summary>
    public int SubmissionAuthInClear { get; }

    /// <summary>Submission over implicit TLS (smtpd_tls_wrappermode).</summary>
    public int Submissions { get; }

    public StringBuilder Log { get; } = new();

    private void Append(string? line)
    {
        lock (Log)
        {
            Log.AppendLine(line);
        }
    }

    private static int Free() => DnsServerProcess.FreePort();

    private static bool Answers(int port)
    {
        try
        {
            using var client = new TcpClient("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        // The master's PID (postfix start-fg runs it); it stops its children on SIGTERM.
        var pidFile = Path.Combine(dir.Path, "queue", "pid", "master.pid");
        // Read with cat: the master holds a lock on the file, which .NET's own share check refuses to read past.
        if (File.Exists(pidFile) && int.TryParse(Tool.Run("cat", pidFile).Output.Trim(), out var pid))
        {
            try
            {
                using var master = Process.GetProcessById(pid);
                Tool.Run("kill", "-TERM", pid.ToString(CultureInfo.InvariantCulture)); // a clean stop takes its smtpd children along
                if (!master.WaitForExit(10_000))
                {
                    master.Kill();
                }
            }
            catch (ArgumentException)
            {
                // already gone
            }
        }

        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
        }

        process.Dispose();
        dir.Dispose();
    }
}
