using k8s;
using MailDns.Core.Findings;

namespace MailDns.Operator.Manifests;

/// <summary>A manifest document after schema and semantic validation; <see cref="Resource"/> is set when it is a maildns.io resource that
/// passed the schema.</summary>
public sealed record ValidatedDocument(ManifestDocument Document, IReadOnlyList<Finding> Findings, IKubernetesObject? Resource)
{
    public bool Valid => !Findings.HasErrors();

    public string? Kind => Document.Kind;

    public string? Name => Document.Name;
}
