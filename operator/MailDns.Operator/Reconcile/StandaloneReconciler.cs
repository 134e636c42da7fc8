using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using MailDns.Core.Api;
using MailDns.Core.Dkim;
using MailDns.Core.Dkim.Rotation;
using MailDns.Core.Health;
using MailDns.Core.Names;
using MailDns.Core.Publishing;
using MailDns.Core.Records;
using MailDns.Operator.Dkim;
using MailDns.Operator.Health;
using MailDns.Operator.Manifests;
using MailDns.Operator.Publishing;

namespace MailDns.Operator.Reconcile;

/// <summary>
/// The reconciler over manifests on disk (`maildns reconcile`): keys, zone files and status kept under a state
/// directory, so running it again continues where it left off, rotation included. Per SendingDomain: DKIM
/// rotation steps (keys saved before anything publishes them), the whole record set published through the
/// provider, the records verified (against --nameserver, or the zone file that is the authoritative data), and a
/// status with conditions written. A failing domain gets Ready=False with the reason; the others go on.
/// </summary>
public sealed class StandaloneReconciler(string stateDir, IReadOnlyList<IPEndPoint> nameservers, TimeProvider time)
{
    /// <summary>How many rotation steps one run takes at most: enough to generate, publish and verify a key.</summary>
    private const int StepsPerRun = 4;

    public async Task<SendingDomain> ReconcileAsync(SendingDomain domain, IReadOnlyList<k8s.IKubernetesObject> resources, IReadOnlyList<ManifestDocument> documents, CancellationToken cancellationToken)
    {
        var saved = StatusFile.Load(stateDir, domain.Key);
        var status = saved.Status ?? new SendingDomainStatus();
        var generation = domain.Metadata.Generation ?? 1;
        var now = time.GetUtcNow();
        var conditions = status.Conditions?.ToList() ?? [];
        DomainRecordsPublisher? recordsPublisher = null;
        try
        {
            var provider = ManifestValidation.ResolveProvider(domain, resources)
                ?? throw new ReconcileException("InvalidSpec", $"spec.providerRef: {domain.Spec.ProviderRef.Kind ?? Defaults.ProviderKind} '{domain.Spec.ProviderRef.Name}' is not among the manifests");
            var (store, storeName) = StoreFor(domain, provider, documents);
            recordsPublisher = new DomainRecordsPublisher(domain, new RecordPublisher(store), saved.Owned);
            var keyStore = new DirectoryKeyStore(Path.Combine(stateDir, "keys"));
            var name = DomainName.Normalize(domain.Spec.Domain);
            var keys = (await keyStore.LoadAsync(domain.Key, cancellationToken).ConfigureAwait(false))?.State.Keys ?? [];
            DateTimeOffset? nextRotation = null;
            if (domain.Spec.Dkim is not null)
            {
                ISelectorObserver observer = nameservers.Count > 0 ? new DnsSelectorObserver(nameservers, time) : new StoreSelectorObserver(store, storeName, time);
                var runner = new DkimRotationRunner(keyStore, recordsPublisher, observer, time);
                for (var i = 0; i < StepsPerRun; i++)
                {
                    var step = await runner.StepAsync(domain.Key, name, RotationSettings.From(domain.Spec.Dkim), cancellationToken).ConfigureAwait(false);
                    keys = step.Keys.State.Keys;
                    nextRotation = step.Decision.NextDecisionAt;
                    if (step.Decision.Actions.Count == 0)
                    {
                        break;
                    }
                }
            }

            // The whole set, every run: a spec change (SPF, DMARC) needs no DKIM step to reach DNS.
            await recordsPublisher.PublishAsync(name, keys, cancellationToken).ConfigureAwait(false);
            var desired = recordsPublisher.Desired;
            var verified = await VerifyAsync(store, desired, cancellationToken).ConfigureAwait(false);
            var health = nameservers.Count > 0
                ? await new HealthGatherer(new DnsClientQuery()).CheckAsync(name, [], new HealthExpectation(desired, domain.Spec.Dmarc?.Policy), new HealthTargets(nameservers, nameservers), cancellationToken).ConfigureAwait(false)
                : null;

            status.Records = recordsPublisher.Owned.Select(o => desired.FirstOrDefault(d => d.Name == o.Name && d.Value == o.Value) is { } d
                ? new RecordStatus { Name = DomainName.Fqdn(d.Name), Ttl = d.Ttl, Value = d.Value, Purpose = DesiredRecord.PurposeText(d.Purpose) }
                : new RecordStatus { Name = DomainName.Fqdn(o.Name), Value = o.Value }).ToList();
            status.Dkim = DkimStatusOf(keys, nextRotation);
            var result = recordsPublisher.LastResult!;
            status.Publish = new PublishStatus { Provider = provider.Pulumi is not null ? "pulumi" : provider.Rfc2136 is not null ? "rfc2136" : "zoneFile", LastRunTime = now, Created = result.Created, Updated = result.Updated, Deleted = result.Deleted, Unchanged = result.Unchanged };
            if (health is not null)
            {
                status.Health = HealthOutcome.Status(health, now, null);
                Set(conditions, HealthOutcome.Conditions(health, generation, now, conditions));
            }
            else
            {
                Set(conditions, [Condition("RecordsVerified", verified.Count == 0 ? "True" : "False", verified.Count == 0 ? "RecordsServed" : "RecordsNotServed",
                    verified.Count == 0 ? $"{storeName} serves the {desired.Count} expected record(s)" : $"{storeName} does not serve: {string.Join(", ", verified)}", generation, now, conditions)]);
            }

            var recordsOk = conditions.First(c => c.Type == "RecordsVerified").Status == "True";
            var active = keys.Where(k => k.Phase == KeyPhase.Active).Select(k => k.Selector).ToList();
            Set(conditions, [Condition("Ready", recordsOk ? "True" : "False", recordsOk ? "Published" : "NotVerified",
                recordsOk ? $"{desired.Count} record(s) published and verified; {(active.Count > 0 ? $"signing with {string.Join(", ", active)}" : domain.Spec.Dkim is null ? "no DKIM" : $"first key activates after {nextRotation:u}")}" : "published records are not all served yet", generation, now, conditions)]);
        }
        catch (ReconcileException e)
        {
            Set(conditions, [Condition("Ready", "False", e.Reason, e.Message, generation, now, conditions)]);
        }
        catch (PublishException e)
        {
            Set(conditions, [Condition("Ready", "False", "PublishFailed", e.Message, generation, now, conditions)]);
        }

        status.Conditions = conditions;
        status.ObservedGeneration = generation;
        // What the domain owns is saved even when publishing failed part-way: it is what a later delete removes.
        StatusFile.Save(stateDir, domain.Key, new StatusFile(status, recordsPublisher?.Owned ?? saved.Owned));
        domain.Status = status;
        return domain;
    }

    private (IRecordStore Store, string Name) StoreFor(SendingDomain domain, DnsProviderSpec provider, IReadOnlyList<ManifestDocument> documents)
    {
        if (provider.ZoneFile is { } zoneFile)
        {
            // Relative paths live in the state directory, so a run never writes into the manifests' checkout.
            var path = Path.IsPathRooted(zoneFile.Path) ? zoneFile.Path : Path.Combine(stateDir, "zones", zoneFile.Path);
            return (new ZoneFileStore(path, provider.Zone), path);
        }

        if (provider.Rfc2136 is { } rfc)
        {
            if (!HostPort.TryParse(rfc.Server, 53, out var host, out var port) || !IPAddress.TryParse(host, out var address))
            {
                throw new ReconcileException("InvalidSpec", $"rfc2136.server '{rfc.Server}': standalone runs need an IP address (host:port)");
            }

            var ns = rfc.TsigSecretRef.Namespace ?? domain.Metadata.NamespaceProperty ?? "default";
            var secret = SecretValue(documents, ns, rfc.TsigSecretRef.Name, rfc.TsigSecretRef.Key)
                ?? throw new ReconcileException("SecretNotFound", $"rfc2136.tsigSecretRef: key '{rfc.TsigSecretRef.Key}' of Secret {ns}/{rfc.TsigSecretRef.Name} is not among the manifests");
            byte[] key;
            try
            {
                key = Convert.FromBase64String(secret);
            }
            catch (FormatException)
            {
                throw new ReconcileException("InvalidSecret", $"rfc2136.tsigSecretRef: Secret {ns}/{rfc.TsigSecretRef.Name} key '{rfc.TsigSecretRef.Key}' is not a base64 TSIG secret");
            }

            var endpoint = new IPEndPoint(address, port);
            return (new Rfc2136Store(endpoint, provider.Zone, new TsigKey(rfc.TsigKeyName, rfc.TsigAlgorithm ?? "hmac-sha256", key), new DnsClientQuery()), endpoint.ToString());
        }

        throw new ReconcileException("ProviderUnsupported", "a pulumi provider is published by the operator (maildns operator) or a pipeline running the rendered program (maildns render); maildns reconcile publishes zoneFile and rfc2136 providers");
    }

    private static string? SecretValue(IReadOnlyList<ManifestDocument> documents, string ns, string name, string key)
    {
        var secret = documents.FirstOrDefault(d => d.Kind == "Secret" && d.Name == name && d.Namespace == ns)?.Json;
        if (secret?["stringData"]?[key] is { } plain)
        {
            return (string?)plain;
        }

        return secret?["data"]?[key] is { } encoded ? System.Text.Encoding.UTF8.GetString(Convert.FromBase64String((string)encoded!)) : null;
    }

    private static async Task<List<string>> VerifyAsync(IRecordStore store, IReadOnlyList<DesiredRecord> desired, CancellationToken cancellationToken)
    {
        var served = await store.ReadAsync(desired.Select(d => DomainName.Normalize(d.Name)).Distinct().ToList(), cancellationToken).ConfigureAwait(false);
        return desired.Where(d => !(served.TryGetValue(DomainName.Normalize(d.Name), out var v) && v.Contains(d.Value, StringComparer.Ordinal))).Select(d => d.Name).ToList();
    }

    private static DkimStatus DkimStatusOf(IReadOnlyList<DkimKey> keys, DateTimeOffset? next) => new()
    {
        ActiveSelectors = keys.Where(k => k.Phase == KeyPhase.Active).Select(k => k.Selector).ToList(),
        NextRotationTime = next,
        Keys = keys.Select(k => new DkimKeyStatus
        {
            Selector = k.Selector,
            Algorithm = k.Algorithm.ToText(),
            Size = k.Algorithm == DkimAlgorithm.RsaSha256 ? k.Bits : null,
            Phase = k.Phase.ToString(),
            Fingerprint = k.Fingerprint,
            CreatedAt = k.CreatedAt,
            PublishedAt = k.PublishedAt,
            VerifiedAt = k.VerifiedAt,
            ActivatedAt = k.ActivatedAt,
            RetiringAt = k.RetiringAt,
            RevokedAt = k.RevokedAt,
        }).ToList(),
    };

    private static V1Condition Condition(string type, string value, string reason, string message, long generation, DateTimeOffset now, IEnumerable<V1Condition> previous) => new()
    {
        Type = type,
        Status = value,
        Reason = reason,
        Message = message,
        ObservedGeneration = generation,
        LastTransitionTime = previous.FirstOrDefault(c => c.Type == type) is { } was && was.Status == value && was.LastTransitionTime is { } at ? at : now.UtcDateTime,
    };

    private static void Set(List<V1Condition> conditions, IEnumerable<V1Condition> updates)
    {
        foreach (var update in updates)
        {
            conditions.RemoveAll(c => c.Type == update.Type);
            conditions.Add(update);
        }

        conditions.Sort((a, b) => string.CompareOrdinal(a.Type, b.Type));
    }
}

/// <summary>A reason a domain cannot be reconciled, for the Ready condition.</summary>
public sealed class ReconcileException(string reason, string message) : Exception(message)
{
    public string Reason { get; } = reason;
}

/// <summary>A domain's status and the records it owns, kept at STATE/status/&lt;namespace&gt;/&lt;name&gt;.json.</summary>
public sealed record StatusFile(SendingDomainStatus? Status, IReadOnlyList<OwnedRecord> Owned)
{
    public static StatusFile Load(string stateDir, string key)
    {
        var path = PathOf(stateDir, key);
        if (!File.Exists(path))
        {
            return new StatusFile(null, []);
        }

        var json = JsonNode.Parse(File.ReadAllText(path))!;
        var status = json["status"] is { } s ? KubernetesJson.Deserialize<SendingDomainStatus>(s.ToJsonString()) : null;
        var owned = json["owned"]?.AsArray().Select(o => new OwnedRecord((string)o!["name"]!, (string)o["value"]!, (string)o["owner"]!)).ToList() ?? [];
        return new StatusFile(status, owned);
    }

    public static void Save(string stateDir, string key, StatusFile file)
    {
        var json = new JsonObject
        {
            ["status"] = JsonNode.Parse(KubernetesJson.Serialize(file.Status)),
            ["owned"] = new JsonArray(file.Owned.Select(o => (JsonNode)new JsonObject { ["name"] = o.Name, ["value"] = o.Value, ["owner"] = o.Owner }).ToArray()),
        };
        Cli.AtomicFile.Write(PathOf(stateDir, key), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    private static string PathOf(string stateDir, string key) => Path.Combine(stateDir, "status", key.Replace('/', Path.DirectorySeparatorChar) + ".json");
}
