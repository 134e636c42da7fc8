namespace MailDns.Core.Dkim.Rotation;

/// <summary>
/// A compromisedSelectors entry that names no key this domain holds revokes nothing: usually a typo, or a selector
/// of another domain. Said out loud, since the user believes a leaked key is being revoked.
/// </summary>
public static class CompromisedSelectors
{
    public static IReadOnlyList<string> Unknown(IEnumerable<string>? listed, IEnumerable<DkimKey> keys)
    {
        var held = keys.Select(k => k.Selector).ToHashSet(StringComparer.Ordinal);
        return (listed ?? []).Where(s => !held.Contains(s)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
    }

    public static string Message(IReadOnlyList<string> unknown) =>
        $"spec.dkim.compromisedSelectors names {string.Join(", ", unknown)}, which is no key of this domain: nothing was revoked for it";
}
