using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using MailDns.Core.Findings;
using MailDns.Core.Validation;
using NJsonSchema;
using NJsonSchema.Validation;

namespace MailDns.Operator.Manifests;

/// <summary>
/// Validates a custom resource against its CRD's openAPIV3Schema with a real JSON Schema validator (NJsonSchema).
/// Like kubectl's default strict field validation, a field the schema does not declare is an error rather than
/// silently pruned: a typo such as "polcy" would otherwise vanish without a word, so it comes with a "did you mean".
/// Then, as kube-apiserver does once the schema passes, the CRD's CEL rules (x-kubernetes-validations) are evaluated by
/// <see cref="CrdRules"/>, the evaluator the test API server uses too: the rules live in the CRDs only.
/// </summary>
public sealed class SchemaValidator
{
    private readonly CrdSchemas crds;
    private readonly ConcurrentDictionary<string, JsonSchema> compiled = new();

    public SchemaValidator(CrdSchemas crds) => this.crds = crds;

    public IReadOnlyList<Finding> Validate(string kind, JsonObject resource)
    {
        var schema = compiled.GetOrAdd(
            kind,
            k => JsonSchema.FromJsonAsync(ToJsonSchema(crds.OpenApiSchema(k)).ToJsonString()).GetAwaiter().GetResult()
        );
        var findings = schema
            .Validate(resource.ToJsonString())
            .SelectMany(Flatten)
            .Select(e => ToFinding(e))
            .DistinctBy(f => (f.Path, f.Code))
            .ToList();
        if (findings.Count > 0)
        {
            return findings;
        }

        return CrdRules.Evaluate(crds.OpenApiSchema(kind), resource).Select(RuleFinding).ToList();
    }

    /// <summary>A rule's message ends with its [code]; the finding carries the code and the message without it.</summary>
    private static Finding RuleFinding(RuleViolation v)
    {
        var message = v.Message.TrimEnd();
        var open = message.LastIndexOf('[');
        var coded = message.EndsWith(']') && open > 0;
        var code = coded ? message[(open + 1)..^1] : "schema.rule";
        var text = coded ? message[..open].TrimEnd() : message;
        return Finding.Error(code, v.Path.Length == 0 ? text : $"{v.Path}: {text}", v.Path.Length == 0 ? null : v.Path);
    }

    /// <summary>The declared field closest to a misspelt one (at most two edits), for "did you mean".</summary>
    internal static string? Closest(string unknown, IEnumerable<string> known) =>
        known
            .Select(k => (Name: k, Distance: Distance(unknown.ToLowerInvariant(), k.ToLowerInvariant())))
            .Where(k => k.Distance <= Math.Max(1, Math.Min(2, unknown.Length / 3)))
            .OrderBy(k => k.Distance)
            .ThenBy(k => k.Name, StringComparer.Ordinal)
            .Select(k => k.Name)
            .FirstOrDefault();

    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            previous = current;
        }

        return previous[b.Length];
    }

    /// <summary>
    /// OpenAPI v3 structural schema to JSON Schema: drop Kubernetes extensions, and close every object that lists
    /// its properties (metadata aside, which the API server validates on its own).
    /// </summary>
    internal static JsonObject ToJsonSchema(JsonObject openApi)
    {
        var copy = (JsonObject)openApi.DeepClone();
        Close(copy, isMetadata: false);
        return copy;
    }

    private static void Close(JsonObject node, bool isMetadata)
    {
        foreach (
            var key in node.Select(p => p.Key)
                .Where(k => k.StartsWith("x-kubernetes-", StringComparison.Ordinal) || k == "nullable")
                .ToList()
        )
        {
            node.Remove(key);
        }

        // Formats are checked by pattern or by the semantic rules; NJsonSchema's format checks differ from the API server's.
        node.Remove("format");

        if (node["properties"] is JsonObject props)
        {
            if (!isMetadata && node["additionalProperties"] is null)
            {
                node["additionalProperties"] = false;
            }

            foreach (var (name, child) in props)
            {
                if (child is JsonObject c)
                {
                    Close(c, isMetadata: name == "metadata" && node == node.Root);
                }
            }
        }

        if (node["items"] is JsonObject items)
        {
            Close(items, false);
        }

        if (node["additionalProperties"] is JsonObject additional)
        {
            Close(additional, false);
        }
    }

    private static IEnumerable<ValidationError> Flatten(ValidationError error) =>
        error is ChildSchemaValidationError child
            ? child.Errors.SelectMany(kv => kv.Value).SelectMany(Flatten).DefaultIfEmpty(error)
            : [error];

    private static Finding ToFinding(ValidationError e)
    {
        var path = FieldPath(e.Path);
        var field = path.Length == 0 ? "the document" : path;
        var s = e.Schema;
        return e.Kind switch
        {
            ValidationErrorKind.PropertyRequired => Finding.Error("schema.required", $"{field} is required", path),
            ValidationErrorKind.NoAdditionalPropertiesAllowed => Finding.Error(
                "schema.unknown-field",
                Closest(e.Property ?? "", s?.Properties.Keys ?? []) is { } suggestion
                    ? $"{field} is not a field of this resource: did you mean {suggestion}?"
                    : $"{field} is not a field of this resource (check its spelling and indentation)",
                path
            ),
            ValidationErrorKind.PatternMismatch => Finding.Error(
                "schema.pattern",
                $"{field}: {Quote(e)} is not valid{Described(s)} (pattern {s?.Pattern})",
                path
            ),
            ValidationErrorKind.NotInEnumeration => Finding.Error(
                "schema.enum",
                $"{field}: {Quote(e)} is not one of {string.Join(", ", s?.Enumeration.Select(x => x?.ToString()) ?? [])}",
                path
            ),
            ValidationErrorKind.NumberTooBig or ValidationErrorKind.IntegerTooBig => Finding.Error(
                "schema.range",
                $"{field}: {Quote(e)} is above the maximum {s?.Maximum}",
                path
            ),
            ValidationErrorKind.NumberTooSmall => Finding.Error(
                "schema.range",
                $"{field}: {Quote(e)} is below the minimum {s?.Minimum}",
                path
            ),
            ValidationErrorKind.StringTooLong => Finding.Error("schema.length", $"{field} is longer than {s?.MaxLength} characters", path),
            ValidationErrorKind.StringTooShort => Finding.Error(
                "schema.length",
                $"{field} is shorter than {s?.MinLength} characters",
                path
            ),
            ValidationErrorKind.TooManyItems => Finding.Error("schema.items", $"{field} has more than {s?.MaxItems} items", path),
            ValidationErrorKind.TooFewItems => Finding.Error("schema.items", $"{field} needs at least {s?.MinItems} items", path),
            ValidationErrorKind.StringExpected
            or ValidationErrorKind.IntegerExpected
            or ValidationErrorKind.NumberExpected
            or ValidationErrorKind.BooleanExpected
            or ValidationErrorKind.ObjectExpected
            or ValidationErrorKind.ArrayExpected
            or ValidationErrorKind.NoTypeValidates => Finding.Error(
                "schema.type",
                $"{field} must be {Article(s?.Type)} (found {Quote(e)})",
                path
            ),
            _ => Finding.Error("schema.invalid", $"{field}: {e.Kind}", path),
        };
    }

    private static string Described(JsonSchema? s) =>
        string.IsNullOrWhiteSpace(s?.Description)
            ? ""
            : ": expected " + char.ToLowerInvariant(s.Description[0]) + s.Description[1..].TrimEnd('.');

    /// <summary>"#/spec.dkim.series[0].size" to "spec.dkim.series[0].size".</summary>
    private static string FieldPath(string? path) => (path ?? "").TrimStart('#', '/').Replace('/', '.');

    private static string Quote(ValidationError e) =>
        e.Token is null ? "nothing"
        : e.Token.Type == Newtonsoft.Json.Linq.JTokenType.String ? $"'{e.Token}'"
        : e.Token.ToString(Newtonsoft.Json.Formatting.None);

    private static string Article(JsonObjectType? type) =>
        type switch
        {
            JsonObjectType.String => "a string",
            JsonObjectType.Integer => "an integer",
            JsonObjectType.Number => "a number",
            JsonObjectType.Boolean => "true or false",
            JsonObjectType.Array => "a list",
            JsonObjectType.Object => "a mapping",
            _ => string.Create(CultureInfo.InvariantCulture, $"of type {type}"),
        };
}
