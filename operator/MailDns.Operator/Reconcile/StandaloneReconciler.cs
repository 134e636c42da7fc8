using System.Net;
using k8s;
using MailDns.Core.Api;
using MailDns.Operator.Dkim;
using MailDns.Operator.Manifests;
using MailDns.Operator.Publishing;

namespace MailDns.Operator.Reconcile;

/// <summary>What pruning one domain did: its policy, how many records it removed, or why it removed nothing.</summary>
public sealed record PruneResult(string Key, string? Policy, int Removed, string? Error);

/// <summary>
/// The reconciler over manifests on disk (`maildns reconcile`): keys, zone files and status kept under a state
/// directory, so running it again continues where it left off, rotation included.
/// </summary>
public sealed class StandaloneReconciler(
    string stateDir,
    IReadOnlyList<IPEndPoint> nameservers,
    TimeProvider time,
    Dns.IZoneServerFinder? zoneServers = null,
    Reports.ReportStore? reports = null
)
{
    public async Task<SendingDomain> ReconcileAsync(
        SendingDomain domain,
        IReadOnlyList<k8s.IKubernetesObject> resources,
        IReadOnlyList<ManifestDocument> documents,
        CancellationToken cancellationToken
    )
    {
        var saved = StatusFile.Load(stateDir, domain.Key);
        var status = saved.Status;
        // The records render from the DMARC stage a rollout has reached, as in the operator.
        domain.Status = Kubernetes.DomainStatusWriter.Clone(status);
        if (
            reports is not null
            && await Reports.RolloutEvaluation.WeighAsync(domain, reports, time.GetUtcNow(), cancellationToken) is { } step
        )
        {
            status ??= new SendingDomainStatus();
            status.Dmarc = step.Status;
            domain.Status = Kubernetes.DomainStatusWriter.Clone(status);
        }

        var name = Core.Names.DomainName.Normalize(domain.Spec.Domain);
        var provider = ManifestValidation.ResolveProvider(domain, resources);
        var stores = new ProviderStores(stateDir, (ns, name) => SecretData(documents, ns, name));
        var reconciler = new DomainReconciler(nameservers, time, zoneServers: zoneServers);
        var result = await reconciler
            .ReconcileAsync(
                domain,
                provider,
                stores,
                new DirectoryKeyStore(Path.Combine(stateDir, "keys")),
                saved.Owned,
                status,
                new DomainReconciler.Context(DomainChange(saved.Domain, name)),
                cancellationToken
            )
            .ConfigureAwait(false);

        // What the domain owns is saved even when publishing failed part-way: it is what a later delete removes.
        var manifest = KubernetesJson.Deserialize<SendingDomain>(KubernetesJson.Serialize(domain));
        manifest.Status = null;
        StatusFile.Save(stateDir, domain.Key, new StatusFile(result.Status, result.Owned, saved.Domain ?? name, manifest));
        domain.Status = result.Status;
        UnknownCompromised = result.UnknownCompromised;
        return domain;
    }

    /// <summary>
    /// A SendingDomain that left the manifests, as the operator's finalizer treats a deleted one: deletionPolicy Delete
    /// removes exactly the records it published (through its provider, which must still be among the manifests) and
    /// then its keys and state; Retain leaves records, keys and state in place.
    /// </summary>
    /// <summary>The last reconciled domain's compromisedSelectors entries that name no key it holds.</summary>
    public IReadOnlyList<string> UnknownCompromised { get; private set; } = [];

    public async Task<PruneResult> PruneAsync(
        string key,
        IReadOnlyList<k8s.IKubernetesObject> resources,
        IReadOnlyList<ManifestDocument> documents,
        CancellationToken cancellationToken
    )
    {
        var saved = StatusFile.Load(stateDir, key);
        if (saved.Manifest is not { } domain)
        {
            return new PruneResult(key, null, 0, "its state has no saved manifest (written by an older version); nothing was removed");
        }

        var policy = domain.Spec.DeletionPolicy ?? Defaults.DeletionPolicy;
        if (policy != "Delete")
        {
            return new PruneResult(key, policy, 0, null);
        }

        if (ManifestValidation.ResolveProvider(domain, resources) is not { } provider)
        {
            var reference = domain.Spec.ProviderRef;
            return new PruneResult(
                key,
                policy,
                0,
                $"its provider {reference.Kind ?? Defaults.ProviderKind} '{reference.Name}' is not among the manifests: add it back so the "
                    + "records can be removed; nothing was removed"
            );
        }

        var stores = new ProviderStores(stateDir, (ns, name) => SecretData(documents, ns, name));
        var (store, _) = stores.For(domain, provider);
        var removed = await new RecordPublisher(store).ApplyAsync([], saved.Owned, adopt: false, cancellationToken).ConfigureAwait(false);
        if (!removed.Succeeded)
        {
            var errors = string.Join("; ", removed.Failures.Select(f => f.Error));
            return new PruneResult(key, policy, removed.Deleted, $"removing its records: {errors}; its keys and state are kept");
        }

        var keys = new DirectoryKeyStore(Path.Combine(stateDir, "keys")).DirectoryOf(key);
        if (Directory.Exists(keys))
        {
            Directory.Delete(keys, recursive: true);
        }

        StatusFile.Delete(stateDir, key);
        return new PruneResult(key, policy, removed.Deleted, null);
    }

    /// <summary>
    /// spec.domain is immutable (the CRD's transition rule in a cluster): a state kept for another domain holds its keys,
    /// KeyTable and records, and moving only the DNS would make every signature fail.
    /// </summary>
    private static IReadOnlyList<Core.Findings.Finding> DomainChange(string? was, string now) =>
        was is null || was == now
            ? []
            :
            [
                Core.Findings.Finding.Error(
                    "sendingdomain.domain-immutable",
                    $"spec.domain changed from {was} to {now}, but this state holds {was}'s keys and records: spec.domain is "
                        + "immutable; give the new domain its own SendingDomain (another metadata.name)",
                    "spec.domain"
                ),
            ];

    private static Dictionary<string, string>? SecretData(IReadOnlyList<ManifestDocument> documents, string ns, string name)
    {
        if (documents.FirstOrDefault(d => d.Kind == "Secret" && d.Name == name && d.Namespace == ns)?.Json is not { } secret)
        {
            return null;
        }

        // As the API server does: data decoded, with stringData written over it.
        var data = (secret["data"]?.AsObject() ?? []).ToDictionary(
            p => p.Key,
            p => System.Text.Encoding.UTF8.GetString(Convert.FromBase64String((string)p.Value!)),
            StringComparer.Ordinal
        );
        foreach (var (key, value) in secret["stringData"]?.AsObject() ?? [])
        {
            data[key] = (string)value!;
        }

        return data;
    }
}
