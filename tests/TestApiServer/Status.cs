using System.Text.Json.Nodes;

namespace MailDns.TestApiServer;

/// <summary>A metav1.Status failure, thrown by the store and written by the HTTP layer.</summary>
public sealed class ApiException : Exception
{
    public ApiException(int code, string reason, string message, JsonObject? details = null)
        : base(message)
    {
        Code = code;
        Reason = reason;
        Details = details;
    }

    public int Code { get; }

    public string Reason { get; }

    public JsonObject? Details { get; }

    public JsonObject ToStatus() => Status.Failure(Code, Reason, Message, Details);

    public static ApiException NotFound(ResourceType type, string name) =>
        new(
            404,
            "NotFound",
            $"{type.QualifiedName} \"{name}\" not found",
            new JsonObject
            {
                ["name"] = name,
                ["group"] = type.Group,
                ["kind"] = type.Plural,
            }
        );

    public static ApiException Conflict(ResourceType type, string name, string why) =>
        new(
            409,
            "Conflict",
            $"Operation cannot be fulfilled on {type.QualifiedName} \"{name}\": {why}",
            new JsonObject
            {
                ["name"] = name,
                ["group"] = type.Group,
                ["kind"] = type.Plural,
            }
        );

    public static ApiException AlreadyExists(ResourceType type, string name) =>
        new(
            409,
            "AlreadyExists",
            $"{type.QualifiedName} \"{name}\" already exists",
            new JsonObject
            {
                ["name"] = name,
                ["group"] = type.Group,
                ["kind"] = type.Plural,
            }
        );

    public static ApiException BadRequest(string message) => new(400, "BadRequest", message);

    public static ApiException Invalid(
        ResourceType type,
        string name,
        IReadOnlyList<(string Field, string Message, string Reason)> causes
    ) =>
        new(
            422,
            "Invalid",
            $"{type.Kind}.{type.Group} \"{name}\" is invalid: {string.Join(", ", causes.Select(c => $"{c.Field}: {c.Message}"))}",
            new JsonObject
            {
                ["name"] = name,
                ["group"] = type.Group,
                ["kind"] = type.Kind,
                ["causes"] = new JsonArray(
                    causes
                        .Select(c =>
                            (JsonNode)
                                new JsonObject
                                {
                                    ["reason"] = c.Reason,
                                    ["message"] = c.Message,
                                    ["field"] = c.Field,
                                }
                        )
                        .ToArray()
                ),
            }
        );
}

public static class Status
{
    public static JsonObject Failure(int code, string reason, string message, JsonObject? details = null) =>
        new()
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = message,
            ["reason"] = reason,
            ["details"] = details?.DeepClone(),
            ["code"] = code,
        };

    public static JsonObject Success(string name, ResourceType type) =>
        new()
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Success",
            ["details"] = new JsonObject
            {
                ["name"] = name,
                ["group"] = type.Group,
                ["kind"] = type.Plural,
            },
        };
}
