using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using k8s;
using k8s.Models;
using MailDns.Testing;

namespace MailDns.Operator.Tests.Kubernetes;

/// <summary>One manifest that must be refused, and the field the refusal must name.</summary>
public sealed record InvalidManifest(string Why, JsonObject Manifest, string Field);

/// <summary>
/// Invalid manifests generated from a CRD's schema: for every property under spec, a value of the wrong type, and
/// one breaking each of its constraints (enum, pattern, length, range, item count, required), each set into an
/// otherwise valid manifest.
/// </summary>
public static partial class InvalidManifests
{
    public static IEnumerable<InvalidManifest> FromSchema(string crdFile, JsonObject valid)
    {
        var crd = KubernetesYaml.Deserialize<V1CustomResourceDefinition>(File.ReadAllText(Repo.PathOf("crds", crdFile)));
        var schema = JsonNode.Parse(KubernetesJson.Serialize(crd.Spec.Versions[0].Schema.OpenAPIV3Schema))!["properties"]![
            "spec"
        ]!.AsObject();
        return Walk(schema, "spec", valid);
    }

    private static IEnumerable<InvalidManifest> Walk(JsonObject schema, string path, JsonObject valid)
    {
        foreach (var (why, value) in Violations(schema, path, valid))
        {
            yield return new InvalidManifest($"{path}: {why}", With(valid, path, value), path);
        }

        foreach (var required in (schema["required"] as JsonArray)?.Select(r => (string)r!) ?? [])
        {
            if (At(valid, path) is JsonObject)
            {
                var manifest = (JsonObject)valid.DeepClone();
                ((JsonObject)At(manifest, path)!).Remove(required);
                yield return new InvalidManifest($"{path}.{required}: required, missing", manifest, $"{path}.{required}");
            }
        }

        foreach (var (name, child) in (schema["properties"] as JsonObject) ?? [])
        {
            foreach (var m in Walk(child!.AsObject(), $"{path}.{name}", valid))
            {
                yield return m;
            }
        }

        if (schema["items"] is JsonObject items)
        {
            foreach (var m in Walk(items, $"{path}[0]", valid))
            {
                yield return m;
            }
        }
    }

    private static IEnumerable<(string Why, JsonNode? Value)> Violations(JsonObject schema, string path, JsonObject valid)
    {
        var type = (string?)schema["type"];
        yield return type switch
        {
            "string" => ("a number where a string belongs", JsonValue.Create(12345)),
            "integer" => ("a string where an integer belongs", JsonValue.Create("twelve")),
            "boolean" => ("a string where a boolean belongs", JsonValue.Create("yes")),
            "array" => ("a string where a list belongs", JsonValue.Create("not-a-list")),
            _ => ("a string where an object belongs", JsonValue.Create("not-an-object")),
        };

        if (schema["enum"] is JsonArray values)
        {
            yield return ("a value outside the enum", JsonValue.Create("not-" + (string?)values[0]));
        }

        if ((string?)schema["pattern"] is { } pattern)
        {
            var max = (int?)schema["maxLength"] ?? int.MaxValue;
            var breaking = new[] { "!not valid!", "UPPER CASE", "a b", "-", "x" }.First(c => c.Length <= max && !Regex.IsMatch(c, pattern));
            yield return ($"'{breaking}' against the pattern", JsonValue.Create(breaking));
        }

        if ((int?)schema["maxLength"] is { } maxLength)
        {
            yield return ("one character too long", JsonValue.Create(new string('a', maxLength + 1)));
        }

        if ((int?)schema["minLength"] is > 0)
        {
            yield return ("too short", JsonValue.Create(""));
        }

        if ((long?)schema["minimum"] is { } minimum)
        {
            yield return ("below the minimum", JsonValue.Create(minimum - 1));
        }

        if ((long?)schema["maximum"] is { } maximum)
        {
            yield return ("above the maximum", JsonValue.Create(maximum + 1));
        }

        if ((long?)schema["multipleOf"] is { } step)
        {
            // In range, but not a multiple: RSA size 2047 once passed validation and crashed key generation.
            yield return ("not a multiple of the step", JsonValue.Create(((long?)schema["minimum"] ?? 0) + step - 1));
        }

        if ((int?)schema["maxItems"] is { } maxItems)
        {
            var item = (At(valid, path) as JsonArray)?.FirstOrDefault()?.DeepClone() ?? JsonValue.Create("x.example.com");
            yield return ("one item too many", new JsonArray(Enumerable.Range(0, maxItems + 1).Select(_ => item!.DeepClone()).ToArray()));
        }

        if ((int?)schema["minItems"] is > 0)
        {
            yield return ("too few items", new JsonArray());
        }
    }

    [GeneratedRegex(@"([^.\[]+)(?:\[(\d+)\])?")]
    private static partial Regex Segment();

    private static JsonNode? At(JsonObject root, string path)
    {
        JsonNode? node = root;
        foreach (Match m in Segment().Matches(path))
        {
            node = node?[m.Groups[1].Value];
            if (m.Groups[2].Success)
            {
                node =
                    node is JsonArray a && a.Count > int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture)
                        ? a[int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture)]
                        : null;
            }
        }

        return node;
    }

    /// <summary>A copy of the manifest with the value at the path, creating the objects and lists on the way.</summary>
    public static JsonObject With(JsonObject valid, string path, JsonNode? value)
    {
        var root = (JsonObject)valid.DeepClone();
        var segments = Segment().Matches(path).ToList();
        JsonObject parent = root;
        for (var i = 0; i < segments.Count; i++)
        {
            var name = segments[i].Groups[1].Value;
            var last = i == segments.Count - 1;
            if (!segments[i].Groups[2].Success)
            {
                if (last)
                {
                    parent[name] = value;
                    break;
                }

                parent = parent[name] as JsonObject ?? (JsonObject)(parent[name] = new JsonObject());
                continue;
            }

            var list = parent[name] as JsonArray ?? (JsonArray)(parent[name] = new JsonArray());
            if (list.Count == 0)
            {
                list.Add(last ? null : new JsonObject());
            }

            if (last)
            {
                list[0] = value;
                break;
            }

            parent = list[0] as JsonObject ?? (JsonObject)(list[0] = new JsonObject());
        }

        return root;
    }
}
