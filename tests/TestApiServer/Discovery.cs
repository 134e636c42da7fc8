using System.Text.Json.Nodes;

namespace MailDns.TestApiServer;

/// <summary>
/// /api, /apis, the per-group and per-version resource lists, /version, health endpoints, and the OpenAPI v3
/// index and group documents that kubectl reads to learn that the server validates fields itself.
/// </summary>
public static class Discovery
{
    public static async Task<bool> TryServeAsync(HttpContext context, string path, ObjectStore store)
    {
        if (context.Request.Method != "GET")
        {
            return false;
        }

        var types = store.Types;
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        JsonObject? body = parts switch
        {
            ["version"] => new JsonObject
            {
                ["major"] = "1",
                ["minor"] = "32",
                ["gitVersion"] = "v1.32.0-maildns-test",
                ["platform"] = "linux/amd64",
            },
            ["healthz"] or ["readyz"] or ["livez"] => null,
            ["api"] => new JsonObject
            {
                ["kind"] = "APIVersions",
                ["versions"] = new JsonArray("v1"),
                ["serverAddressByClientCIDRs"] = new JsonArray(),
            },
            ["api", "v1"] => ResourceList("v1", types.Where(t => t.Group.Length == 0)),
            ["apis"] => new JsonObject
            {
                ["kind"] = "APIGroupList",
                ["apiVersion"] = "v1",
                ["groups"] = new JsonArray(
                    types
                        .Where(t => t.Group.Length > 0)
                        .GroupBy(t => t.Group)
                        .OrderBy(g => g.Key, StringComparer.Ordinal)
                        .Select(g => (JsonNode)Group(g.Key, g))
                        .ToArray()
                ),
            },
            ["apis", var g] when types.Any(t => t.Group == g) => Group(g, types.Where(t => t.Group == g)),
            ["apis", var g, var v] when types.Any(t => t.Group == g && t.Version == v) => ResourceList(
                $"{g}/{v}",
                types.Where(t => t.Group == g && t.Version == v)
            ),
            ["openapi", "v3"] => OpenApiIndex(types),
            ["openapi", "v3", "api", "v1"] => OpenApiDocument(types.Where(t => t.Group.Length == 0)),
            ["openapi", "v3", "apis", var g, var v] when types.Any(t => t.Group == g && t.Version == v) => OpenApiDocument(
                types.Where(t => t.Group == g && t.Version == v)
            ),
            _ => new JsonObject { ["__none"] = true },
        };

        if (body is not null && body.ContainsKey("__none"))
        {
            return false;
        }

        if (body is null)
        {
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync("ok").ConfigureAwait(false);
            return true;
        }

        await ApiServerHost.WriteAsync(context, 200, body).ConfigureAwait(false);
        return true;
    }

    private static JsonObject Group(string name, IEnumerable<ResourceType> types)
    {
        var versions = types
            .Select(t => t.Version)
            .Distinct()
            .Order(StringComparer.Ordinal)
            .Select(v => (JsonNode)new JsonObject { ["groupVersion"] = $"{name}/{v}", ["version"] = v })
            .ToArray();
        return new JsonObject
        {
            ["kind"] = "APIGroup",
            ["apiVersion"] = "v1",
            ["name"] = name,
            ["versions"] = new JsonArray(versions),
            ["preferredVersion"] = versions[^1]!.DeepClone(),
        };
    }

    private static JsonObject ResourceList(string groupVersion, IEnumerable<ResourceType> types)
    {
        var resources = new JsonArray();
        foreach (var t in types.OrderBy(t => t.Plural, StringComparer.Ordinal))
        {
            resources.Add(
                new JsonObject
                {
                    ["name"] = t.Plural,
                    ["singularName"] = t.Singular,
                    ["namespaced"] = t.Namespaced,
                    ["kind"] = t.Kind,
                    ["verbs"] = new JsonArray("create", "delete", "get", "list", "patch", "update", "watch"),
                    ["shortNames"] = new JsonArray(t.ShortNames.Select(s => (JsonNode)s).ToArray()),
                    ["categories"] = new JsonArray(t.Categories.Select(s => (JsonNode)s).ToArray()),
                }
            );
            if (t.HasStatus)
            {
                resources.Add(
                    new JsonObject
                    {
                        ["name"] = t.Plural + "/status",
                        ["singularName"] = "",
                        ["namespaced"] = t.Namespaced,
                        ["kind"] = t.Kind,
                        ["verbs"] = new JsonArray("get", "patch", "update"),
                    }
                );
            }
        }

        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = groupVersion,
            ["resources"] = resources,
        };
    }

    private static JsonObject OpenApiIndex(IReadOnlyList<ResourceType> types)
    {
        var paths = new JsonObject();
        foreach (var gv in types.Select(t => t.Group.Length == 0 ? "api/v1" : $"apis/{t.Group}/{t.Version}").Distinct())
        {
            paths[gv] = new JsonObject
            {
                ["serverRelativeURL"] = $"/openapi/v3/{gv}?hash={Math.Abs(gv.GetHashCode(StringComparison.Ordinal))}",
            };
        }

        return new JsonObject { ["paths"] = paths };
    }

    /// <summary>Schemas per kind, and a PATCH operation per resource path that declares fieldValidation.</summary>
    private static JsonObject OpenApiDocument(IEnumerable<ResourceType> types)
    {
        var schemas = new JsonObject();
        var paths = new JsonObject();
        foreach (var t in types)
        {
            var gvk = new JsonArray(
                new JsonObject
                {
                    ["group"] = t.Group,
                    ["version"] = t.Version,
                    ["kind"] = t.Kind,
                }
            );
            var schemaName =
                $"{(t.Group.Length == 0 ? "io.k8s.api.core" : string.Join('.', t.Group.Split('.').Reverse()))}.{t.Version}.{t.Kind}";
            var schema = (JsonObject)(
                t.Schema?.DeepClone() ?? new JsonObject { ["type"] = "object", ["x-kubernetes-preserve-unknown-fields"] = true }
            );
            schema["x-kubernetes-group-version-kind"] = gvk.DeepClone();
            schemas[schemaName] = schema;
            var prefix = t.Group.Length == 0 ? "/api/v1" : $"/apis/{t.Group}/{t.Version}";
            var path = t.Namespaced ? $"{prefix}/namespaces/{{namespace}}/{t.Plural}/{{name}}" : $"{prefix}/{t.Plural}/{{name}}";
            paths[path] = new JsonObject
            {
                ["patch"] = new JsonObject
                {
                    ["x-kubernetes-group-version-kind"] = new JsonObject
                    {
                        ["group"] = t.Group,
                        ["version"] = t.Version,
                        ["kind"] = t.Kind,
                    },
                    ["x-kubernetes-action"] = "patch",
                    ["parameters"] = new JsonArray(
                        new JsonObject
                        {
                            ["name"] = "fieldValidation",
                            ["in"] = "query",
                            ["schema"] = new JsonObject { ["type"] = "string" },
                        },
                        new JsonObject
                        {
                            ["name"] = "dryRun",
                            ["in"] = "query",
                            ["schema"] = new JsonObject { ["type"] = "string" },
                        }
                    ),
                    ["responses"] = new JsonObject { ["200"] = new JsonObject { ["description"] = "OK" } },
                },
            };
        }

        return new JsonObject
        {
            ["openapi"] = "3.0.0",
            ["info"] = new JsonObject { ["title"] = "Kubernetes", ["version"] = "v1.32.0" },
            ["paths"] = paths,
            ["components"] = new JsonObject { ["schemas"] = schemas },
        };
    }
}
