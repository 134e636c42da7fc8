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

public sealed class InMemoryKeyStore : IKeyStore
{
    private readonly Dictionary<string, IReadOnlyDictionary<string, string>> files = new(StringComparer.Ordinal);
    private readonly Lock gate = new();

    /// <summary>The files an MTA would see, as <see cref="MtaKeyFiles"/> renders them (stored in that form, as a Secret would).</summary>
    public IReadOnlyDictionary<string, string>? FilesOf(string owner)
    {
        lock (gate)
        {
            return files.GetValueOrDefault(owner);
        }
    }

    public Task<KeySet?> LoadAsync(string owner, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            return Task.FromResult(files.TryGetValue(owner, out var f) ? MtaKeyFiles.Parse(f) : null);
        }
    }

    public Task SaveAsync(string owner, KeySet keys, CancellationToken cancellationToken)
    {
        var rendered = MtaKeyFiles.Render(keys);
        lock (gate)
        {
            files[owner] = rendered;
        }

        return Task.CompletedTask;
    }
}
