using MailDns.Core.Dkim;
using MailDns.Core.Dkim.Rotation;

namespace MailDns.Core.Tests.Dkim;

public class CompromisedSelectorsTests
{
    private static DkimKey Key(string selector) =>
        new(selector, "ed", DkimAlgorithm.Ed25519Sha256, 256, "", KeyPhase.Active, DateTimeOffset.UnixEpoch);

    [Theory]
    [InlineData("ed-2026-01", "")] // a key the domain holds: revoked as asked
    [InlineData("ed-2026-1", "ed-2026-1")] // a typo revokes nothing, and is named
    [InlineData("ed-2026-01,other-2020", "other-2020")]
    public void An_entry_that_names_no_held_key_is_named(string listed, string unknown)
    {
        var result = CompromisedSelectors.Unknown(listed.Split(','), [Key("ed-2026-01"), Key("rsa-2026-01")]);

        Assert.Equal(unknown.Split(',', StringSplitOptions.RemoveEmptyEntries), result);
    }
}
