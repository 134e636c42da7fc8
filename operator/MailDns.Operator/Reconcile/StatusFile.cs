using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using MailDns.Core.Api;
using MailDns.Core.Publishing;

namespace MailDns.Operator.Reconcile;

/// <summary>A domain's status and the records it owns, kept at STATE/status/&lt;namespace&gt;/&lt;name&gt;.json.</summary>
/// <param name="Status">The last status written.</param>
/// <param name="Owned">The records the domain published: what a delete removes.</param>
/// <param name="Domain">The spec.domain the state belongs to: keys, KeyTable and records are all for it.</param>
/// <param name="Manifest">The SendingDomain as last reconciled (no status): what `--prune` acts on once it left the manifests.</param>
public sealed record StatusFile(
    SendingDomainStatus? Status,
    IReadOnlyList<OwnedRecord> Owned,
    string? Domain = null,
    SendingDomain? Manifest = null
)
{
    /// <summary>The keys (namespace/name) of every domain with saved state.</summary>
    public static IReadOnlyList<string> Keys(string stateDir)
    {
        var root = Path.Combine(stateDir, "status");
        return Directory.Exists(root)
            ? Directory
                .EnumerateFiles(root, "*.json", SearchOption.AllDirectories)
                .Select(f => Path.GetRelativePath(root, f)[..^".json".Length].Replace(Path.DirectorySeparatorChar, '/'))
                .Order(StringComparer.Ordinal)
                .ToList()
            : [];
    }

    public static void Delete(string stateDir, string key) => File.Delete(PathOf(stateDir, key));

    public static StatusFile Load(string stateDir, string key)
    {
        var path = PathOf(stateDir, key);
        if (!File.Exists(path))
        {
            return new StatusFile(null, []);
        }

        var json = JsonNode.Parse(File.ReadAllText(path))!;
        var status = json["status"] is { } s ? KubernetesJson.Deserialize<SendingDomainStatus>(s.ToJsonString()) : null;
        var owned =
            json["owned"]?.AsArray().Select(o => new OwnedRecord((string)o!["name"]!, (string)o["value"]!, (string)o["owner"]!)).ToList()
            ?? [];
        var manifest = json["manifest"] is { } m ? KubernetesJson.Deserialize<SendingDomain>(m.ToJsonString()) : null;
        return new StatusFile(status, owned, (string?)json["domain"], manifest);
    }

    public static void Save(string stateDir, string key, StatusFile file)
    {
        var json = new JsonObject
        {
            ["domain"] = file.Domain,
            ["manifest"] = file.Manifest is null ? null : JsonNode.Parse(KubernetesJson.Serialize(file.Manifest)),
            ["status"] = JsonNode.Parse(KubernetesJson.Serialize(file.Status)),
            ["owned"] = new JsonArray(
                file.Owned.Select(o =>
                        (JsonNode)
                            new JsonObject
                            {
                                ["name"] = o.Name,
                                ["value"] = o.Value,
                                ["owner"] = o.Owner,
                            }
                    )
                    .ToArray()
            ),
        };
        IO.AtomicFile.Write(PathOf(stateDir, key), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    private static string PathOf(string stateDir, string key) =>
        Path.Combine(stateDir, "status", key.Replace('/', Path.DirectorySeparatorChar) + ".json");
}
