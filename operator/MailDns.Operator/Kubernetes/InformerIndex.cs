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
    private readonly Dictionary<string, string> valueByKey = new(StringComparer.Ordinal);

    // Arrays, replaced on change: most values have one key, and a one-key array is 32 bytes where a set is 200.
    private readonly Dictionary<string, string[]> keysByValue = new(StringComparer.Ordinal);

    public IReadOnlyList<string> KeysOf(string value)
    {
        lock (gate)
        {
            return keysByValue.GetValueOrDefault(value) ?? [];
        }
    }

    /// <summary>Records the object now cached under <paramref name="key"/>, or its removal when null.</summary>
    public void Set(string key, T? item)
    {
        var value = item is null ? null : valueOf(item);
        lock (gate)
        {
            if (valueByKey.TryGetValue(key, out var old))
            {
                if (old == value)
                {
                    return;
                }

                var rest = keysByValue[old].Where(k => k != key).ToArray();
                if (rest.Length == 0)
                {
                    keysByValue.Remove(old);
                }
                else
                {
                    keysByValue[old] = rest;
                }

                valueByKey.Remove(key);
            }

            if (value is not null)
            {
                valueByKey[key] = value;
                keysByValue[value] = keysByValue.TryGetValue(value, out var keys) ? [.. keys, key] : [key];
            }
        }
    }
}
