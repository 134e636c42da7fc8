using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Threading.Channels;

namespace MailDns.TestApiServer;

public sealed record WatchEvent(long ResourceVersion, string TypeKey, string Type, JsonObject Object);

/// <summary>
/// The server's state and the Kubernetes object semantics the operator depends on: one global resourceVersion
/// counter, uid and creationTimestamp, generateName, generation bumped by spec changes only, 409 on a stale
/// resourceVersion, the status subresource, finalizers and deletionTimestamp, owner-reference garbage collection
/// (background, immediate), label and field selectors, and a bounded event history for watches.
/// </summary>
public sealed partial class ObjectStore
{
    private readonly Lock gate = new();
    // Written under the gate like everything else, read without it: every request looks its type up, and under the gate
    // the lookup waited behind another request's admission (a profile of 1,000 domains reconciled: 5% of CPU spinning).
    private readonly ConcurrentDictionary<string, ResourceType> types = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SortedDictionary<string, JsonObject>> objects = new(StringComparer.Ordinal);
    private readonly LinkedList<WatchEvent> history = new();
    private readonly List<Watcher> watchers = [];
    private readonly TimeProvider time;
    private long resourceVersion = 1000;

    public ObjectStore(TimeProvider time, int historyCapacity = 1000)
    {
        this.time = time;
        HistoryCapacity = historyCapacity;
        foreach (var type in BuiltIns.All)
        {
            Register(type);
        }

        foreach (var ns in new[] { "default", "kube-system", "kube-public" })
        {
            Create(Type("", "v1", "namespaces")!, null, new JsonObject { ["metadata"] = new JsonObject { ["name"] = ns } });
        }
    }

    public int HistoryCapacity { get; }

    public long CurrentResourceVersion
    {
        get
        {
            lock (gate)
            {
                return resourceVersion;
            }
        }
    }

    public IReadOnlyList<ResourceType> Types
    {
        get
        {
            lock (gate)
            {
                return types.Values.ToList();
            }
        }
    }

    public ResourceType? Type(string group, string version, string plural)
    {
        return types.GetValueOrDefault($"{group}/{version}/{plural}");
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Dns1123Subdomain();

    public JsonObject Get(ResourceType type, string? ns, string name)
    {
        lock (gate)
        {
            return (JsonObject)Find(type, ns, name).DeepClone();
        }
    }

    /// <summary>
    /// One page of a list in key order, as kube-apiserver chunks with limit and continue. A continue token carries
    /// the first page's resourceVersion and the last key returned; later pages are read from the current objects
    /// (the real server reads them at that version from etcd), which is harmless for a LIST-then-WATCH client:
    /// its watch from that version replays whatever changed in between. A token older than the event history is
    /// refused with 410 Expired, as etcd compaction makes the real server do.
    /// </summary>
    public ListPage List(
        ResourceType type,
        string? ns,
        LabelSelector labels,
        FieldSelector fields,
        int limit = 0,
        string? continueToken = null
    )
    {
        lock (gate)
        {
            var (listVersion, after) = continueToken is { Length: > 0 } ? ContinueToken.Parse(continueToken) : (resourceVersion, null);
            var oldest = history.First?.Value.ResourceVersion ?? resourceVersion + 1;
            if (listVersion < oldest - 1)
            {
                throw new ApiException(
                    410,
                    "Expired",
                    "The provided continue parameter is too old to display a consistent list result. You can start a new list without "
                        + "the continue parameter."
                );
            }

            var matching = Bucket(type)
                .Where(p => after is null || string.CompareOrdinal(p.Key, after) > 0)
                .Where(p => ns is null || (string?)p.Value["metadata"]!["namespace"] == ns)
                .Where(p => labels.Matches(p.Value) && fields.Matches(p.Value));
            var page = (limit > 0 ? matching.Take(limit + 1) : matching).ToList();
            if (limit <= 0 || page.Count <= limit)
            {
                return new ListPage(page.Select(p => (JsonObject)p.Value.DeepClone()).ToList(), listVersion, null, null);
            }

            page.RemoveAt(limit);
            var remaining = matching.Count() - limit;
            return new ListPage(
                page.Select(p => (JsonObject)p.Value.DeepClone()).ToList(),
                listVersion,
                ContinueToken.Make(listVersion, page[^1].Key),
                remaining
            );
        }
    }

    public JsonObject Create(ResourceType type, string? ns, JsonObject incoming, string fieldValidation = "")
    {
        lock (gate)
        {
            var obj = (JsonObject)incoming.DeepClone();
            var meta = obj["metadata"] as JsonObject ?? new JsonObject();
            obj["metadata"] = meta;
            obj["apiVersion"] = type.ApiVersion;
            obj["kind"] = type.Kind;
            if ((string?)meta["name"] is null or "" && (string?)meta["generateName"] is { Length: > 0 } prefix)
            {
                meta["name"] = prefix + Guid.NewGuid().ToString("N")[..5];
            }

            var name =
                (string?)meta["name"]
                ?? throw new ApiException(422, "Invalid", "metadata.name: Required value: name or generateName is required");
            if (type.Namespaced)
            {
                ns ??= (string?)meta["namespace"] ?? "default";
                if ((string?)meta["namespace"] is { } given && given != ns)
                {
                    throw ApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
                }

                if (!Bucket(Type("", "v1", "namespaces")!).ContainsKey(Key(null, ns)))
                {
                    throw new ApiException(404, "NotFound", $"namespaces \"{ns}\" not found");
                }

                meta["namespace"] = ns;
            }
            else
            {
                meta.Remove("namespace");
            }

            if (Bucket(type).ContainsKey(Key(ns, name)))
            {
                throw ApiException.AlreadyExists(type, name);
            }

            if (type.HasStatus && type.IsCustom)
            {
                obj.Remove("status"); // the main endpoint ignores status when the status subresource is enabled
            }

            Admit(type, obj, null, fieldValidation);
            meta["uid"] = Guid.NewGuid().ToString();
            meta["creationTimestamp"] = Now();
            meta.Remove("deletionTimestamp");
            if (type.IsCustom || type.Kind == "CustomResourceDefinition")
            {
                meta["generation"] = 1L;
            }

            if (type.Kind == "CustomResourceDefinition")
            {
                Establish(obj);
            }

            Store(type, ns, name, obj, "ADDED");
            return (JsonObject)obj.DeepClone();
        }
    }

    public JsonObject Update(ResourceType type, string? ns, string name, JsonObject incoming, bool status, string fieldValidation = "")
    {
        lock (gate)
        {
            var existing = Find(type, ns, name);
            var inMeta = incoming["metadata"] as JsonObject ?? new JsonObject();
            if ((string?)inMeta["name"] is { } givenName && givenName != name)
            {
                throw ApiException.BadRequest($"the name of the object ({givenName}) does not match the name on the URL ({name})");
            }

            if ((string?)inMeta["resourceVersion"] is { Length: > 0 } rv && rv != (string?)existing["metadata"]!["resourceVersion"])
            {
                throw ApiException.Conflict(
                    type,
                    name,
                    "the object has been modified; please apply your changes to the latest version and try again"
                );
            }

            JsonObject updated;
            if (status)
            {
                updated = (JsonObject)existing.DeepClone();
                updated["status"] = incoming["status"]?.DeepClone();
            }
            else
            {
                updated = (JsonObject)incoming.DeepClone();
                updated["apiVersion"] = type.ApiVersion;
                updated["kind"] = type.Kind;
                if (type.HasStatus)
                {
                    updated.Remove("status");
                    if (existing["status"] is { } kept)
                    {
                        updated["status"] = kept.DeepClone();
                    }
                }

                var meta = updated["metadata"] as JsonObject ?? new JsonObject();
                updated["metadata"] = meta;
                var old = (JsonObject)existing["metadata"]!;
                foreach (
                    var kept in new[]
                    {
                        "name",
                        "namespace",
                        "uid",
                        "creationTimestamp",
                        "deletionTimestamp",
                        "deletionGracePeriodSeconds",
                        "generation",
                    }
                )
                {
                    meta[kept] = old[kept]?.DeepClone();
                }

                if (old["deletionTimestamp"] is not null)
                {
                    var before = Finalizers(existing);
                    var added = Finalizers(updated).Except(before).ToList();
                    if (added.Count > 0)
                    {
                        throw ApiException.Invalid(
                            type,
                            name,
                            [
                                (
                                    "metadata.finalizers",
                                    $"Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers "
                                        + $"[{string.Join(" ", added)}]",
                                    "FieldValueForbidden"
                                ),
                            ]
                        );
                    }
                }

                Admit(type, updated, existing, fieldValidation);
            }

            if (status && type.IsCustom)
            {
                Admit(type, updated, existing, fieldValidation);
            }

            updated["metadata"]!["resourceVersion"] = existing["metadata"]!["resourceVersion"]?.DeepClone();
            if (JsonNode.DeepEquals(updated, existing))
            {
                return (JsonObject)existing.DeepClone(); // a no-op update changes nothing, not even the resourceVersion
            }

            if ((type.IsCustom || type.Kind == "CustomResourceDefinition") && !status && SpecChanged(type, existing, updated))
            {
                updated["metadata"]!["generation"] = ((long?)existing["metadata"]!["generation"] ?? 1) + 1;
            }

            if (type.Kind == "CustomResourceDefinition")
            {
                Establish(updated);
            }

            Store(type, ns, name, updated, "MODIFIED");
            if (updated["metadata"]!["deletionTimestamp"] is not null && Finalizers(updated).Count == 0)
            {
                Remove(type, ns, name);
            }

            return (JsonObject)updated.DeepClone();
        }
    }

    public JsonObject Delete(ResourceType type, string? ns, string name, string? preconditionResourceVersion = null)
    {
        lock (gate)
        {
            var existing = Find(type, ns, name);
            if (preconditionResourceVersion is { Length: > 0 } rv && rv != (string?)existing["metadata"]!["resourceVersion"])
            {
                throw ApiException.Conflict(
                    type,
                    name,
                    "the ResourceVersion in the precondition does not match the ResourceVersion in record. The object might have been "
                        + "modified"
                );
            }

            return MarkOrRemove(type, ns, name);
        }
    }

    /// <summary>Every watcher's subscription; events with a higher resourceVersion than given are replayed first.</summary>
    public Watcher Watch(ResourceType type, string? ns, LabelSelector labels, FieldSelector fields, string? fromResourceVersion)
    {
        lock (gate)
        {
            var watcher = new Watcher(type.Key, ns, labels, fields);
            if (string.IsNullOrEmpty(fromResourceVersion) || fromResourceVersion == "0")
            {
                foreach (var obj in Bucket(type).Values.Where(watcher.Matches))
                {
                    watcher.Channel.Writer.TryWrite(
                        new WatchEvent(
                            long.Parse((string)obj["metadata"]!["resourceVersion"]!, CultureInfo.InvariantCulture),
                            type.Key,
                            "ADDED",
                            (JsonObject)obj.DeepClone()
                        )
                    );
                }
            }
            else
            {
                if (!long.TryParse(fromResourceVersion, CultureInfo.InvariantCulture, out var from))
                {
                    throw ApiException.BadRequest($"invalid resource version: {fromResourceVersion}");
                }

                var oldest = history.First?.Value.ResourceVersion ?? resourceVersion + 1;
                if (from < oldest - 1 || ForceGone)
                {
                    ForceGone = false;
                    throw new ApiException(410, "Expired", $"too old resource version: {from} ({oldest - 1})");
                }

                foreach (var e in history.Where(e => e.ResourceVersion > from && e.TypeKey == type.Key && watcher.Matches(e.Object)))
                {
                    watcher.Channel.Writer.TryWrite(e);
                }
            }

            watchers.Add(watcher);
            return watcher;
        }
    }

    /// <summary>Fault injection: the next watch that resumes from a resourceVersion gets 410 Gone.</summary>
    public bool ForceGone { get; set; }

    public void Unwatch(Watcher watcher)
    {
        lock (gate)
        {
            watchers.Remove(watcher);
            watcher.Channel.Writer.TryComplete();
        }
    }

    public IEnumerable<ResourceType> Register(ResourceType type)
    {
        lock (gate)
        {
            types[type.Key] = type;
            objects.TryAdd(type.Key, new SortedDictionary<string, JsonObject>(StringComparer.Ordinal));
            return [type];
        }
    }

    private JsonObject MarkOrRemove(ResourceType type, string? ns, string name)
    {
        var existing = Find(type, ns, name);
        if (Finalizers(existing).Count > 0)
        {
            if (existing["metadata"]!["deletionTimestamp"] is null)
            {
                var marked = (JsonObject)existing.DeepClone();
                marked["metadata"]!["deletionTimestamp"] = Now();
                marked["metadata"]!["deletionGracePeriodSeconds"] = 0;
                Store(type, ns, name, marked, "MODIFIED");
                return (JsonObject)marked.DeepClone();
            }

            return (JsonObject)existing.DeepClone();
        }

        return Remove(type, ns, name);
    }

    private JsonObject Remove(ResourceType type, string? ns, string name)
    {
        var bucket = Bucket(type);
        var obj = bucket[Key(ns, name)];
        bucket.Remove(Key(ns, name));
        resourceVersion++;
        var gone = (JsonObject)obj.DeepClone();
        gone["metadata"]!["resourceVersion"] = resourceVersion.ToString(CultureInfo.InvariantCulture);
        Publish(new WatchEvent(resourceVersion, type.Key, "DELETED", gone));

        if (type.Kind == "CustomResourceDefinition")
        {
            Unestablish(obj);
        }
        else if (type.Kind == "Namespace" && type.Group.Length == 0)
        {
            foreach (var (t, b) in objects.Where(o => types[o.Key].Namespaced).ToList())
            {
                foreach (var inNs in b.Values.Where(o => (string?)o["metadata"]!["namespace"] == name).ToList())
                {
                    Remove(types[t], name, (string)inNs["metadata"]!["name"]!);
                }
            }
        }

        CollectDependents((string)obj["metadata"]!["uid"]!);
        return gone;
    }

    /// <summary>Background propagation: dependents whose owner reference names the removed uid are deleted.</summary>
    private void CollectDependents(string uid)
    {
        foreach (var (key, bucket) in objects.ToList())
        {
            foreach (
                var dependent in bucket
                    .Values.Where(o => (o["metadata"]!["ownerReferences"] as JsonArray)?.Any(r => (string?)r!["uid"] == uid) == true)
                    .ToList()
            )
            {
                var meta = dependent["metadata"]!;
                MarkOrRemove(types[key], (string?)meta["namespace"], (string)meta["name"]!);
            }
        }
    }

    private void Admit(ResourceType type, JsonObject obj, JsonObject? existing, string fieldValidation)
    {
        var name = (string?)obj["metadata"]?["name"] ?? "";
        if (type.IsCustom && !Dns1123Subdomain().IsMatch(name))
        {
            throw ApiException.Invalid(
                type,
                name,
                [
                    (
                        "metadata.name",
                        $"Invalid value: \"{name}\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "
                            + $"'-' or '.'",
                        "FieldValueInvalid"
                    ),
                ]
            );
        }

        if (type.Kind == "Secret" && type.Group.Length == 0)
        {
            FoldStringData(obj);
        }

        if (type.Schema is not { } schema)
        {
            return;
        }

        StructuralSchema.DropNulls(obj, schema);
        StructuralSchema.ApplyDefaults(obj, schema);
        var pruned = StructuralSchema.Prune(obj, schema);
        if (pruned.Count > 0 && fieldValidation.Equals("Strict", StringComparison.OrdinalIgnoreCase))
        {
            throw ApiException.BadRequest($"strict decoding error: {string.Join(", ", pruned.Select(p => $"unknown field \"{p}\""))}");
        }

        var causes = StructuralSchema.Validate(schema, obj);
        if (causes.Count > 0)
        {
            throw ApiException.Invalid(type, name, causes);
        }

        // kube-apiserver evaluates x-kubernetes-validations once the schema passes; transition rules (oldSelf) on update.
        var rules = MailDns.Core.Validation.CrdRules.Evaluate(schema, obj, existing);
        if (rules.Count > 0)
        {
            throw ApiException.Invalid(
                type,
                name,
                rules.Select(r => (r.Path, $"Invalid value: \"object\": {r.Message}", "FieldValueInvalid")).ToList()
            );
        }
    }

    /// <summary>Like kube-apiserver, a Secret's write-only stringData is merged into data (base64) and never stored.</summary>
    private static void FoldStringData(JsonObject secret)
    {
        if (secret["stringData"] is not JsonObject stringData)
        {
            secret.Remove("stringData");
            return;
        }

        var data = secret["data"] as JsonObject ?? new JsonObject();
        secret["data"] = data;
        foreach (var (key, value) in stringData)
        {
            data[key] = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes((string?)value ?? ""));
        }

        secret.Remove("stringData");
    }

    private static bool SpecChanged(ResourceType type, JsonObject before, JsonObject after)
    {
        static JsonObject Strip(JsonObject o, bool dropStatus)
        {
            var copy = (JsonObject)o.DeepClone();
            copy.Remove("metadata");
            if (dropStatus)
            {
                copy.Remove("status");
            }

            return copy;
        }

        return !JsonNode.DeepEquals(Strip(before, type.HasStatus), Strip(after, type.HasStatus));
    }

    private void Establish(JsonObject crd)
    {
        var spec = crd["spec"]!;
        var names = spec["names"]!;
        foreach (var version in (spec["versions"] as JsonArray ?? []).Where(v => v!["served"]?.GetValue<bool>() != false))
        {
            Register(
                new ResourceType(
                    (string)spec["group"]!,
                    (string)version!["name"]!,
                    (string)names["kind"]!,
                    (string)names["plural"]!,
                    (string?)names["singular"] ?? ((string)names["kind"]!).ToLowerInvariant(),
                    (string?)spec["scope"] == "Namespaced",
                    (names["shortNames"] as JsonArray)?.Select(n => (string)n!).ToList() ?? [],
                    (names["categories"] as JsonArray)?.Select(n => (string)n!).ToList() ?? [],
                    version["subresources"]?["status"] is not null,
                    (JsonObject)(
                        version["schema"]?["openAPIV3Schema"]?.DeepClone()
                        ?? new JsonObject { ["type"] = "object", ["x-kubernetes-preserve-unknown-fields"] = true }
                    ),
                    version["additionalPrinterColumns"]?.DeepClone() as JsonArray
                )
            );
        }

        crd["status"] = new JsonObject
        {
            ["acceptedNames"] = names.DeepClone(),
            ["storedVersions"] = new JsonArray(
                (spec["versions"] as JsonArray ?? [])
                    .Where(v => v!["storage"]?.GetValue<bool>() == true)
                    .Select(v => (JsonNode?)(string)v!["name"]!)
                    .ToArray()
            ),
            ["conditions"] = new JsonArray(
                new JsonObject
                {
                    ["type"] = "NamesAccepted",
                    ["status"] = "True",
                    ["reason"] = "NoConflicts",
                    ["message"] = "no conflicts found",
                    ["lastTransitionTime"] = Now(),
                },
                new JsonObject
                {
                    ["type"] = "Established",
                    ["status"] = "True",
                    ["reason"] = "InitialNamesAccepted",
                    ["message"] = "the initial names have been accepted",
                    ["lastTransitionTime"] = Now(),
                }
            ),
        };
    }

    private void Unestablish(JsonObject crd)
    {
        var group = (string)crd["spec"]!["group"]!;
        var plural = (string)crd["spec"]!["names"]!["plural"]!;
        foreach (
            var key in types
                .Keys.Where(k => k.StartsWith(group + "/", StringComparison.Ordinal) && k.EndsWith("/" + plural, StringComparison.Ordinal))
                .ToList()
        )
        {
            var type = types[key];
            foreach (var obj in objects[key].Values.ToList())
            {
                Remove(type, (string?)obj["metadata"]!["namespace"], (string)obj["metadata"]!["name"]!);
            }

            types.TryRemove(key, out _);
            objects.Remove(key);
        }
    }

    private void Store(ResourceType type, string? ns, string name, JsonObject obj, string eventType)
    {
        resourceVersion++;
        obj["metadata"]!["resourceVersion"] = resourceVersion.ToString(CultureInfo.InvariantCulture);
        Bucket(type)[Key(ns, name)] = obj;
        Publish(new WatchEvent(resourceVersion, type.Key, eventType, (JsonObject)obj.DeepClone()));
    }

    private void Publish(WatchEvent e)
    {
        history.AddLast(e);
        while (history.Count > HistoryCapacity)
        {
            history.RemoveFirst();
        }

        foreach (var watcher in watchers.Where(w => w.TypeKey == e.TypeKey && w.Matches(e.Object)))
        {
            watcher.Channel.Writer.TryWrite(e);
        }
    }

    private JsonObject Find(ResourceType type, string? ns, string name) =>
        Bucket(type).TryGetValue(Key(type.Namespaced ? ns : null, name), out var obj) ? obj : throw ApiException.NotFound(type, name);

    private SortedDictionary<string, JsonObject> Bucket(ResourceType type) =>
        objects.TryGetValue(type.Key, out var bucket)
            ? bucket
            : throw new ApiException(404, "NotFound", $"the server could not find the requested resource ({type.QualifiedName})");

    private static List<string> Finalizers(JsonObject obj) =>
        (obj["metadata"]?["finalizers"] as JsonArray)?.Select(f => (string)f!).ToList() ?? [];

    private static string Key(string? ns, string name) => ns is null ? name : $"{ns}/{name}";

    private string Now() => time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}

/// <summary>A page of a list: its items, the list's resourceVersion, and where the next page starts.</summary>
public sealed record ListPage(List<JsonObject> Items, long ResourceVersion, string? Continue, long? RemainingItemCount);

/// <summary>The opaque continue token: base64 JSON of the list's resourceVersion and the last key returned, as the real server's.</summary>
internal static class ContinueToken
{
    public static string Make(long resourceVersion, string lastKey) =>
        Convert.ToBase64String(
            System.Text.Encoding.UTF8.GetBytes(
                new JsonObject
                {
                    ["v"] = "meta.k8s.io/v1",
                    ["rv"] = resourceVersion,
                    ["start"] = lastKey,
                }.ToJsonString()
            )
        );

    public static (long ResourceVersion, string After) Parse(string token)
    {
        try
        {
            var json = JsonNode.Parse(Convert.FromBase64String(token))!.AsObject();
            return ((long)json["rv"]!, (string)json["start"]!);
        }
        catch (Exception e) when (e is FormatException or JsonException or InvalidOperationException or NullReferenceException)
        {
            throw ApiException.BadRequest($"continue key is not valid: {e.Message}");
        }
    }
}

public sealed class Watcher(string typeKey, string? ns, LabelSelector labels, FieldSelector fields)
{
    public string TypeKey { get; } = typeKey;

    public Channel<WatchEvent> Channel { get; } = System.Threading.Channels.Channel.CreateUnbounded<WatchEvent>();

    public bool Matches(JsonObject obj) =>
        (ns is null || (string?)obj["metadata"]?["namespace"] == ns) && labels.Matches(obj) && fields.Matches(obj);
}
