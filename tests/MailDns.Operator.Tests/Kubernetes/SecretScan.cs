using k8s.Models;

namespace MailDns.Operator.Tests.Kubernetes;

/// <summary>
/// Looks for secret material where it must never be: every line of every private key PEM body (so a partial
/// leak counts) and every value of a credential Secret, searched for in logs, events, statuses and files.
/// </summary>
public static class SecretScan
{
    /// <summary>The needles in a set of Secrets: the private key lines of key Secrets (the rest of those is public), whole values of the others.</summary>
    public static IReadOnlyList<string> Needles(IEnumerable<V1Secret> secrets) =>
        secrets.Select(s => (s.Data ?? new Dictionary<string, byte[]>()).Values.Select(v => System.Text.Encoding.UTF8.GetString(v)).ToList())
            .SelectMany(values => values.Any(v => v.Contains("PRIVATE KEY", StringComparison.Ordinal))
                ? values.Where(v => v.Contains("PRIVATE KEY", StringComparison.Ordinal))
                    .SelectMany(v => v.Split('\n').Select(l => l.Trim()).Where(l => l.Length >= 32 && !l.StartsWith("-----", StringComparison.Ordinal)))
                : values.Where(v => v.Length >= 8))
            .Distinct(StringComparer.Ordinal)
            .ToList();

    /// <summary>Where a needle (or a PEM header) was found: "source: needle prefix", empty when clean.</summary>
    public static IReadOnlyList<string> Hits(IReadOnlyList<string> needles, IEnumerable<(string Source, string Text)> haystacks) =>
        haystacks.SelectMany(h => needles.Where(n => h.Text.Contains(n, StringComparison.Ordinal)).Select(n => $"{h.Source}: {n[..8]}...")
                .Concat(h.Text.Contains("PRIVATE KEY", StringComparison.Ordinal) ? [$"{h.Source}: a PEM private key header"] : []))
            .ToList();
}
