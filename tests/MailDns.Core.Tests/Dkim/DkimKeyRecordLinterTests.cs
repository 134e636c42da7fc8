using MailDns.Core.Dkim;
using MailDns.Core.Findings;
using MailDns.Core.Tests.Support;

namespace MailDns.Core.Tests.Dkim;

public class DkimKeyRecordLinterTests
{
    private static readonly string Rsa = TestKeys.Rsa2048.PublicKey;
    private static readonly string Ed = TestKeys.Ed25519.PublicKey;

    public static TheoryData<string, string, string, Severity> Rules() =>
        new()
        {
            { "v must be DKIM1", $"v=DKIM2; p={Rsa}", "dkim.version", Severity.Error },
            { "v must be the first tag", $"k=rsa; v=DKIM1; p={Rsa}", "dkim.version", Severity.Error },
            { "a missing p is an error", "v=DKIM1; k=rsa", "dkim.missing-key", Severity.Error },
            { "an empty p is a revoked key", "v=DKIM1; k=rsa; p=", "dkim.revoked", Severity.Info },
            { "an unknown key type is an error", $"v=DKIM1; k=dsa; p={Rsa}", "dkim.unknown-key-type", Severity.Error },
            { "p must be base64", "v=DKIM1; p=not*base64", "dkim.invalid-base64", Severity.Error },
            { "p must decode as an RSA key", "v=DKIM1; p=AAAAAAAAAAAAAAAAAAAA", "dkim.invalid-key", Severity.Error },
            { "an Ed25519 key without k=ed25519 is a mismatch", $"v=DKIM1; p={Ed}", "dkim.key-type-mismatch", Severity.Error },
            { "an RSA key with k=ed25519 is a mismatch", $"v=DKIM1; k=ed25519; p={Rsa}", "dkim.key-type-mismatch", Severity.Error },
            {
                "an Ed25519 key in SubjectPublicKeyInfo form is not RFC 8463",
                $"v=DKIM1; k=ed25519; p={TestKeys.Ed25519SpkiPublicKey()}",
                "dkim.invalid-key",
                Severity.Error
            },
            {
                "RSA below 1024 bits is rejected by verifiers",
                $"v=DKIM1; p={TestKeys.RsaPublicKey(512)}",
                "dkim.rsa-too-small",
                Severity.Error
            },
            { "RSA 1024 is weak", $"v=DKIM1; p={TestKeys.Rsa1024.PublicKey}", "dkim.rsa-weak", Severity.Warning },
            { "h without sha256 is refused", $"v=DKIM1; h=sha1; p={Rsa}", "dkim.no-sha256", Severity.Error },
            { "h still allowing sha1 is a warning", $"v=DKIM1; h=sha1:sha256; p={Rsa}", "dkim.sha1", Severity.Warning },
            { "t=y marks testing", $"v=DKIM1; t=y; p={Rsa}", "dkim.testing", Severity.Warning },
            { "an unknown flag is ignored", $"v=DKIM1; t=x; p={Rsa}", "dkim.unknown-flag", Severity.Info },
            { "a service type without email excludes mail", $"v=DKIM1; s=tlsrpt; p={Rsa}", "dkim.service-type", Severity.Warning },
            { "an unknown tag is ignored", $"v=DKIM1; foo=bar; p={Rsa}", "dkim.unknown-tag", Severity.Info },
            { "a duplicate tag is an error", $"v=DKIM1; p={Rsa}; p={Rsa}", "dkim.duplicate-tag", Severity.Error },
            { "a single string above 255 octets cannot be published", $"v=DKIM1; k=rsa; p={Rsa}", "dkim.string-too-long", Severity.Error },
        };

    [Theory]
    [MemberData(nameof(Rules))]
    public void Each_rule_reports_its_stable_code_and_severity(string because, string record, string code, Severity severity)
    {
        var result = DkimKeyRecordLinter.Lint(record);

        var finding = Assert.Single(result.Findings, f => f.Code == code);
        Assert.True(finding.Severity == severity, because);
    }

    [Fact]
    public void An_rsa_2048_record_split_into_strings_is_valid_and_reports_its_size()
    {
        var value = new DkimPublicKey("s1", DkimAlgorithm.RsaSha256, Rsa).RecordValue;

        var result = DkimKeyRecordLinter.Lint(MailDns.Core.Txt.TxtStrings.Split(value));

        Assert.True(result.Valid, string.Join("; ", result.Findings));
        Assert.Equal(2048, result.KeyBits);
        Assert.Equal(Rsa, result.PublicKey);
    }

    [Fact]
    public void An_ed25519_record_is_valid()
    {
        var result = DkimKeyRecordLinter.Lint(new DkimPublicKey("e1", DkimAlgorithm.Ed25519Sha256, Ed).RecordValue);

        Assert.True(result.Valid, string.Join("; ", result.Findings));
        Assert.Empty(result.Findings);
        Assert.Equal(256, result.KeyBits);
    }

    [Fact]
    public void White_space_inside_p_is_ignored()
    {
        var spaced = string.Join(
            ' ',
            Enumerable.Range(0, (Rsa.Length + 63) / 64).Select(i => Rsa.Substring(i * 64, Math.Min(64, Rsa.Length - (i * 64))))
        );

        var result = DkimKeyRecordLinter.Lint(MailDns.Core.Txt.TxtStrings.Split($"v=DKIM1; p={spaced}"));

        Assert.True(result.Valid);
        Assert.Equal(Rsa, result.PublicKey);
    }
}
