namespace MailDns.Operator.Kubernetes;

/// <summary>
/// One instance of each string value for the objects an informer caches. A fleet's objects repeat most of their
/// strings (namespace, apiVersion, the API server's schema defaults, provider names, condition types, reasons and
/// messages): 10,000 cached SendingDomains held 17 MB of strings, 10 MB of them copies. The pool is bounded: once it
/// holds <see cref="Capacity"/> values it starts again, so values seen once (names, resourceVersions) and those of
/// deleted objects never accumulate, and a value met again is pooled again.
/// </summary>
public sealed class SharedStrings
{
    /// <summary>Values the pool holds before it starts again.</summary>
    public const int Capacity = 4096;

    /// <summary>Longer values are left as they are: they rarely repeat, and the pool should not keep large dead ones.</summary>
    public const int MaxLength = 512;

    private readonly Lock gate = new();
    private readonly HashSet<string> pool = new(StringComparer.Ordinal);

    /// <summary>How many values the pool holds now.</summary>
    public int Count
    {
        get
        {
            lock (gate)
            {
                return pool.Count;
            }
        }
    }

    /// <summary>The pooled instance equal to <paramref name="value"/>, pooling it when it is the first.</summary>
    public string Share(string value)
    {
        if (value.Length > MaxLength)
        {
            return value;
        }

        lock (gate)
        {
            if (pool.TryGetValue(value, out var shared))
            {
                return shared;
            }

            if (pool.Count >= Capacity)
            {
                pool.Clear();
            }

            pool.Add(value);
            return value;
        }
    }
}
