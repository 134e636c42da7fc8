namespace MailDns.Operator.Kubernetes;

/// <summary>
/// A secondary index over an informer's cache, as client-go's Indexer: the keys of the objects whose indexed value
/// is a given one, kept in step with every add, change and delete, so that a question about one value (which
/// SendingDomains claim this spec.domain?) is one dictionary read instead of a scan of the fleet on every reconcile.
/// </summary>
public sealed class InformerIndex<T>(Func<T, string?> valueOf)
    where T : class
{
    private readonly object gate = new();

    // Arrays, replaced on change: most values have one key, and a one-key array is 32 bytes where a set is 200.
    private readonly Dictionary<string, string[]> keysByValue = new(StringComparer.Ordinal);

    public IReadOnlyList<string> KeysOf(string value)
    {
        lock (gate)
        {
            return keysByValue.GetValueOrDefault(value) ?? [];
        }
    }

    /// <summary>
    /// Records that the object cached under <paramref name="key"/> went from <paramref name="before"/> to
    /// <paramref name="after"/> (null: absent), so the index needs no copy of what it indexed.
    /// </summary>
    public void Set(string key, T? before, T? after)
    {
        var old = before is null ? null : valueOf(before);
        var value = after is null ? null : valueOf(after);
        if (old == value)
        {
            if (old is not null && value is not null && !ReferenceEquals(old, value))
            {
                // The same value in the new object's own string: index by that one, so the replaced object's copy can go.
                lock (gate)
                {
                    if (keysByValue.Remove(old, out var same))
                    {
                        keysByValue[value] = same;
                    }
                }
            }

            return;
        }

        lock (gate)
        {
            if (old is not null && keysByValue.TryGetValue(old, out var keys))
            {
                var rest = keys.Where(k => k != key).ToArray();
                if (rest.Length == 0)
                {
                    keysByValue.Remove(old);
                }
                else
                {
                    keysByValue[old] = rest;
                }
            }

            if (value is not null)
            {
                keysByValue[value] = keysByValue.TryGetValue(value, out var others) ? [.. others, key] : [key];
            }
        }
    }
}
