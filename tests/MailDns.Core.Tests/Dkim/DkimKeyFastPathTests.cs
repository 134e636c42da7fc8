using CsCheck;
using MailDns.Core.Dkim;
using MailDns.Core.Tests.Support;

namespace MailDns.Core.Tests.Dkim;

/// <summary>The key helpers the health checks use on every check give what the full lint gives.</summary>
public class DkimKeyFastPathTests
{
    private static readonly Gen<string> KeyLike = Pieces.Joined(12, "MIIBIjAN", "+/=", " ", "\t", "\r\n", "\u00a0");

    private static readonly Gen<string> RecordLike = Gen.OneOf(
            Pieces.Joined(2, "v=DKIM1", "k=ed25519", "k=rsa", "k=", "p=", "t=y", ";", " "),
            KeyLike
        )
        .Array[0, 8]
        .Select(parts => string.Concat(parts));

    /// <summary>RFC 6376 §3.2: folding white space may appear in p=; the key is the value without it.</summary>
    [Fact]
    public void A_key_loses_exactly_its_white_space() =>
        KeyLike.Sample(key =>
            Assert.Equal(string.Concat(key.Where(c => !char.IsWhiteSpace(c))), DkimKeyRecordLinter.WithoutWhiteSpace(key))
        );

    /// <summary>RFC 6376 §3.6.1: k= defaults to rsa, an empty p= is a revoked key.</summary>
    [Fact]
    public void The_key_read_from_the_tags_is_the_one_the_lint_reads() =>
        RecordLike.Sample(record =>
        {
            var lint = DkimKeyRecordLinter.Lint(record);
            Assert.Equal((lint.KeyType!, lint.PublicKey, lint.Revoked), DkimKeyRecordLinter.KeyOf(record));
        });
}
