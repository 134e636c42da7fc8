using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MailDns.Testing;

/// <summary>
/// A private CA and server certificates it signs, for the TLS servers the tests start on 127.0.0.1 (Dovecot, HTTPS).
/// Clients trust the CA through the product's own setting (a ReportSource's caBundle), never by turning checks off.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    private readonly X509Certificate2 ca;

    public TestCertificates()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=maildns test CA", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
    }

    public string CaPem => ca.ExportCertificatePem();

    /// <summary>A server certificate for <paramref name="host"/> (DNS name and 127.0.0.1), as PEM certificate and key.</summary>
    public (string CertificatePem, string KeyPem) Server(string host, DateTimeOffset? notAfter = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={host}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(host);
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var serial = RandomNumberGenerator.GetBytes(12);
        using var certificate = request.Create(
            ca,
            DateTimeOffset.UtcNow.AddDays(-1),
            notAfter ?? DateTimeOffset.UtcNow.AddDays(90),
            serial
        );
        return (certificate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }

    public void Dispose() => ca.Dispose();
}
