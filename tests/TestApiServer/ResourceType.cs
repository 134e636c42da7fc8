using System.Text.Json.Nodes;

namespace MailDns.TestApiServer;

/// <summary>A kind the server serves: built in, or added by a CustomResourceDefinition.</summary>
public sealed record ResourceType(
    string Group,
    string Version,
    string Kind,
    string Plural,
    string Singular,
    bool Namespaced,
    IReadOnlyList<string> ShortNames,
    IReadOnlyList<string> Categories,
    bool HasStatus,
    JsonObject? Schema = null,
    JsonArray? PrinterColumns = null
)
{
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    public string GroupVersion => ApiVersion;

    /// <summary>Custom resources get generation tracking and schema validation.</summary>
    public bool IsCustom => Schema is not null;

    public string Key => $"{Group}/{Version}/{Plural}";

    public string QualifiedName => Group.Length == 0 ? Plural : $"{Plural}.{Group}";
}

public static class BuiltIns
{
    public static IReadOnlyList<ResourceType> All { get; } =
    [
        new("", "v1", "Namespace", "namespaces", "namespace", false, ["ns"], [], true),
        new("", "v1", "Secret", "secrets", "secret", true, [], [], false),
        new("", "v1", "ConfigMap", "configmaps", "configmap", true, ["cm"], [], false),
        new("", "v1", "Event", "events", "event", true, ["ev"], [], false),
        new("events.k8s.io", "v1", "Event", "events", "event", true, ["ev"], [], false),
        new("coordination.k8s.io", "v1", "Lease", "leases", "lease", true, [], [], false),
        new(
            "apiextensions.k8s.io",
            "v1",
            "CustomResourceDefinition",
            "customresourcedefinitions",
            "customresourcedefinition",
            false,
            ["crd", "crds"],
            [],
            true
        ),
    ];
}
