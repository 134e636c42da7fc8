using System.Buffers;
using System.Formats.Asn1;
using MailDns.Core.Findings;
using MailDns.Core.TagLists;
using MailDns.Core.Txt;

namespace MailDns.Core.Dkim;

public sealed record DkimLintResult(IReadOnlyList<Finding> Findings, IReadOnlyList<Tag> Tags, string? KeyType, int? KeyBits, bool Revoked)
{
    public bool Valid => !Findings.HasErrors();

    /// <summary>The p= value with white space removed, as compared with the operator's key.</summary>
    public string? PublicKey => Tags.Find("p")?.Value is { } p ? DkimKeyRecordLinter.WithoutWhiteSpace(p) : null;
}

/// <summary>
/// Lints a DKIM key record (RFC 6376 §3.6.1) and decodes its key: RSA sizes per RFC 8301, Ed25519 per RFC 8463.
/// </summary>
public static class DkimKeyRecordLinter
{
    private static readonly SearchValues<char> Base64Alphabet = SearchValues.Create(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="
    );

    public static DkimLintResult Lint(string record) => Lint([record]);

    public static DkimLintResult Lint(IReadOnlyList<string> strings)
    {
        var findings = new List<Finding>(StringLengths.Check(strings, "dkim"));
        var (tags, tagFindings) = TagList.Parse(TxtStrings.Join(strings), "dkim");
        findings.AddRange(tagFindings);

        var v = tags.Find("v");
        if (v is not null && (v.Index != 0 || v.Value != "DKIM1"))
        {
            findings.Add(
                Finding.Error(
                    "dkim.version",
                    v.Value != "DKIM1" ? $"tag v={TagList.Shorten(v.Value)} must be DKIM1" : "tag v=DKIM1 must be the first tag"
                )
            );
        }

        var keyType = tags.Find("k")?.Value ?? "rsa";
        if (keyType is not ("rsa" or "ed25519"))
        {
            findings.Add(
                Finding.Error("dkim.unknown-key-type", $"tag k={TagList.Shorten(keyType)} is not a key type receivers know (rsa, ed25519)")
            );
        }

        CheckHashes(tags.Find("h"), findings);
        CheckFlags(tags.Find("t"), findings);
        var s = tags.Find("s");
        if (s is not null && !s.Value.Split(':', StringSplitOptions.TrimEntries).Any(x => x is "*" or "email"))
        {
            findings.Add(
                Finding.Warning(
                    "dkim.service-type",
                    $"tag s={s.Value} does not include email or *: receivers will not use this key for mail"
                )
            );
        }

        foreach (var unknown in tags.Where(t => t.Name is not ("v" or "h" or "k" or "n" or "p" or "s" or "t")))
        {
            findings.Add(Finding.Info("dkim.unknown-tag", $"tag {unknown.Name}= is not defined by RFC 6376 and is ignored"));
        }

        var p = tags.Find("p");
        if (p is null)
        {
            findings.Add(
                Finding.Error("dkim.missing-key", "the record has no p= tag (an empty p= revokes a key; a missing one is an error)")
            );
            return new DkimLintResult(findings, tags, keyType, null, false);
        }

        var base64 = WithoutWhiteSpace(p.Value);
        if (base64.Length == 0)
        {
            findings.Add(Finding.Info("dkim.revoked", "p= is empty: the key is revoked and signatures made with it fail"));
            return new DkimLintResult(findings, tags, keyType, null, true);
        }

        byte[] der;
        try
        {
            der = Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            findings.Add(Finding.Error("dkim.invalid-base64", "p= is not valid base64"));
            return new DkimLintResult(findings, tags, keyType, null, false);
        }

        var bits = CheckKey(keyType, der, findings);
        return new DkimLintResult(findings, tags, keyType, bits, false);
    }

    /// <summary>
    /// The key a record publishes, read from its tags alone (no decoding, no findings): what the health check compares
    /// a served key with when the other side is the operator's own record, whose syntax is its own.
    /// </summary>
    public static (string KeyType, string? PublicKey, bool Revoked) KeyOf(string record)
    {
        var (tags, _) = TagList.Parse(record, "dkim");
        var publicKey = tags.Find("p") is { } p ? WithoutWhiteSpace(p.Value) : null;
        return (tags.Find("k")?.Value ?? "rsa", publicKey, publicKey is { Length: 0 });
    }

    /// <summary>
    /// p= with the folding white space RFC 6376 §3.2 allows taken out; most keys have none, and are returned as they are.
    /// </summary>
    internal static string WithoutWhiteSpace(string value)
    {
        // The common case in one vectorised pass: a key of base64 characters alone holds no white space.
        if (!value.AsSpan().ContainsAnyExcept(Base64Alphabet))
        {
            return value;
        }

        foreach (var c in value)
        {
            if (char.IsWhiteSpace(c))
            {
                return string.Concat(value.Where(c => !char.IsWhiteSpace(c)));
            }
        }

        return value;
    }

    private static int? CheckKey(string keyType, byte[] der, List<Finding> findings)
    {
        if (keyType == "ed25519")
        {
            if (der.Length == 32)
            {
                return 256;
            }

            findings.Add(
                TryRsa(der) is not null
                    ? Finding.Error("dkim.key-type-mismatch", "k=ed25519 but p= holds an RSA key")
                    : Finding.Error(
                        "dkim.invalid-key",
                        $"k=ed25519 needs p= to be the raw 32-octet public key (RFC 8463); it is {der.Length} octets"
                    )
            );
            return null;
        }

        if (keyType != "rsa")
        {
            return null;
        }

        var rsaBits = TryRsa(der);
        if (rsaBits is null)
        {
            findings.Add(
                der.Length == 32
                    ? Finding.Error("dkim.key-type-mismatch", "p= holds a 32-octet Ed25519 key but k= is rsa (or absent); add k=ed25519")
                    : Finding.Error("dkim.invalid-key", "p= does not decode as an RSA public key (SubjectPublicKeyInfo DER)")
            );
            return null;
        }

        switch (rsaBits.Value)
        {
            case < 1024:
                findings.Add(
                    Finding.Error("dkim.rsa-too-small", $"the RSA key has {rsaBits} bits; verifiers reject keys below 1024 bits (RFC 8301)")
                );
                break;
            case < 2048:
                findings.Add(Finding.Warning("dkim.rsa-weak", $"the RSA key has {rsaBits} bits; use at least 2048 (RFC 8301, M3AAWG)"));
                break;
            case > 4096:
                findings.Add(
                    Finding.Warning(
                        "dkim.rsa-too-large",
                        $"the RSA key has {rsaBits} bits; verifiers are only required to handle up to 4096 (RFC 8301)"
                    )
                );
                break;
        }

        return rsaBits;
    }

    /// <summary>
    /// Modulus size of an RSA key in SubjectPublicKeyInfo or bare PKCS#1 form; null when it is neither. The ASN.1 is
    /// read with the runtime's own reader, which only slices the input: BouncyCastle's RsaKeyParameters validates the
    /// modulus (a Miller-Rabin test, milliseconds per key) and its ASN.1 parser reads an environment variable per
    /// INTEGER, neither of which a linter that only needs the size should pay on every health check. BER is accepted,
    /// as verifiers' decoders accept it.
    /// </summary>
    internal static int? TryRsa(byte[] der)
    {
        try
        {
            var sequence = OnlySequence(der);
            if (sequence.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
            {
                // SubjectPublicKeyInfo (RFC 5280 §4.1.2.7): AlgorithmIdentifier, then the key as a BIT STRING.
                var algorithm = sequence.ReadSequence();
                if (algorithm.ReadObjectIdentifier() != RsaEncryption)
                {
                    return null;
                }

                var key = sequence.ReadBitString(out var unusedBits);
                sequence.ThrowIfNotEmpty();
                // RSAPublicKey (RFC 8017 §A.1.1) inside it: SEQUENCE { modulus INTEGER, publicExponent INTEGER }.
                return unusedBits == 0 ? ModulusBits(OnlySequence(key)) : null;
            }

            return ModulusBits(sequence);
        }
        catch (AsnContentException)
        {
            return null;
        }
    }

    private const string RsaEncryption = "1.2.840.113549.1.1.1";

    /// <summary>The contents of the one SEQUENCE the octets hold, with nothing after it.</summary>
    private static AsnReader OnlySequence(byte[] der)
    {
        var outer = new AsnReader(der, AsnEncodingRules.BER);
        var sequence = outer.ReadSequence();
        outer.ThrowIfNotEmpty();
        return sequence;
    }

    private static int? ModulusBits(AsnReader rsaPublicKey)
    {
        var modulus = rsaPublicKey.ReadIntegerBytes().Span;
        rsaPublicKey.ReadIntegerBytes();
        rsaPublicKey.ThrowIfNotEmpty();
        if (modulus.Length == 0 || (modulus[0] & 0x80) != 0)
        {
            return null; // a negative modulus is no RSA key
        }

        var first = modulus.IndexOfAnyExcept((byte)0);
        return first < 0 ? 0 : ((modulus.Length - first - 1) * 8) + (32 - System.Numerics.BitOperations.LeadingZeroCount(modulus[first]));
    }

    private static void CheckHashes(Tag? h, List<Finding> findings)
    {
        if (h is null)
        {
            return;
        }

        var algorithms = h.Value.Split(':', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (!algorithms.Contains("sha256"))
        {
            findings.Add(Finding.Error("dkim.no-sha256", $"tag h={h.Value} excludes sha256; receivers no longer accept sha1 (RFC 8301)"));
        }
        else if (algorithms.Contains("sha1"))
        {
            findings.Add(Finding.Warning("dkim.sha1", $"tag h={h.Value} still allows sha1, which RFC 8301 forbids; list only sha256"));
        }
    }

    private static void CheckFlags(Tag? t, List<Finding> findings)
    {
        if (t is null)
        {
            return;
        }

        foreach (var flag in t.Value.Split(':', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (flag == "y")
            {
                findings.Add(
                    Finding.Warning("dkim.testing", "t=y marks the domain as testing DKIM: receivers may treat failures as no signature")
                );
            }
            else if (flag != "s")
            {
                findings.Add(Finding.Info("dkim.unknown-flag", $"flag '{flag}' in t= is not defined and is ignored"));
            }
        }
    }
}
