using System.Collections.Concurrent;

namespace MailDns.Operator.Observability;

/// <summary>
/// A gauge with one series per domain (label <c>domain</c>, the SendingDomain's namespace/name), held as one
/// double per domain and written at scrape time. <paramref name="atScrape"/> turns the stored value into the
/// exposed one when the figure depends on the time of the scrape (an age stored as its starting instant).
/// </summary>
public sealed class DomainGauge(string name, string help, Func<double, double>? atScrape = null) : IScrapedFamily
{
    private readonly ConcurrentDictionary<string, double> values = new(StringComparer.Ordinal);

    public void Set(string domainKey, double value) => values[domainKey] = value;

    public void Remove(string domainKey) => values.TryRemove(domainKey, out _);

    public void WriteTo(TextWriter writer)
    {
        PrometheusText.Header(writer, name, help, "gauge");
        // The dictionary's own enumeration, in no particular order: a sorted copy of 10,000 entries would be a large
        // object on every scrape, and Prometheus does not need the order.
        foreach (var (domain, value) in values)
        {
            PrometheusText.Sample(writer, name, [("domain", domain)], atScrape is null ? value : atScrape(value));
        }
    }
}
