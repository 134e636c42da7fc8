using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace MailDns.TestApiServer;

/// <summary>
/// meta.k8s.io/v1 Table responses (Accept: ...;as=Table), so kubectl get prints a CRD's additionalPrinterColumns.
/// The JSONPath subset covers what printer columns use: .a.b, .a[0], and .a[?(@.k=="v")].b.
/// </summary>
public static partial class Tables
{
    [GeneratedRegex("^\\[\\?\\(@\\.([A-Za-z0-9_]+)==\"([^\"]*)\"\\)\\]")]
    private static partial Regex FilterRegex();

    public static bool Wanted(HttpRequest request) => request.Headers.Accept.ToString().Contains("as=Table", StringComparison.Ordinal);

    public static JsonObject Build(ResourceType type, IReadOnlyList<JsonObject> items, long resourceVersion, string? continueToken = null)
    {
        var columns =
            type.PrinterColumns?.OfType<JsonObject>().ToList()
            ??
            [
                new JsonObject
                {
                    ["name"] = "Age",
                    ["type"] = "date",
                    ["jsonPath"] = ".metadata.creationTimestamp",
                },
            ];
        var definitions = new JsonArray(
            new JsonObject
            {
                ["name"] = "Name",
                ["type"] = "string",
                ["format"] = "name",
                ["description"] = "Name must be unique within a namespace.",
                ["priority"] = 0,
            }
        );
        foreach (var c in columns)
        {
            definitions.Add(
                new JsonObject
                {
                    ["name"] = (string?)c["name"],
                    ["type"] = (string?)c["type"] ?? "string",
                    ["format"] = "",
                    ["description"] = (string?)c["description"] ?? "",
                    ["priority"] = (int?)c["priority"] ?? 0,
                }
            );
        }

        var rows = new JsonArray();
        foreach (var item in items)
        {
            var cells = new JsonArray((string?)item["metadata"]?["name"]);
            foreach (var c in columns)
            {
                var values = Evaluate(item, (string?)c["jsonPath"] ?? "").ToList();
                if (values.Count == 0)
                {
                    cells.Add(null); // kubectl prints <none>
                    continue;
                }

                var text = string.Join(
                    ",",
                    values.Select(v => v is JsonArray a ? string.Join(",", a.Select(x => x?.ToString())) : v?.ToString())
                );
                cells.Add((string?)c["type"] == "date" ? Age(text) : text);
            }

            rows.Add(
                new JsonObject
                {
                    ["cells"] = cells,
                    ["object"] = new JsonObject
                    {
                        ["kind"] = "PartialObjectMetadata",
                        ["apiVersion"] = "meta.k8s.io/v1",
                        ["metadata"] = item["metadata"]?.DeepClone(),
                    },
                }
            );
        }

        return new JsonObject
        {
            ["kind"] = "Table",
            ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = continueToken is null
                ? new JsonObject { ["resourceVersion"] = resourceVersion.ToString(CultureInfo.InvariantCulture) }
                : new JsonObject
                {
                    ["resourceVersion"] = resourceVersion.ToString(CultureInfo.InvariantCulture),
                    ["continue"] = continueToken,
                },
            ["columnDefinitions"] = definitions,
            ["rows"] = rows,
        };
    }

    public static IEnumerable<JsonNode?> Evaluate(JsonNode? node, string path)
    {
        IEnumerable<JsonNode?> current = [node];
        var rest = path.Trim().TrimStart('{').TrimEnd('}');
        while (rest.Length > 0)
        {
            if (rest.StartsWith('.'))
            {
                var end = rest.IndexOfAny(['.', '['], 1);
                var name = end < 0 ? rest[1..] : rest[1..end];
                rest = end < 0 ? "" : rest[end..];
                current = current.Select(n => n is JsonObject o ? o[name] : null).Where(n => n is not null).ToList();
            }
            else if (FilterRegex().Match(rest) is { Success: true } filter)
            {
                rest = rest[filter.Length..];
                current = current
                    .OfType<JsonArray>()
                    .SelectMany(a => a)
                    .Where(e => (string?)e?[filter.Groups[1].Value] == filter.Groups[2].Value)
                    .ToList();
            }
            else if (rest.StartsWith('[') && rest.IndexOf(']', StringComparison.Ordinal) is var close and > 0)
            {
                var index = rest[1..close];
                rest = rest[(close + 1)..];
                current =
                    index == "*"
                        ? current.OfType<JsonArray>().SelectMany(a => a).ToList()
                        : current
                            .OfType<JsonArray>()
                            .Select(a => int.TryParse(index, CultureInfo.InvariantCulture, out var i) && i < a.Count ? a[i] : null)
                            .Where(n => n is not null)
                            .ToList();
            }
            else
            {
                return [];
            }
        }

        return current;
    }

    private static string Age(string timestamp)
    {
        // As kube-apiserver's HumanDuration: unparseable or more than a second in the future is "<invalid>".
        if (!DateTimeOffset.TryParse(timestamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
        {
            return "<invalid>";
        }

        var age = DateTimeOffset.UtcNow - at;
        return age.TotalSeconds < -1 ? "<invalid>"
            : age.TotalSeconds < 0 ? "0s"
            : age.TotalMinutes < 2 ? $"{(int)age.TotalSeconds}s"
            : age.TotalHours < 3 ? $"{(int)age.TotalMinutes}m"
            : age.TotalDays < 2 ? $"{(int)age.TotalHours}h"
            : $"{(int)age.TotalDays}d";
    }
}
