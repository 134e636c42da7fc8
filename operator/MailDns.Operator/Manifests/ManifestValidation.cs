using k8s;
using MailDns.Core.Api;
using MailDns.Core.Findings;
using MailDns.Core.Validation;
using MailDns.Operator.Health;

namespace MailDns.Operator.Manifests;

/// <summary>
/// Validates a set of manifest documents: YAML, the CRD schema, then the semantic rules, with references between
/// documents (a SendingDomain's providerRef) resolved within the set.
/// </summary>
public sealed class ManifestValidation
{
    private readonly CrdSchemas crds;
    private readonly SchemaValidator schema;

    public ManifestValidation(CrdSchemas crds)
    {
        this.crds = crds;
        schema = new SchemaValidator(crds);
    }

    public static ManifestValidation Default { get; } = new(CrdSchemas.Embedded);

    public IReadOnlyList<ValidatedDocument> Validate(IReadOnlyList<ManifestDocument> documents)
    {
        var first = documents.Select(CheckDocument).ToList();
        var providers = first.Select(d => d.Resource).OfType<IKubernetesObject>().ToList();
        var results = new List<ValidatedDocument>();
        var seen = new HashSet<(string?, string, string?)>();
        foreach (var doc in first)
        {
            var findings = doc.Findings.ToList();
            if (doc.Resource is SendingDomain sd)
            {
                findings.AddRange(SendingDomainValidator.Validate(sd, ResolveProvider(sd, providers, findings)));
                if (ScheduleRule.Check(sd) is { } schedule)
                {
                    findings.Add(schedule);
                }
            }
            else if (doc.Resource is DnsProviderResource p)
            {
                findings.AddRange(DnsProviderValidator.Validate(p.Metadata.Name, p.Spec, clusterScoped: p is ClusterDnsProvider));
            }

            if (
                doc.Resource is not null
                && !seen.Add((doc.Kind, doc.Kind == ClusterDnsProvider.KindName ? "" : doc.Document.Namespace, doc.Name))
            )
            {
                findings.Add(
                    Finding.Error(
                        "document.duplicate",
                        $"{doc.Kind} {doc.Document.Namespace}/{doc.Name} is defined more than once in these manifests",
                        "metadata.name"
                    )
                );
            }

            results.Add(doc with { Findings = findings });
        }

        return ClaimConflicts(results);
    }

    /// <summary>
    /// Two SendingDomains for one spec.domain, in any namespaces, would publish over each other: each is told of the other.
    /// </summary>
    private static List<ValidatedDocument> ClaimConflicts(List<ValidatedDocument> results)
    {
        var claims = results
            .Where(r => r.Resource is SendingDomain)
            .GroupBy(r => Core.Names.DomainName.Normalize(((SendingDomain)r.Resource!).Spec.Domain ?? ""))
            .Where(g => g.Count() > 1)
            .SelectMany(g => g.Select(r => (Doc: r, Others: g.Where(o => o != r).ToList(), Domain: g.Key)))
            .ToDictionary(c => c.Doc, c => c);
        return results
            .Select(r =>
                claims.TryGetValue(r, out var claim)
                    ? r with
                    {
                        Findings =
                        [
                            .. r.Findings,
                            Finding.Error(
                                "sendingdomain.domain-conflict",
                                $"spec.domain {claim.Domain} is also the domain of "
                                    + string.Join(
                                        ", ",
                                        claim.Others.Select(o =>
                                            $"SendingDomain {o.Document.Namespace}/{o.Name} "
                                            + $"({o.Document.File}:{o.Document.LineOf("spec.domain")})"
                                        )
                                    )
                                    + ": one domain has one SendingDomain",
                                "spec.domain"
                            ),
                        ],
                    }
                    : r
            )
            .ToList();
    }

    /// <summary>The provider a SendingDomain refers to, when it is among the manifests.</summary>
    public static DnsProviderSpec? ResolveProvider(
        SendingDomain sd,
        IEnumerable<IKubernetesObject> resources,
        List<Finding>? findings = null
    )
    {
        var reference = sd.Spec.ProviderRef;
        if (reference is null || string.IsNullOrEmpty(reference.Name))
        {
            return null;
        }

        var spec =
            (reference.Kind ?? Defaults.ProviderKind) == ClusterDnsProvider.KindName
                ? resources.OfType<ClusterDnsProvider>().FirstOrDefault(c => c.Metadata.Name == reference.Name)?.Spec
                : resources
                    .OfType<DnsProvider>()
                    .FirstOrDefault(p =>
                        p.Metadata.Name == reference.Name
                        && (p.Metadata.NamespaceProperty ?? "default") == (sd.Metadata.NamespaceProperty ?? "default")
                    )
                    ?.Spec;
        if (spec is null)
        {
            findings?.Add(
                Finding.Info(
                    "provider-ref.not-in-manifests",
                    $"{reference.Kind ?? Defaults.ProviderKind} '{reference.Name}' is not among these manifests, so the domain was not "
                        + $"checked against its zone",
                    "spec.providerRef"
                )
            );
        }

        return spec;
    }

    private ValidatedDocument CheckDocument(ManifestDocument doc)
    {
        if (doc.ParseError is not null || doc.Json is null)
        {
            return new ValidatedDocument(doc, [Finding.Error("yaml.syntax", doc.ParseError ?? "unreadable document")], null);
        }

        if (doc.ApiVersion is null || doc.Kind is null)
        {
            return new ValidatedDocument(
                doc,
                [
                    Finding.Error(
                        "document.kind-missing",
                        "the document has no apiVersion and kind",
                        doc.ApiVersion is null ? "apiVersion" : "kind"
                    ),
                ],
                null
            );
        }

        if (!doc.ApiVersion.StartsWith(ApiGroup.Name + "/", StringComparison.Ordinal))
        {
            return new ValidatedDocument(
                doc,
                [Finding.Info("document.not-maildns", $"{doc.ApiVersion} {doc.Kind} is not a maildns.io resource; not checked")],
                null
            );
        }

        if (doc.ApiVersion != ApiGroup.ApiVersion)
        {
            return new ValidatedDocument(
                doc,
                [
                    Finding.Error(
                        "document.api-version",
                        $"apiVersion '{doc.ApiVersion}' is not served; use {ApiGroup.ApiVersion}",
                        "apiVersion"
                    ),
                ],
                null
            );
        }

        if (!crds.Knows(doc.Kind))
        {
            return new ValidatedDocument(
                doc,
                [
                    Finding.Error(
                        "document.unknown-kind",
                        $"kind '{doc.Kind}' is not a maildns.io kind ({string.Join(", ", crds.Kinds.Order(StringComparer.Ordinal))})",
                        "kind"
                    ),
                ],
                null
            );
        }

        var findings = schema.Validate(doc.Kind, doc.Json).ToList();
        if (findings.HasErrors())
        {
            return new ValidatedDocument(doc, findings, null);
        }

        var json = doc.Json.ToJsonString();
        IKubernetesObject resource = doc.Kind switch
        {
            SendingDomain.KindName => KubernetesJson.Deserialize<SendingDomain>(json),
            DnsProvider.KindName => KubernetesJson.Deserialize<DnsProvider>(json),
            ClusterDnsProvider.KindName => KubernetesJson.Deserialize<ClusterDnsProvider>(json),
            ReportSource.KindName => KubernetesJson.Deserialize<ReportSource>(json),
            _ => throw new InvalidOperationException($"kind {doc.Kind} has a CRD but no model type"), // a new CRD needs its model here
        };
        return new ValidatedDocument(doc, findings, resource);
    }
}
