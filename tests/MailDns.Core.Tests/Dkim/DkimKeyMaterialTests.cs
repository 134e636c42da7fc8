using MailDns.Core.Dkim;
using MailDns.Core.Tests.Support;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Pkcs;

namespace MailDns.Core.Tests.Dkim;

public class DkimKeyMaterialTests
{
    [Fact]
    public void Ed25519_private_keys_are_written_as_pkcs8_version_1_without_the_public_key()
    {
        var info = PrivateKeyInfo.GetInstance(Asn1Object.FromByteArray(Der(TestKeys.Ed25519.PrivateKeyPem)));

        Assert.Equal(0, info.Version.IntValueExact);
        Assert.Null(info.PublicKey);
    }

    [Fact]
    public void Ed25519_public_keys_are_the_raw_32_octets()
    {
        Assert.Equal(32, Convert.FromBase64String(TestKeys.Ed25519.PublicKey).Length);
    }

    [Fact]
    public void Rsa_public_keys_are_subject_public_key_info_of_392_base64_characters_for_2048_bits()
    {
        Assert.Equal(392, TestKeys.Rsa2048.PublicKey.Length);
        Assert.Equal(2048, TestKeys.Rsa2048.Bits);
    }

    [Theory]
    [InlineData(DkimAlgorithm.RsaSha256)]
    [InlineData(DkimAlgorithm.Ed25519Sha256)]
    public void A_key_read_back_from_its_pem_has_the_same_public_key(DkimAlgorithm algorithm)
    {
        var key = algorithm == DkimAlgorithm.RsaSha256 ? TestKeys.Rsa2048 : TestKeys.Ed25519;

        var reread = DkimKeyMaterial.FromPem(key.PrivateKeyPem);

        Assert.Equal(key.PublicKey, reread.PublicKey);
        Assert.Equal(key.Fingerprint, reread.Fingerprint);
    }

    [Fact]
    public void Two_generated_keys_differ()
    {
        Assert.NotEqual(
            DkimKeyMaterial.Generate(DkimAlgorithm.Ed25519Sha256).PublicKey,
            DkimKeyMaterial.Generate(DkimAlgorithm.Ed25519Sha256).PublicKey
        );
    }

    [Theory]
    [InlineData(512)]
    [InlineData(8192)]
    public void Rsa_sizes_outside_rfc_8301_are_refused(int bits)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => DkimKeyMaterial.Generate(DkimAlgorithm.RsaSha256, bits));
    }

    [Fact]
    public void The_string_form_never_contains_the_private_key()
    {
        var key = TestKeys.Ed25519;
        var body = key.PrivateKeyPem.Split('\n')[1];

        Assert.DoesNotContain(body, key.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE", key.ToString(), StringComparison.Ordinal);
    }

    private static byte[] Der(string pem) =>
        Convert.FromBase64String(
            string.Concat(pem.Split('\n').Where(l => l.Length > 0 && !l.StartsWith("-----", StringComparison.Ordinal)))
        );
}

public class RsaPrimeSourceTests
{
    [Theory]
    [InlineData(RsaPrimeSource.Platform)]
    [InlineData(RsaPrimeSource.BouncyCastle)]
    public void Both_rsa_prime_sources_give_the_same_encodings(RsaPrimeSource source)
    {
        var key = DkimKeyMaterial.Generate(DkimAlgorithm.RsaSha256, 1024, source);

        Assert.Equal(1024, key.Bits);
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----\n", key.PrivateKeyPem, StringComparison.Ordinal);
        Assert.Equal(key.PublicKey, DkimKeyMaterial.FromPem(key.PrivateKeyPem).PublicKey);
        Assert.True(
            DkimKeyRecordLinter
                .Lint(MailDns.Core.Txt.TxtStrings.Split(new DkimPublicKey("s", DkimAlgorithm.RsaSha256, key.PublicKey).RecordValue))
                .KeyBits == 1024
        );
    }
}
