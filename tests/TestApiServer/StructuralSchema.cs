using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using NJsonSchema;
using NJsonSchema.Validation;

namespace MailDns.TestApiServer;

/// <summary>
/// What the API server does with a custom resource's openAPIV3Schema: apply defaults, prune (or, with
/// fieldValidation=Strict, refuse) undeclared fields, and validate with a JSON Schema validator, reporting causes
/// in the API server's wording. CEL rules (x-kubernetes-validations) are evaluated after it, by CrdRules.
/// </summary>
public static class StructuralSchema
{
    /// <summary>
    /// Compiled per schema object: a CRD's schema is a copy taken when the CRD is established and never changed after,
    /// so a changed CRD brings a new object. (Keyed by its text, every write serialized the whole schema to look it up.)
    /// </summary>
    private static readonly ConditionalWeakTable<JsonObject, JsonSchema> Compiled = new();

    public static void ApplyDefaults(JsonNode? node, JsonObject schema)
    {
        if (node is JsonObject obj && schema["properties"] is JsonObject props)
        {
            foreach (var (name, child) in props)
            {
                if (child is not JsonObject childSchema)
                {
                    continue;
                }

                if (!obj.ContainsKey(name) && childSchema["default"] is { } value)
                {
                    obj[name] = value.DeepClone();
                }

                if (obj[name] is { } present)
                {
                    ApplyDefaults(present, childSchema);
                }
            }
        }
        else if (node is JsonArray array && schema["items"] is JsonObject items)
        {
            foreach (var item in array)
            {
                ApplyDefaults(item, items);
            }
        }
    }

    /// <summary>
    /// Like the API server, a null where the schema does not say <c>nullable: true</c> is dropped before defaulting,
    /// so clients that serialise absent fields as null are not refused.
    /// </summary>
    public static void DropNulls(JsonNode? node, JsonObject schema)
    {
        if (node is JsonObject obj)
        {
            var props = schema["properties"] as JsonObject;
            var additional = schema["additionalProperties"] as JsonObject;
            foreach (var (name, value) in obj.ToList())
            {
                var childSchema = props?[name] as JsonObject ?? additional;
                if (value is null && childSchema?["nullable"]?.GetValue<bool>() != true)
                {
                    obj.Remove(name);
                }
                else if (childSchema is not null)
                {
                    DropNulls(value, childSchema);
                }
            }
        }
        else if (node is JsonArray array && schema["items"] is JsonObject items)
        {
            foreach (var item in array)
            {
                DropNulls(item, items);
            }
        }
    }

    /// <summary>Removes undeclared fields; returns their paths. metadata is left to the metadata rules.</summary>
    public static List<string> Prune(JsonNode? node, JsonObject schema, string path = "")
    {
        var pruned = new List<string>();
        if (schema["x-kubernetes-preserve-unknown-fields"]?.GetValue<bool>() == true)
        {
            return pruned;
        }

        if (node is JsonObject obj)
        {
            var props = schema["properties"] as JsonObject;
            var additional = schema["additionalProperties"] as JsonObject;
            foreach (var name in obj.Select(p => p.Key).ToList())
            {
                var childPath = path.Length == 0 ? name : $"{path}.{name}";
                if (path.Length == 0 && name is "apiVersion" or "kind" or "metadata")
                {
                    continue;
                }

                var childSchema = props?[name] as JsonObject ?? additional;
                if (childSchema is null)
                {
                    if (props is not null)
                    {
                        obj.Remove(name);
                        pruned.Add(childPath);
                    }

                    continue;
                }

                pruned.AddRange(Prune(obj[name], childSchema, childPath));
            }
        }
        else if (node is JsonArray array && schema["items"] is JsonObject items)
        {
            for (var i = 0; i < array.Count; i++)
            {
                pruned.AddRange(Prune(array[i], items, $"{path}[{i}]"));
            }
        }

        return pruned;
    }

    public static List<(string Field, string Message, string Reason)> Validate(JsonObject schema, JsonObject obj)
    {
        var compiled = Compiled.GetValue(schema, s => JsonSchema.FromJsonAsync(ToJsonSchema(s).ToJsonString()).GetAwaiter().GetResult());
        var body = (JsonObject)obj.DeepClone();
        body.Remove("metadata");
        return compiled.Validate(body.ToJsonString()).SelectMany(Flatten).Select(Cause).Distinct().ToList();
    }

    private static JsonObject ToJsonSchema(JsonObject openApi)
    {
        var copy = (JsonObject)openApi.DeepClone();
        Strip(copy);
        if (copy["properties"] is JsonObject props)
        {
            props.Remove("metadata");
        }

        return copy;
    }

    private static void Strip(JsonNode? node)
    {
        if (node is JsonObject obj)
        {
            foreach (
                var key in obj.Select(p => p.Key)
                    .Where(k => k.StartsWith("x-kubernetes-", StringComparison.Ordinal) || k is "nullable" or "format")
                    .ToList()
            )
            {
                obj.Remove(key);
            }

            foreach (var (_, child) in obj.ToList())
            {
                Strip(child);
            }
        }
        else if (node is JsonArray array)
        {
            foreach (var child in array)
            {
                Strip(child);
            }
        }
    }

    private static IEnumerable<ValidationError> Flatten(ValidationError error) =>
        error is ChildSchemaValidationError child
            ? child.Errors.SelectMany(kv => kv.Value).SelectMany(Flatten).DefaultIfEmpty(error)
            : [error];

    private static (string Field, string Message, string Reason) Cause(ValidationError e)
    {
        var field = (e.Path ?? "").TrimStart('#', '/').Replace('/', '.');
        var value = e.Token?.ToString(Newtonsoft.Json.Formatting.None) ?? "null";
        var s = e.Schema;
        return e.Kind switch
        {
            ValidationErrorKind.PropertyRequired => (field, "Required value", "FieldValueRequired"),
            ValidationErrorKind.NotInEnumeration => (
                field,
                $"Unsupported value: {value}: supported values: {string.Join(", ", s?.Enumeration.Select(v => $"\"{v}\"") ?? [])}",
                "FieldValueNotSupported"
            ),
            ValidationErrorKind.PatternMismatch => (
                field,
                $"Invalid value: {value}: {field} in body should match '{s?.Pattern}'",
                "FieldValueInvalid"
            ),
            ValidationErrorKind.NumberTooSmall => (
                field,
                $"Invalid value: {value}: {field} in body should be greater than or equal to {s?.Minimum}",
                "FieldValueInvalid"
            ),
            ValidationErrorKind.NumberTooBig or ValidationErrorKind.IntegerTooBig => (
                field,
                $"Invalid value: {value}: {field} in body should be less than or equal to {s?.Maximum}",
                "FieldValueInvalid"
            ),
            ValidationErrorKind.StringTooLong => (field, $"Too long: may not be longer than {s?.MaxLength}", "FieldValueTooLong"),
            ValidationErrorKind.StringTooShort => (
                field,
                $"Invalid value: {value}: {field} in body should be at least {s?.MinLength} chars long",
                "FieldValueInvalid"
            ),
            ValidationErrorKind.TooManyItems => (field, $"Too many: must have at most {s?.MaxItems} items", "FieldValueTooMany"),
            ValidationErrorKind.TooFewItems => (
                field,
                $"Invalid value: {value}: {field} in body should have at least {s?.MinItems} items",
                "FieldValueInvalid"
            ),
            _ => (
                field,
                $"Invalid value: {value}: {field} in body must be of type {s?.Type.ToString().ToLowerInvariant()}",
                "FieldValueTypeInvalid"
            ),
        };
    }
}
