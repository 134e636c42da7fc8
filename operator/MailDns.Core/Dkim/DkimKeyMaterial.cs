using System.Security.Cryptography;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.EdEC;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;

namespace MailDns.Core.Dkim;

/// <summary>Where RSA key generation draws its primes: the platform's OpenSSL (default) or BouncyCastle.</summary>
public enum RsaPrimeSource
{
    Platform,
    BouncyCastle,
}

/// <summary>
/// A DKIM key pair in the forms the product hands out: the private key as PKCS#8 v1 PEM (read by OpenSSL 3,
/// OpenDKIM, Rspamd and MimeKit), the p= value, and a fingerprint for status.
/// </summary>
public sealed class DkimKeyMaterial
{
    private DkimKeyMaterial(DkimAlgorithm algorithm, int bits, string privateKeyPem, string publicKey)
    {
        Algorithm = algorithm;
        Bits = bits;
        PrivateKeyPem = privateKeyPem;
        PublicKey = publicKey;
    }

    public DkimAlgorithm Algorithm { get; }

    public int Bits { get; }

    /// <summary>The private key. Goes to the key store and nowhere else: never to a log, event or status.</summary>
    public string PrivateKeyPem { get; }

    /// <summary>The p= value: base64 SubjectPublicKeyInfo for RSA, the raw 32-octet key for Ed25519 (RFC 8463).</summary>
    public string PublicKey { get; }

    public string Fingerprint => FingerprintOf(PublicKey);

    public static string FingerprintOf(string publicKey) =>
        "SHA256:" + Convert.ToBase64String(SHA256.HashData(Convert.FromBase64String(publicKey))).TrimEnd('=');

    public override string ToString() => $"{Algorithm.ToText()} {Bits} bits {Fingerprint}";

    /// <summary>
    /// Generates a key. RSA primes come from the platform's OpenSSL (through .NET's RSA) by default: measured on
    /// the 2-core CI machine, BouncyCastle's RSA-2048 generation took a median 276 ms against 219 ms for .NET and
    /// 157 ms for the openssl CLI (tests/MailDns.Benchmarks), so BouncyCastle would miss the 1.5x-of-OpenSSL
    /// target. Ed25519 (absent from .NET) and every encoding stay with BouncyCastle.
    /// </summary>
    public static DkimKeyMaterial Generate(DkimAlgorithm algorithm, int rsaBits = 2048, RsaPrimeSource source = RsaPrimeSource.Platform)
    {
        if (algorithm == DkimAlgorithm.Ed25519Sha256)
        {
            var generator = new Ed25519KeyPairGenerator();
            generator.Init(new Ed25519KeyGenerationParameters(new SecureRandom()));
            return FromKeyPair(generator.GenerateKeyPair());
        }

        if (RsaKeySizes.Problem(rsaBits) is { } problem)
        {
            throw new ArgumentOutOfRangeException(nameof(rsaBits), rsaBits, problem);
        }

        if (source == RsaPrimeSource.Platform)
        {
            using var platform = RSA.Create(rsaBits);
            var der = platform.ExportPkcs8PrivateKey();
            try
            {
                var key = (RsaPrivateCrtKeyParameters)PrivateKeyFactory.CreateKey(der);
                return FromKeyPair(new AsymmetricCipherKeyPair(new RsaKeyParameters(false, key.Modulus, key.PublicExponent), key));
            }
            finally
            {
                CryptographicOperations.ZeroMemory(der);
            }
        }

        var rsa = new RsaKeyPairGenerator();
        rsa.Init(new RsaKeyGenerationParameters(BigInteger.ValueOf(65537), new SecureRandom(), rsaBits, 100));
        return FromKeyPair(rsa.GenerateKeyPair());
    }

    /// <summary>Reads a PKCS#8 PEM written by <see cref="Generate"/> (or OpenSSL) back into key material.</summary>
    public static DkimKeyMaterial FromPem(string pem)
    {
        var body = string.Concat(
            pem.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith("-----", StringComparison.Ordinal))
        );
        byte[] der;
        try
        {
            der = Convert.FromBase64String(body);
        }
        catch (FormatException)
        {
            throw new FormatException("the private key is not valid PEM (base64 body expected)");
        }

        var key = PrivateKeyFactory.CreateKey(der);
        return key switch
        {
            RsaPrivateCrtKeyParameters rsa => FromKeyPair(
                new AsymmetricCipherKeyPair(new RsaKeyParameters(false, rsa.Modulus, rsa.PublicExponent), rsa)
            ),
            Ed25519PrivateKeyParameters ed => FromKeyPair(new AsymmetricCipherKeyPair(ed.GeneratePublicKey(), ed)),
            _ => throw new FormatException("the private key is neither RSA nor Ed25519"),
        };
    }

    private static DkimKeyMaterial FromKeyPair(AsymmetricCipherKeyPair pair)
    {
        switch (pair.Private)
        {
            case Ed25519PrivateKeyParameters ed:
            {
                // A v1 PrivateKeyInfo (no embedded public key): BouncyCastle's own factory writes v2 for
                // Ed25519, which OpenSSL 3.0 refuses to read.
                var info = new PrivateKeyInfo(
                    new AlgorithmIdentifier(EdECObjectIdentifiers.id_Ed25519),
                    new DerOctetString(ed.GetEncoded())
                );
                var pub = ((Ed25519PublicKeyParameters)pair.Public).GetEncoded();
                return new DkimKeyMaterial(DkimAlgorithm.Ed25519Sha256, 256, Pem(info.GetDerEncoded()), Convert.ToBase64String(pub));
            }

            case RsaPrivateCrtKeyParameters rsa:
            {
                var info = PrivateKeyInfoFactory.CreatePrivateKeyInfo(rsa);
                var spki = SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(pair.Public);
                return new DkimKeyMaterial(
                    DkimAlgorithm.RsaSha256,
                    rsa.Modulus.BitLength,
                    Pem(info.GetDerEncoded()),
                    Convert.ToBase64String(spki.GetDerEncoded())
                );
            }

            default:
                throw new ArgumentException("unsupported key type", nameof(pair));
        }
    }

    private static string Pem(byte[] der)
    {
        var b64 = Convert.ToBase64String(der);
        var lines = Enumerable.Range(0, (b64.Length + 63) / 64).Select(i => b64.Substring(i * 64, Math.Min(64, b64.Length - (i * 64))));
        return "-----BEGIN PRIVATE KEY-----\n" + string.Join('\n', lines) + "\n-----END PRIVATE KEY-----\n";
    }
}
