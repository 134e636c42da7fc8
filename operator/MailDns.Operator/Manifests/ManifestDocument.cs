using System.Text.Json.Nodes;

namespace MailDns.Operator.Manifests;

/// <summary>One YAML document of a manifest file: its JSON form, or why it could not be read.</summary>
public sealed record ManifestDocument(string File, int Index, int Line, JsonObject? Json, string? ParseError)
{
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
