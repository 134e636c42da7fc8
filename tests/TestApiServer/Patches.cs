using System.Globalization;
using System.Text.Json.Nodes;

namespace MailDns.TestApiServer;

/// <summary>RFC 7386 merge patch and RFC 6902 JSON patch.</summary>
public static class Patches
{
    public static JsonNode? Merge(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }

        var result = target is JsonObject t ? (JsonObject)t.DeepClone() : new JsonObject();
        foreach (var (key, value) in patchObject)
        {
            if (value is null)
            {
                result.Remove(key);
            }
            else
            {
                result[key] = Merge(result[key], value);
            }
        }

        return result;
    }

    public static JsonNode Json(JsonNode target, JsonArray operations)
    {
        var doc = target.DeepClone();
        foreach (var op in operations.OfType<JsonObject>())
        {
            var path = (string?)op["path"] ?? throw ApiException.BadRequest("json patch operation without path");
            switch ((string?)op["op"])
            {
                case "add":
                    doc = Add(doc, path, op["value"]?.DeepClone());
                    break;
                case "remove":
                    doc = Remove(doc, path);
                    break;
                case "replace":
                    doc = Add(Remove(doc, path), path, op["value"]?.DeepClone());
                    break;
                case "move":
                    var moved = Resolve(doc, (string)op["from"]!)?.DeepClone();
                    doc = Add(Remove(doc, (string)op["from"]!), path, moved);
                    break;
                case "copy":
                    doc = Add(doc, path, Resolve(doc, (string)op["from"]!)?.DeepClone());
                    break;
                case "test":
                    if (!JsonNode.DeepEquals(Resolve(doc, path), op["value"]))
                    {
                        throw new ApiException(
                            422,
                            "Invalid",
                            $"the server rejected our request due to an error in our request: test operation failed at {path}"
                        );
                    }

                    break;
                default:
                    throw ApiException.BadRequest($"unknown json patch op {(string?)op["op"]}");
            }
        }

        return doc;
    }

    private static string[] Tokens(string pointer) =>
        pointer.Length == 0
            ? []
            : pointer[1..]
                .Split('/')
                .Select(t => t.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal))
                .ToArray();

    private static JsonNode? Resolve(JsonNode? doc, string pointer)
    {
        foreach (var token in Tokens(pointer))
        {
            doc = doc switch
            {
                JsonObject o => o.TryGetPropertyValue(token, out var v) ? v : throw Missing(pointer),
                JsonArray a => int.TryParse(token, CultureInfo.InvariantCulture, out var i) && i < a.Count ? a[i] : throw Missing(pointer),
                _ => throw Missing(pointer),
            };
        }

        return doc;
    }

    private static JsonNode Add(JsonNode doc, string pointer, JsonNode? value)
    {
        var tokens = Tokens(pointer);
        if (tokens.Length == 0)
        {
            return value ?? throw ApiException.BadRequest("cannot replace the document with null");
        }

        var parent = Resolve(
            doc,
            "/"
                + string.Join(
                    '/',
                    tokens[..^1].Select(t => t.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal))
                )
        );
        var last = tokens[^1];
        switch (parent)
        {
            case JsonObject o:
                o[last] = value;
                break;
            case JsonArray a when last == "-":
                a.Add(value);
                break;
            case JsonArray a when int.TryParse(last, CultureInfo.InvariantCulture, out var i) && i <= a.Count:
                a.Insert(i, value);
                break;
            default:
                throw Missing(pointer);
        }

        return doc;
    }

    private static JsonNode Remove(JsonNode doc, string pointer)
    {
        var tokens = Tokens(pointer);
        var parent = Resolve(
            doc,
            "/"
                + string.Join(
                    '/',
                    tokens[..^1].Select(t => t.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal))
                )
        );
        switch (parent)
        {
            case JsonObject o when o.ContainsKey(tokens[^1]):
                o.Remove(tokens[^1]);
                break;
            case JsonArray a when int.TryParse(tokens[^1], CultureInfo.InvariantCulture, out var i) && i < a.Count:
                a.RemoveAt(i);
                break;
            default:
                throw Missing(pointer);
        }

        return doc;
    }

    private static ApiException Missing(string pointer) =>
        new(422, "Invalid", $"the server rejected our request due to an error in our request: path {pointer} does not exist");
}
