using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using MailDns.Core.Transport;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;

namespace MailDns.Operator.Transport;

/// <summary>
/// One SMTP session with an MX as a sending MTA opens it (MailKit): connect, EHLO, STARTTLS when offered (TLS 1.2 or
/// later), and the certificate presented, validated afterwards against the system's roots plus an extra CA bundle (a
/// private PKI, the tests). Nothing is sent: the session ends with QUIT. Every failure is an observation, never thrown.
/// </summary>
public sealed class SmtpProbe(X509Certificate2Collection? extraRoots, TimeSpan timeout)
{
    /// <summary>An MX: STARTTLS when offered after EHLO (the address the MX resolved to; TLS is still about the MX name).</summary>
    public async Task<SmtpObservation> ProbeAsync(string host, int port, string address, CancellationToken cancellationToken)
    {
        var session = await SessionAsync(address, port, SecureSocketOptions.StartTlsWhenAvailable, cancellationToken);
        var offered = session.Protocol is not null || session.TlsError is not null;
        return new SmtpObservation(host, port, session.Error, offered, session.TlsError, session.Protocol, offered ? session.Facts : null);
    }

    /// <summary>
    /// A submission endpoint: with implicit TLS one session; otherwise a cleartext session to see whether AUTH is offered
    /// before TLS (nothing is sent but EHLO), then one with STARTTLS to see it offered after.
    /// </summary>
    public async Task<SubmissionObservation> ProbeSubmissionAsync(
        string target,
        int port,
        string address,
        bool implicitTls,
        CancellationToken cancellationToken
    )
    {
        var authBefore = false;
        if (!implicitTls)
        {
            var clear = await SessionAsync(address, port, SecureSocketOptions.None, cancellationToken);
            if (clear.Error is { } error)
            {
                return new SubmissionObservation(target, port, false, error, false, null, null, null, false, false);
            }

            authBefore = clear.Auth;
            if (!clear.StartTls)
            {
                return new SubmissionObservation(target, port, false, null, false, null, null, null, authBefore, false);
            }
        }

        var secure = await SessionAsync(
            address,
            port,
            implicitTls ? SecureSocketOptions.SslOnConnect : SecureSocketOptions.StartTls,
            cancellationToken
        );
        return secure.TlsError is not null || secure.Error is not null
            ? new SubmissionObservation(
                target,
                port,
                implicitTls,
                secure.Error,
                true,
                secure.TlsError,
                null,
                secure.Facts,
                authBefore,
                false
            )
            : new SubmissionObservation(
                target,
                port,
                implicitTls,
                null,
                true,
                null,
                secure.Protocol,
                secure.Facts,
                authBefore,
                secure.Auth
            );
    }

    private sealed record Session(string? Error, string? TlsError, bool StartTls, bool Auth, string? Protocol, CertificateFacts? Facts);

    /// <summary>
    /// One session, QUIT at the end: what EHLO offered (STARTTLS, AUTH), the TLS protocol when TLS came up, and the
    /// certificate with the issuers the server sent (for DANE), accepted here and judged afterwards, so that a bad
    /// certificate is a finding, not an error.
    /// </summary>
    private async Task<Session> SessionAsync(string address, int port, SecureSocketOptions options, CancellationToken cancellationToken)
    {
        using var client = new SmtpClient { Timeout = (int)timeout.TotalMilliseconds, LocalDomain = "maildns.check" };
        client.SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
        X509Certificate2? presented = null;
        List<(byte[], byte[])> issuers = [];
        client.ServerCertificateValidationCallback = (_, certificate, chain, _) =>
        {
            presented = certificate is null ? null : new X509Certificate2(certificate);
            issuers = chain is null
                ? []
                : chain
                    .ChainElements.Skip(1)
                    .Select(e => (e.Certificate.RawData, e.Certificate.PublicKey.ExportSubjectPublicKeyInfo()))
                    .ToList();
            return true;
        };
        client.CheckCertificateRevocation = false;
        try
        {
            await client.ConnectAsync(address, port, options, cancellationToken);
        }
        catch (SslHandshakeException e)
        {
            return new Session(null, e.InnerException?.Message ?? e.Message, true, false, null, Facts(presented, issuers));
        }
        catch (Exception e)
            when (e is SocketException or IOException or ProtocolException
                || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
            )
        {
            return new Session(e.Message, null, false, false, null, null);
        }

        var session = new Session(
            null,
            null,
            client.Capabilities.HasFlag(SmtpCapabilities.StartTLS),
            client.Capabilities.HasFlag(SmtpCapabilities.Authentication),
            client.IsSecure ? client.SslProtocol.ToString() : null,
            client.IsSecure ? Facts(presented, issuers) : null
        );
        await QuitAsync(client);
        return session;
    }

    private static async Task QuitAsync(SmtpClient client)
    {
        try
        {
            await client.DisconnectAsync(true);
        }
        catch (Exception e) when (e is IOException or ProtocolException or SocketException)
        {
            // the observation is made; a rude goodbye changes nothing
        }
    }

    private CertificateFacts? Facts(X509Certificate2? certificate, IReadOnlyList<(byte[], byte[])> issuers)
    {
        if (certificate is null)
        {
            return null;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.IgnoreNotTimeValid; // expiry is judged apart
        if (extraRoots is { Count: > 0 })
        {
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(extraRoots);
            using var system = new X509Store(StoreName.Root, StoreLocation.LocalMachine);
            system.Open(OpenFlags.ReadOnly);
            chain.ChainPolicy.CustomTrustStore.AddRange(system.Certificates);
        }

        var valid = chain.Build(certificate);
        var error = valid ? null : string.Join(", ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Distinct());
        return new CertificateFacts(
            Names(certificate),
            certificate.NotBefore.ToUniversalTime(),
            certificate.NotAfter.ToUniversalTime(),
            error
        )
        {
            LeafDer = certificate.RawData,
            LeafSpki = certificate.PublicKey.ExportSubjectPublicKeyInfo(),
            Issuers = issuers,
        };
    }

    /// <summary>The DNS names of the subject alternative names, else the common name (RFC 6125 §6.4.4).</summary>
    private static IReadOnlyList<string> Names(X509Certificate2 certificate)
    {
        var san = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
        var names = san?.EnumerateDnsNames().ToList() ?? [];
        return names.Count > 0 ? names : [certificate.GetNameInfo(X509NameType.DnsName, false)];
    }
}
