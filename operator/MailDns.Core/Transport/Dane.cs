using System.Security.Cryptography;
using MailDns.Core.Health;

namespace MailDns.Core.Transport;

/// <summary>
/// DANE for SMTP (RFC 7672): the TLSA records published for an MX must match the certificate it serves. Usage 3
/// (DANE-EE) matches the leaf, usage 2 (DANE-TA) an issuer the server sent; selector 0 is the whole certificate, 1 its
/// public key; matching type 0 exact, 1 SHA-256, 2 SHA-512 (RFC 6698 §2.1). PKIX usages 0 and 1 are not for SMTP
/// (RFC 7672 §3.1.3). The records' DNSSEC status is not validated here: a receiver uses them only when signed.
/// </summary>
public static class Dane
{
    public static CheckResult Check(SmtpObservation s, CertificateFacts cert, string at)
    {
        var usable = s.Tlsa.Where(t => t.Usage is 2 or 3).ToList();
        if (usable.Count == 0)
        {
            return new CheckResult(
                "smtp.dane",
                CheckStatus.Warn,
                $"{at}: TLSA records use only PKIX usages (0, 1), which SMTP ignores (RFC 7672 §3.1.3)",
                Server: s.Host
            );
        }

        var matched = usable.FirstOrDefault(t => Matches(t, cert));
        return matched is not null
            ? new CheckResult(
                "smtp.dane",
                CheckStatus.Pass,
                $"{at}: TLSA {matched.Usage} {matched.Selector} {matched.MatchingType} matches the served certificate",
                Server: s.Host
            )
            : new CheckResult(
                "smtp.dane",
                CheckStatus.Fail,
                $"{at}: none of {usable.Count} TLSA record(s) ({string.Join(", ", usable.Select(Text))}) matches the served "
                    + $"certificate, whose 3 1 1 is {Convert.ToHexString(SHA256.HashData(cert.LeafSpki))}: DANE senders will not deliver",
                Server: s.Host
            );
    }

    private static string Text(TlsaObservation t) => $"{t.Usage} {t.Selector} {t.MatchingType} {Convert.ToHexString(t.Data)}";

    public static bool Matches(TlsaObservation tlsa, CertificateFacts cert)
    {
        IEnumerable<(byte[] Der, byte[] Spki)> candidates = tlsa.Usage == 3 ? [(cert.LeafDer, cert.LeafSpki)] : cert.Issuers;
        return candidates.Any(c =>
        {
            var selected = tlsa.Selector == 1 ? c.Spki : c.Der;
            var digest = tlsa.MatchingType switch
            {
                0 => selected,
                1 => SHA256.HashData(selected),
                2 => SHA512.HashData(selected),
                _ => null,
            };
            return digest is not null && selected.Length > 0 && digest.AsSpan().SequenceEqual(tlsa.Data);
        });
    }
}
