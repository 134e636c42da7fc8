using System.Collections.Concurrent;

namespace MailDns.Operator.Kubernetes;

/// <summary>
/// The resourceVersion of each DKIM key Secret as this operator last wrote it, so its own writes requeue nothing
/// while a change by someone else (a damaged or deleted key Secret) is noticed at once.
/// </summary>
public sealed class KeySecretWrites
{
    private readonly ConcurrentDictionary<string, string> written = new(StringComparer.Ordinal);

    public void Wrote(string key, string resourceVersion) => written[key] = resourceVersion;

    public bool IsOwnWrite(string key, string? resourceVersion) => written.TryGetValue(key, out var version) && version == resourceVersion;
}
