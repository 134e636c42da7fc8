using CsCheck;

namespace MailDns.Core.Tests.Support;

/// <summary>Text made of the pieces a parser cares about plus any character, so generated input reaches its branches.</summary>
public static class Pieces
{
    public static Gen<string> Joined(int most, params string[] pieces) =>
        Gen.OneOf([.. pieces.Select(Gen.Const), Gen.Char.Select(c => c.ToString())]).Array[0, most].Select(parts => string.Concat(parts));
}
