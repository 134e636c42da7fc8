using System.Collections.Immutable;
using MailDns.Core.Dkim.Rotation;

namespace MailDns.Core.Dkim.Storage;

/// <summary>
/// What the key store holds for one SendingDomain: the rotation state and the private key of every key in it.
/// Saved as one unit, so the state never names a key whose private key was not saved with it.
/// </summary>
public sealed record KeySet(string Domain, DkimState State, ImmutableSortedDictionary<string, string> PrivateKeys)
{
    public static KeySet Empty(string domain) =>
        new(domain, DkimState.Empty, ImmutableSortedDictionary.Create<string, string>(StringComparer.Ordinal));

    /// <summary>Never prints key material.</summary>
    public override string ToString() => $"KeySet {Domain}: {string.Join(", ", State.Keys.Select(k => $"{k.Selector}={k.Phase}"))}";
}

/// <summary>Where keys live: a Kubernetes Secret in the operator, a directory in standalone mode, memory in tests.</summary>
public interface IKeyStore
{
    Task<KeySet?> LoadAsync(string owner, CancellationToken cancellationToken);

    /// <summary>Replaces the whole set atomically: after a crash, either the old or the new set is there.</summary>
    Task SaveAsync(string owner, KeySet keys, CancellationToken cancellationToken);
}
