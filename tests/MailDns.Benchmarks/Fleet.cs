using k8s.Models;
using MailDns.Core.Api;
using MailDns.Core.Dkim;

namespace MailDns.Benchmarks;

/// <summary>A fleet of SendingDomains as a large sender has them: SPF, DMARC and a DKIM key each, under one parent zone.</summary>
public static class Fleet
{
    public const string Zone = "bench.test";

    public static SendingDomain Domain(int i, string provider = "bench", string algorithm = "ed25519-sha256") =>
        new()
        {
            ApiVersion = "maildns.io/v1alpha1",
            Kind = "SendingDomain",
            Metadata = new V1ObjectMeta { Name = $"d{i}", NamespaceProperty = "mail" },
            Spec = new SendingDomainSpec
            {
                Domain = $"d{i}.{Zone}",
                ProviderRef = new ProviderRef { Name = provider },
                Spf = new SpfSpec
                {
                    Ip4 = [$"198.51.{i / 250 % 250}.{i % 250}"],
                    Include = [$"_spf.{Zone}"],
                    All = "fail",
                },
                Dkim = new DkimSpec
                {
                    Series =
                    [
                        new DkimSeriesSpec
                        {
                            Algorithm = algorithm,
                            SelectorPrefix = algorithm.StartsWith("ed", StringComparison.Ordinal) ? "ed" : "rsa",
                        },
                    ],
                },
                Dmarc = new DmarcSpec { Policy = "reject", AggregateReportUris = [$"mailto:dmarc@{Zone}"] },
                DeletionPolicy = "Delete",
            },
        };

    /// <summary>A handful of real public keys shared round-robin: synthesis cost does not depend on which key.</summary>
    public static IReadOnlyList<DkimPublicKey> Keys { get; } =
        Enumerable
            .Range(0, 8)
            .Select(i => DkimKeyMaterial.Generate(DkimAlgorithm.RsaSha256, 2048))
            .Select((m, i) => new DkimPublicKey($"rsa{i}", DkimAlgorithm.RsaSha256, m.PublicKey))
            .ToList();
}
