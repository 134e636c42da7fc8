using CsCheck;
using MailDns.Core.Dkim;
using MailDns.Core.Tests.Support;
using Org.BouncyCastle.Asn1.X509;

namespace MailDns.Core.Tests.Dkim;

/// <summary>The RSA modulus size read from p= (RFC 6376 §3.6.1: SubjectPublicKeyInfo; some signers publish bare PKCS#1).</summary>
public class RsaKeySizeTests
{
    public static TheoryData<int> Sizes() => new() { 512, 1024, 1536, 2048, 3072 };

    private static byte[] Spki(string publicKey) => Convert.FromBase64String(publicKey);

    /// <summary>The RSAPublicKey inside the SubjectPublicKeyInfo's BIT STRING (RFC 8017 §A.1.1).</summary>
    private static byte[] Pkcs1(string publicKey) => SubjectPublicKeyInfo.GetInstance(Spki(publicKey)).PublicKey.GetOctets();

    [Theory]
    [MemberData(nameof(Sizes))]
    public void The_modulus_size_is_read_from_a_subject_public_key_info(int bits)
    {
        Assert.Equal(bits, DkimKeyRecordLinter.TryRsa(Spki(TestKeys.RsaPublicKey(bits))));
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void The_modulus_size_is_read_from_a_bare_pkcs1_key(int bits)
    {
        Assert.Equal(bits, DkimKeyRecordLinter.TryRsa(Pkcs1(TestKeys.RsaPublicKey(bits))));
    }

    [Fact]
    public void An_ed25519_subject_public_key_info_is_not_an_rsa_key()
    {
        Assert.Null(DkimKeyRecordLinter.TryRsa(Spki(TestKeys.Ed25519SpkiPublicKey())));
    }

    [Fact]
    public void Trailing_octets_after_the_key_make_it_no_key()
    {
        var key = Spki(TestKeys.Rsa2048.PublicKey);

        Assert.Null(DkimKeyRecordLinter.TryRsa([.. key, 0x00]));
    }

    [Fact]
    public void Every_truncation_of_a_key_is_no_key()
    {
        var key = Spki(TestKeys.Rsa1024.PublicKey);

        Gen.Int[0, key.Length - 1].Sample(length => DkimKeyRecordLinter.TryRsa(key[..length]) is null);
    }

    [Fact]
    public void Any_octets_give_a_size_or_no_key_and_never_throw()
    {
        var key = Spki(TestKeys.Rsa1024.PublicKey);
        var mutated = Gen.Select(Gen.Int[0, key.Length - 1], Gen.Byte, (at, value) =>
        {
            var copy = key.ToArray();
            copy[at] = value;
            return copy;
        });

        Gen.Frequency((1, Gen.Byte.Array[0, 300]), (3, mutated))
            .Sample(octets => DkimKeyRecordLinter.TryRsa(octets) is null or (> 0 and <= 8 * 300));
    }
}
