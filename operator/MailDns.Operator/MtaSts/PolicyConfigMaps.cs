using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using MailDns.Core.Api;

namespace MailDns.Operator.MtaSts;

/// <summary>
/// The rendered policy of each managed domain in a ConfigMap beside it ("NAME-mta-sts": mta-sts.txt and id), owned by the
/// SendingDomain, for users who serve the policy from their own web server (mount it at /.well-known/mta-sts.txt and
/// point --mta-sts-policy-url there). Written only when the policy changed; replaced under its resourceVersion.
/// </summary>
public sealed class PolicyConfigMaps(IKubernetes client)
{
    public const string PolicyKey = "mta-sts.txt";
    public const string IdKey = "id";

    private readonly Dictionary<string, string> written = new(StringComparer.Ordinal);

    private static string? Value(V1ConfigMap map, string key) => map.Data is { } data && data.TryGetValue(key, out var v) ? v : null;

    public static string NameOf(SendingDomain domain) => $"{domain.Metadata.Name}-mta-sts";

    public async Task WriteAsync(SendingDomain domain, string policy, string id, CancellationToken cancellationToken)
    {
        var key = domain.Key;
        lock (written)
        {
            if (written.TryGetValue(key, out var last) && last == policy)
            {
                return;
            }
        }

        var ns = domain.Metadata.NamespaceProperty;
        var data = new Dictionary<string, string> { [PolicyKey] = policy, [IdKey] = id };
        V1ConfigMap? existing;
        try
        {
            existing = await client.CoreV1.ReadNamespacedConfigMapAsync(NameOf(domain), ns, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            existing = null;
        }

        if (existing is null)
        {
            var map = new V1ConfigMap
            {
                Metadata = new V1ObjectMeta
                {
                    Name = NameOf(domain),
                    NamespaceProperty = ns,
                    Labels = new Dictionary<string, string> { ["app.kubernetes.io/managed-by"] = "maildns-operator" },
                    OwnerReferences =
                    [
                        new V1OwnerReference
                        {
                            ApiVersion = ApiGroup.ApiVersion,
                            Kind = SendingDomain.KindName,
                            Name = domain.Metadata.Name,
                            Uid = domain.Metadata.Uid,
                            Controller = true,
                        },
                    ],
                },
                Data = data,
            };
            await client.CoreV1.CreateNamespacedConfigMapAsync(map, ns, cancellationToken: cancellationToken);
        }
        else if (Value(existing, PolicyKey) != policy || Value(existing, IdKey) != id)
        {
            existing.Data = data;
            await client.CoreV1.ReplaceNamespacedConfigMapAsync(existing, existing.Metadata.Name, ns, cancellationToken: cancellationToken);
        }

        lock (written)
        {
            written[key] = policy;
        }
    }
}
