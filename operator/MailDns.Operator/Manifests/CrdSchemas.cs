using System.Reflection;
using System.Text.Json.Nodes;

namespace MailDns.Operator.Manifests;

/// <summary>
/// The CustomResourceDefinitions shipped in crds/ (embedded in the executable): the single source of truth of
/// the API's schema.
/// </summary>
public sealed class CrdSchemas
{
    private readonly Dictionary<string, JsonObject> byKind;

    private CrdSchemas(Dictionary<string, JsonObject> byKind) => this.byKind = byKind;

    public static CrdSchemas Embedded { get; } = LoadEmbedded();

    public IReadOnlyCollection<string> Kinds => byKind.Keys;

    /// <summary>The whole CRD document for a kind, as JSON.</summary>
    public JsonObject Crd(string kind) => byKind[kind];

    public bool Knows(string kind) => byKind.ContainsKey(kind);

    /// <summary>The openAPIV3Schema of the (only) version of the kind.</summary>
    public JsonObject OpenApiSchema(string kind) => (JsonObject)byKind[kind]["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!;

    public static CrdSchemas FromDocuments(IEnumerable<ManifestDocument> docs) =>
        new(
            docs.Where(d => d.Kind == "CustomResourceDefinition" && d.Json is not null)
                .ToDictionary(d => (string)d.Json!["spec"]!["names"]!["kind"]!, d => d.Json!)
        );

    private static CrdSchemas LoadEmbedded()
    {
        var assembly = Assembly.GetExecutingAssembly();
        var docs = new List<ManifestDocument>();
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith("crds/", StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            var parsed = ManifestLoader.Parse(name, reader.ReadToEnd());
            if (parsed.FirstOrDefault(d => d.ParseError is not null) is { } broken)
            {
                // A broken embedded CRD is a build defect: fail loudly instead of treating the kind as unknown.
                throw new InvalidOperationException($"embedded {name}: {broken.ParseError}");
            }

            docs.AddRange(parsed);
        }

        return FromDocuments(docs);
    }
}
