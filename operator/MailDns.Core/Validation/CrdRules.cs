using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cel;

namespace MailDns.Core.Validation;

/// <summary>A CEL rule of the schema that an object breaks, at the field that declares it.</summary>
public sealed record RuleViolation(string Path, string Message, string Rule);

/// <summary>
/// The CRDs' <c>x-kubernetes-validations</c> rules, evaluated as kube-apiserver evaluates them: at every schema node
/// present in the object, with <c>self</c> the value there and, on an update, <c>oldSelf</c> the old value. A
/// transition rule (one that names oldSelf) runs only when there is an old value. <c>maildns validate</c> and the
/// test API server both call this, so the rules are written once, in the CRDs, and never copied into C#.
/// </summary>
public static class CrdRules
{
    private static readonly CelEnvironment Environment = new(null, null);

    private static readonly ConcurrentDictionary<string, CelProgramDelegate> Programs = new(StringComparer.Ordinal);

    /// <summary>
    /// Cel 0.3.3 answers has() with false for an empty map; a key no rule reads keeps a present empty object present.
    /// </summary>
    private const string PresenceKey = "\u0000present";

    public static IReadOnlyList<RuleViolation> Evaluate(JsonObject schema, JsonNode? self, JsonNode? oldSelf = null)
    {
        var violations = new List<RuleViolation>();
        Walk(schema, self, oldSelf, "", violations);
        return violations;
    }

    private static void Walk(JsonObject schema, JsonNode? self, JsonNode? old, string path, List<RuleViolation> violations)
    {
        if (self is null)
        {
            return;
        }

        if (schema["x-kubernetes-validations"] is JsonArray rules)
        {
            foreach (var rule in rules.OfType<JsonObject>())
            {
                Check(rule, self, old, path, violations);
            }
        }

        if (self is JsonObject obj && schema["properties"] is JsonObject properties)
        {
            foreach (var (name, child) in properties)
            {
                if (child is JsonObject childSchema && obj[name] is { } value)
                {
                    Walk(childSchema, value, (old as JsonObject)?[name], Join(path, name), violations);
                }
            }
        }
        else if (self is JsonObject map && schema["additionalProperties"] is JsonObject values)
        {
            foreach (var (key, value) in map)
            {
                Walk(values, value, (old as JsonObject)?[key], $"{path}[{key}]", violations);
            }
        }
        else if (self is JsonArray array && schema["items"] is JsonObject items)
        {
            // List items are not correlated with the old list here (no x-kubernetes-list-map-keys in these CRDs), so
            // transition rules inside lists do not run, as kube-apiserver does for atomic lists.
            for (var i = 0; i < array.Count; i++)
            {
                Walk(items, array[i], null, $"{path}[{i}]", violations);
            }
        }
    }

    private static void Check(JsonObject rule, JsonNode self, JsonNode? old, string path, List<RuleViolation> violations)
    {
        var text = rule["rule"]?.GetValue<string>() ?? "";
        if (text.Contains("oldSelf", StringComparison.Ordinal) && old is null)
        {
            return;
        }

        var message = rule["message"]?.GetValue<string>() ?? $"failed rule: {text}";
        var field = rule["fieldPath"]?.GetValue<string>() is { } relative ? path + relative : path;
        try
        {
            var program = Programs.GetOrAdd(text, t => Environment.Compile(t));
            var variables = new Dictionary<string, object?> { ["self"] = ToCel(self) };
            if (old is not null)
            {
                variables["oldSelf"] = ToCel(old);
            }

            if (program(variables!) is not true)
            {
                violations.Add(new RuleViolation(field, message, text));
            }
        }
        catch (Exception e) when (e.GetType().Namespace?.StartsWith("Cel", StringComparison.Ordinal) == true)
        {
            // kube-apiserver reports a rule that cannot be evaluated against the object as a failure of that rule.
            violations.Add(new RuleViolation(field, $"{message} (the rule could not be evaluated: {e.Message})", text));
        }
    }

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    /// <summary>JSON as the Cel package takes it: maps, lists, long for integers, double, string and bool.</summary>
    private static object? ToCel(JsonNode? node) =>
        node switch
        {
            null => null,
            JsonObject obj when obj.Count == 0 => new Dictionary<string, object?> { [PresenceKey] = true },
            JsonObject obj => obj.ToDictionary(p => p.Key, p => ToCel(p.Value)),
            JsonArray array => array.Select(ToCel).ToArray(),
            JsonValue value => value.GetValueKind() switch
            {
                JsonValueKind.String => value.GetValue<string>(),
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                JsonValueKind.Number when value.TryGetValue<long>(out var l) => l,
                JsonValueKind.Number => value.GetValue<double>(),
                _ => null,
            },
            _ => null,
        };
}
