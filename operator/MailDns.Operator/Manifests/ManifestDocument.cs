using System.Text.Json.Nodes;

namespace MailDns.Operator.Manifests;

/// <summary>One YAML document of a manifest file: its JSON form, or why it could not be read.</summary>
public sealed record ManifestDocument(string File, int Index, int Line, JsonObject? Json, string? ParseError)
{
    /// <summary>The line of each field in the file, by finding path.</summary>
    public IReadOnlyDictionary<string, int> Lines { get; init; } = new Dictionary<string, int>();

    /// <summary>The line a finding points at: its field, else the nearest enclosing field that exists, else the document.</summary>
    public int LineOf(string? path)
    {
        for (var p = path; !string.IsNullOrEmpty(p); p = Parent(p))
        {
            if (Lines.TryGetValue(p, out var line))
            {
                return line;
            }
        }

        return Line;
    }

    private static string Parent(string path)
    {
        var cut = Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
        return cut <= 0 ? "" : path[..cut];
    }

    public string? ApiVersion =>
        Json?["apiVersion"]?.GetValueKind() == System.Text.Json.JsonValueKind.String ? (string?)Json["apiVersion"] : null;

    public string? Kind => Json?["kind"]?.GetValueKind() == System.Text.Json.JsonValueKind.String ? (string?)Json["kind"] : null;

    public string? Name =>
        Json?["metadata"]?["name"]?.GetValueKind() == System.Text.Json.JsonValueKind.String ? (string?)Json["metadata"]!["name"] : null;

    public string Namespace =>
        Json?["metadata"]?["namespace"]?.GetValueKind() == System.Text.Json.JsonValueKind.String
            ? (string)Json["metadata"]!["namespace"]!
            : "default";
}
