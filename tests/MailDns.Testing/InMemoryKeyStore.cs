using MailDns.Core.Dkim.Storage;

namespace MailDns.Testing;

/// <summary>A key store in memory, in the form a Secret holds (the files MTAs read), for tests without a cluster.</summary>
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
