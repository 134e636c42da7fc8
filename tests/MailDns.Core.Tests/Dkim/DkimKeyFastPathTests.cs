using CsCheck;
using MailDns.Core.Dkim;

namespace MailDns.Core.Tests.Dkim;

/// <summary>The key helpers the health checks use on every check give what the full lint gives.</summary>
public class DkimKeyFastPathTests
{
    private static readonly Gen<string> KeyLike = Gen.OneOf(
            Gen.Const("MIIBIjAN"),
            Gen.Const("+/="),
            Gen.Const(" "),
            Gen.Const("\t"),
            Gen.Const("\r\n"),
            Gen.Const("\u00a0"),
            Gen.Char.Select(c => c.ToString())
        )
        .Array[0, 12]
        .Select(parts => string.Concat(parts));

    private static readonly Gen<string> RecordLike = Gen.OneOf(
            Gen.Const("v=DKIM1"),
            Gen.Const("k=ed25519"),
            Gen.Const("k=rsa"),
            Gen.Const("k="),
            Gen.Const("p="),
            Gen.Const("t=y"),
            Gen.Const(";"),
            Gen.Const(" "),
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
