using System.Collections;

namespace MailDns.Operator.Kubernetes;

/// <summary>
/// The scope of one reconcile's log lines: its object key and generation as fields, and as the scope's message
/// (the JSON console formatter prints a scope's ToString(), which for a dictionary is its type name).
/// </summary>
public sealed class LogScope(string key, long generation) : IReadOnlyList<KeyValuePair<string, object>>
{
    private readonly KeyValuePair<string, object>[] fields = [new("key", key), new("generation", generation)];

    public int Count => fields.Length;

    public KeyValuePair<string, object> this[int index] => fields[index];

    public IEnumerator<KeyValuePair<string, object>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object>>)fields).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => $"{key} (generation {generation})";
}
