using MailDns.Core.Api;
using MailDns.Core.Names;

namespace MailDns.Core.Dkim.Rotation;

public sealed record SeriesSettings(string Prefix, DkimAlgorithm Algorithm, int Bits);

/// <summary>The rotation settings of a spec, defaults applied. Built only from a spec that passed validation.</summary>
public sealed record RotationSettings(
    IReadOnlyList<SeriesSettings> Series,
    TimeSpan Interval,
    TimeSpan PropagationDelay,
    TimeSpan RetireAfter,
    TimeSpan RevokeFor,
    DateTimeOffset? RotateRequestedAt,
    IReadOnlySet<string> Compromised
)
{
    /// <summary>
    /// The series a rotation request is for, by algorithm (rsa-sha256) or selector prefix; empty: every series.
    /// </summary>
    public IReadOnlySet<string> RotateSeries { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Whether a rotation request covers the series.</summary>
    public bool RequestCovers(SeriesSettings series) =>
        RotateSeries.Count == 0 || RotateSeries.Contains(series.Prefix) || RotateSeries.Contains(series.Algorithm.ToText());

    public static RotationSettings From(DkimSpec? dkim)
    {
        var series = dkim is null
            ? []
            : (dkim.Series is { Count: > 0 } list ? list : [new DkimSeriesSpec()])
                .Select(s =>
                {
                    var algorithm = DkimAlgorithmText.Parse(s.Algorithm);
                    return new SeriesSettings(
                        s.SelectorPrefix ?? Defaults.SelectorPrefixFor(algorithm.ToText()),
                        algorithm,
                        algorithm == DkimAlgorithm.RsaSha256 ? s.Size ?? Defaults.RsaSize : 256
                    );
                })
                .ToList();
        var rotation = dkim?.Rotation;
        return new RotationSettings(
            series,
            DurationText.ParseOr(rotation?.Interval, Defaults.RotationInterval),
            DurationText.ParseOr(rotation?.PropagationDelay, Defaults.PropagationDelay),
            DurationText.ParseOr(rotation?.RetireAfter, Defaults.RetireAfter),
            DurationText.ParseOr(rotation?.RevokeFor, Defaults.RevokeFor),
            dkim?.RotateRequestedAt,
            (dkim?.CompromisedSelectors ?? []).ToHashSet(StringComparer.Ordinal)
        )
        {
            RotateSeries = (dkim?.RotateRequestedSeries ?? []).ToHashSet(StringComparer.Ordinal),
        };
    }
}
