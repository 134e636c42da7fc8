using System.Text.Json.Nodes;

namespace MailDns.TestApiServer;

/// <summary>Label selectors as the API server parses them: =, ==, !=, in, notin, key, !key; comma = and.</summary>
public sealed class LabelSelector
{
    private readonly List<Func<IReadOnlyDictionary<string, string>, bool>> requirements = [];

    public static LabelSelector Everything { get; } = new();

    public static LabelSelector Parse(string? text)
    {
        var selector = new LabelSelector();
        if (string.IsNullOrWhiteSpace(text))
        {
            return selector;
        }

        foreach (var part in SplitTopLevel(text))
        {
            var term = part.Trim();
            var lower = term.ToLowerInvariant();
            int at;
            if ((at = lower.IndexOf(" notin ", StringComparison.Ordinal)) > 0)
            {
                var (key, values) = (term[..at].Trim(), Values(term[(at + 7)..]));
                selector.requirements.Add(l => !l.TryGetValue(key, out var v) || !values.Contains(v));
            }
            else if ((at = lower.IndexOf(" in ", StringComparison.Ordinal)) > 0)
            {
                var (key, values) = (term[..at].Trim(), Values(term[(at + 4)..]));
                selector.requirements.Add(l => l.TryGetValue(key, out var v) && values.Contains(v));
            }
            else if ((at = term.IndexOf("!=", StringComparison.Ordinal)) > 0)
            {
                var (key, value) = (term[..at].Trim(), term[(at + 2)..].Trim());
                selector.requirements.Add(l => !l.TryGetValue(key, out var v) || v != value);
            }
            else if ((at = term.IndexOf('=', StringComparison.Ordinal)) > 0)
            {
                var key = term[..at].Trim();
                var value = term[(at + (term.Length > at + 1 && term[at + 1] == '=' ? 2 : 1))..].Trim();
                selector.requirements.Add(l => l.TryGetValue(key, out var v) && v == value);
            }
            else if (term.StartsWith('!'))
            {
                var key = term[1..].Trim();
                selector.requirements.Add(l => !l.ContainsKey(key));
            }
            else if (term.Length > 0)
            {
                selector.requirements.Add(l => l.ContainsKey(term));
            }
        }

        return selector;
    }

    public bool Matches(JsonObject obj)
    {
        var labels = (obj["metadata"]?["labels"] as JsonObject)?.ToDictionary(kv => kv.Key, kv => kv.Value?.ToString() ?? "") ?? [];
        return requirements.All(r => r(labels));
    }

    private static HashSet<string> Values(string text) =>
        text.Trim()
            .TrimStart('(')
            .TrimEnd(')')
            .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .ToHashSet(StringComparer.Ordinal);

    private static IEnumerable<string> SplitTopLevel(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            depth +=
                text[i] == '(' ? 1
                : text[i] == ')' ? -1
                : 0;
            if (text[i] == ',' && depth == 0)
            {
                yield return text[start..i];
                start = i + 1;
            }
        }

        yield return text[start..];
    }
}

/// <summary>The field selectors clients use on lists and watches: metadata.name and metadata.namespace.</summary>
public sealed class FieldSelector
{
    private readonly List<(string Field, string Value, bool Equal)> terms = [];

    public static FieldSelector Parse(string? text)
    {
        var selector = new FieldSelector();
        foreach (var term in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var notEqual = term.IndexOf("!=", StringComparison.Ordinal);
            if (notEqual > 0)
            {
                selector.terms.Add((term[..notEqual], term[(notEqual + 2)..], false));
                continue;
            }

            var eq = term.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw ApiException.BadRequest($"invalid field selector: {term}");
            }

            var field = term[..eq];
            if (field is not ("metadata.name" or "metadata.namespace"))
            {
                throw ApiException.BadRequest($"field label not supported: {field}");
            }

            selector.terms.Add((field, term[(eq + 1)..].TrimStart('='), true));
        }

        return selector;
    }

    public bool Matches(JsonObject obj) =>
        terms.All(t =>
        {
            var actual = t.Field == "metadata.name" ? (string?)obj["metadata"]?["name"] : (string?)obj["metadata"]?["namespace"];
            return (actual == t.Value) == t.Equal;
        });
}
