using System.Collections.Immutable;

namespace MailDns.Core.Dkim.Rotation;

/// <summary>
/// Everything the rotation remembers between decisions: the keys held, every selector ever used (so none is
/// reused after its key is deleted), and per series the last forced rotation already carried out.
/// </summary>
public sealed record DkimState(
    ImmutableList<DkimKey> Keys,
    ImmutableSortedSet<string> UsedSelectors,
    ImmutableSortedDictionary<string, DateTimeOffset> HandledRotateRequests
)
{
    public static DkimState Empty { get; } =
        new(
            [],
            ImmutableSortedSet.Create<string>(StringComparer.Ordinal),
            ImmutableSortedDictionary.Create<string, DateTimeOffset>(StringComparer.Ordinal)
        );

    public DkimKey? Find(string selector) => Keys.FirstOrDefault(k => k.Selector == selector);

    public IEnumerable<DkimKey> Active => Keys.Where(k => k.Phase == KeyPhase.Active);

    public DkimState Replace(DkimKey key) => this with { Keys = Keys.Replace(Find(key.Selector)!, key) };

    public DkimState Add(DkimKey key) => this with { Keys = Keys.Add(key), UsedSelectors = UsedSelectors.Add(key.Selector) };

    public DkimState Remove(string selector) => this with { Keys = Keys.RemoveAll(k => k.Selector == selector) };
}
