using System.Text;
using k8s.Models;
using MailDns.Core.Api;

namespace MailDns.Core.Dkim.Storage;

/// <summary>
/// The Kubernetes Secret that holds a SendingDomain's keys: the MTA files as data, labels that name the owning
/// SendingDomain (so MTAs and people can find it with a selector), and an owner reference so that the garbage
/// collector follows the SendingDomain's deletionPolicy (the operator removes the reference to retain keys).
/// </summary>
public static class KeySecret
{
    public const string ManagedByLabel = "app.kubernetes.io/managed-by";
    public const string ManagedBy = "maildns-operator";
    public const string SendingDomainLabel = "maildns.io/sending-domain";
    public const string DomainLabel = "maildns.io/domain";

    public static string NameFor(SendingDomain owner) => $"{owner.Metadata.Name}{Suffix}";

    /// <summary>The SendingDomain ("namespace/name") whose key Secret a Secret key would be, or null for any other name.</summary>
    public static string? OwnerKey(string secretKey) =>
        secretKey.EndsWith(Suffix, StringComparison.Ordinal) ? secretKey[..^Suffix.Length] : null;

    private const string Suffix = "-dkim";

    public static V1Secret Build(SendingDomain owner, KeySet keys) =>
        new()
        {
            ApiVersion = "v1",
            Kind = "Secret",
            Type = "Opaque",
            Metadata = new V1ObjectMeta
            {
                Name = NameFor(owner),
                NamespaceProperty = owner.Metadata.NamespaceProperty,
                Labels = new Dictionary<string, string>
                {
                    [ManagedByLabel] = ManagedBy,
                    [SendingDomainLabel] = owner.Metadata.Name,
                    // A label value holds at most 63 characters; longer domains are named in dkim.json only.
                    [DomainLabel] = keys.Domain.Length <= 63 ? keys.Domain : "",
                },
                OwnerReferences = owner.Metadata.Uid is { } uid
                    ?
                    [
                        new V1OwnerReference
                        {
                            ApiVersion = owner.ApiVersion,
                            Kind = owner.Kind,
                            Name = owner.Metadata.Name,
                            Uid = uid,
                            BlockOwnerDeletion = true,
                            Controller = true,
                        },
                    ]
                    : null,
            },
            Data = MtaKeyFiles.Render(keys).ToDictionary(f => f.Key, f => Encoding.UTF8.GetBytes(f.Value), StringComparer.Ordinal),
        };

    public static KeySet Read(V1Secret secret) =>
        MtaKeyFiles.Parse(
            (secret.Data ?? new Dictionary<string, byte[]>()).ToDictionary(
                d => d.Key,
                d => Encoding.UTF8.GetString(d.Value),
                StringComparer.Ordinal
            )
        );
}
