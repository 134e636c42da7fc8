using MailDns.Core.Dkim;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;

namespace MailDns.Core.Tests.Support;

/// <summary>Keys generated once per test run (RSA generation is slow), shared by the tests that only read them.</summary>
public static class TestKeys
{
    private static readonly Lazy<DkimKeyMaterial> Rsa2048Lazy = new(() => DkimKeyMaterial.Generate(DkimAlgorithm.RsaSha256, 2048));
    private static readonly Lazy<DkimKeyMaterial> Rsa1024Lazy = new(() => DkimKeyMaterial.Generate(DkimAlgorithm.RsaSha256, 1024));
    private static readonly Lazy<DkimKeyMaterial> Ed25519Lazy = new(() => DkimKeyMaterial.Generate(DkimAlgorithm.Ed25519Sha256));

    public static DkimKeyMaterial Rsa2048 => Rsa2048Lazy.Value;

    public static DkimKeyMaterial Rsa1024 => Rsa1024Lazy.Value;

    public static DkimKeyMaterial Ed25519 => Ed25519Lazy.Value;

    /// <summary>An RSA public key of any size as DKIM p= (the product refuses to generate these; receivers may still meet them).</summary>
    public static string RsaPublicKey(int bits)
    {
        var generator = new RsaKeyPairGenerator();
        generator.Init(new RsaKeyGenerationParameters(BigInteger.ValueOf(65537), new SecureRandom(), bits, 25));
        var pair = generator.GenerateKeyPair();
        return Convert.ToBase64String(SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(pair.Public).GetDerEncoded());
    }

    public static string Ed25519SpkiPublicKey()
    {
        var generator = new Ed25519KeyPairGenerator();
        generator.Init(new Ed25519KeyGenerationParameters(new SecureRandom()));
        return Convert.ToBase64String(
            SubjectPublicKeyInfoFactory
                .CreateSubjectPublicKeyInfo((Ed25519PublicKeyParameters)generator.GenerateKeyPair().Public)
                .GetDerEncoded()
        );
    }
}
