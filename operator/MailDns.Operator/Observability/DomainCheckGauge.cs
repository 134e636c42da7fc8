using System.Collections.Concurrent;
using System.Collections.Immutable;

namespace MailDns.Operator.Observability;

/// <summary>One labelled sample of a domain's <see cref="DomainCheckGauge"/>.</summary>
public readonly record struct CheckSample(string Check, string Selector, string Server, double Value);

/// <summary>
/// A gauge with a set of series per domain, labelled <c>domain</c>, <c>check</c>, <c>selector</c> and <c>server</c>
/// (the health checks of one run): each <see cref="Set"/> replaces the domain's whole set, so a check that is no
/// longer run leaves no series behind.
/// </summary>
public sealed class DomainCheckGauge(string name, string help) : IScrapedFamily
{
    private readonly ConcurrentDictionary<string, ImmutableArray<CheckSample>> values = new(StringComparer.Ordinal);

    public void Set(string domainKey, ImmutableArray<CheckSample> samples) => values[domainKey] = samples;

    public void Remove(string domainKey) => values.TryRemove(domainKey, out _);

    public void WriteTo(TextWriter writer)
    {
        PrometheusText.Header(writer, name, help, "gauge");
        // Unordered, as DomainGauge's.
        foreach (var (domain, samples) in values)
        {
            foreach (var s in samples)
            {
                PrometheusText.Sample(
                    writer,
                    name,
                    [("domain", domain), ("check", s.Check), ("selector", s.Selector), ("server", s.Server)],
                    s.Value
                );
            }
        }
    }
}
