using System.Text.Json;
using System.Text.RegularExpressions;

namespace MailDns.Core.Publishing.Pulumi;

/// <summary>One step of a preview: what the engine would do to one resource.</summary>
public sealed record PulumiStep(string Op, string Urn)
{
    public string Type => Urn.Split("::") is { Length: >= 4 } parts ? parts[2] : "";

    public string Name => Urn.Split("::") is { Length: >= 4 } parts ? parts[3] : Urn;
}

/// <summary>What a run reported: changes by operation, resources that failed with their diagnostics, and errors.</summary>
public sealed record PulumiRunReport(
    IReadOnlyDictionary<string, int> Changes,
    IReadOnlyList<(string Urn, string Message)> FailedResources,
    IReadOnlyList<string> Errors,
    bool? Succeeded
)
{
    public int Count(string op) => Changes.TryGetValue(op, out var n) ? n : 0;
}

/// <summary>
/// Parsers for what the pulumi CLI prints with --json: the PreviewDigest of `preview --json` (one document) and
/// the engine events of `up --json` (one event per line, the same encoding as --event-log). Unknown fields and
/// event kinds are ignored, so newer CLIs parse too.
/// </summary>
public static partial class PulumiOutput
{
    public static (IReadOnlyList<PulumiStep> Steps, IReadOnlyDictionary<string, int> Summary, IReadOnlyList<string> Errors) ParsePreview(
        string json
    )
    {
        try
        {
            return ReadPreview(json);
        }
        catch (Exception e) when (IsUnreadable(e))
        {
            // Output this version cannot read (a future CLI, a truncated run) is an error to report, not a crash.
            return ([], new Dictionary<string, int>(), [$"pulumi preview --json printed output this operator cannot read: {e.Message}"]);
        }
    }

    /// <summary>How the JSON reader reports a document, or a field, that is not what it expects.</summary>
    private static bool IsUnreadable(Exception e) =>
        e is JsonException or InvalidOperationException or KeyNotFoundException or FormatException;

    private static (IReadOnlyList<PulumiStep> Steps, IReadOnlyDictionary<string, int> Summary, IReadOnlyList<string> Errors) ReadPreview(
        string json
    )
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        var steps =
            root.TryGetProperty("steps", out var s) && s.ValueKind == JsonValueKind.Array
                ? s.EnumerateArray()
                    .Select(e => new PulumiStep(e.GetProperty("op").GetString() ?? "", e.GetProperty("urn").GetString() ?? ""))
                    .ToList()
                : [];
        var summary =
            root.TryGetProperty("changeSummary", out var c) && c.ValueKind == JsonValueKind.Object
                ? c.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32())
                : [];
        var errors =
            root.TryGetProperty("diagnostics", out var d) && d.ValueKind == JsonValueKind.Array
                ? d.EnumerateArray()
                    .Where(e => e.TryGetProperty("severity", out var sev) && sev.GetString() == "error")
                    .Select(e => Clean(e.GetProperty("message").GetString()))
                    .ToList()
                : [];
        return (steps, summary, errors);
    }

    public static PulumiRunReport ParseEvents(IEnumerable<string> lines)
    {
        var changes = new Dictionary<string, int>(StringComparer.Ordinal);
        var failed = new List<(string, string)>();
        var errors = new List<string>();
        bool? succeeded = null;
        foreach (var line in lines.Where(l => l.TrimStart().StartsWith('{')))
        {
            JsonDocument doc;
            try
            {
                doc = JsonDocument.Parse(line);
            }
            catch (JsonException)
            {
                continue; // a partial last line from a killed run
            }

            using (doc)
            {
                try
                {
                    ReadEvent(doc.RootElement, changes, failed, errors, ref succeeded);
                }
                catch (Exception e) when (IsUnreadable(e))
                {
                    errors.Add($"an engine event this operator cannot read: {e.Message}");
                }
            }
        }

        return new PulumiRunReport(changes, failed, errors, succeeded ?? (failed.Count == 0 && errors.Count == 0 ? null : false));
    }

    private static void ReadEvent(
        JsonElement e,
        Dictionary<string, int> changes,
        List<(string, string)> failed,
        List<string> errors,
        ref bool? succeeded
    )
    {
        if (e.TryGetProperty("summaryEvent", out var summary))
        {
            if (summary.TryGetProperty("resourceChanges", out var rc) && rc.ValueKind == JsonValueKind.Object)
            {
                foreach (var p in rc.EnumerateObject())
                {
                    changes[p.Name] = p.Value.GetInt32();
                }
            }

            succeeded = summary.TryGetProperty("result", out var r) ? r.GetString() == "succeeded" : null;
        }
        else if (e.TryGetProperty("resOpFailedEvent", out var opFailed))
        {
            var urn = opFailed.GetProperty("metadata").GetProperty("urn").GetString() ?? "";
            if (!failed.Any(f => f.Item1 == urn))
            {
                failed.Add((urn, "")); // its diagnostic usually came first and is already recorded
            }
        }
        else if (
            e.TryGetProperty("diagnosticEvent", out var diag)
            && diag.TryGetProperty("severity", out var sev)
            && sev.GetString() == "error"
        )
        {
            var message = Clean(diag.GetProperty("message").GetString());
            var urn = diag.TryGetProperty("urn", out var u) ? u.GetString() : null;
            var index = urn is null ? -1 : failed.FindIndex(f => f.Item1 == urn);
            if (index >= 0)
            {
                failed[index] = (urn!, (failed[index].Item2 + " " + message).Trim());
            }
            else if (urn is not null)
            {
                failed.Add((urn, message));
            }
            else
            {
                errors.Add(message);
            }
        }
    }

    /// <summary>The CLI's documented exit codes (3.227+), as a reason a person can act on.</summary>
    public static string ExitReason(int code) =>
        code switch
        {
            0 => "succeeded",
            1 => "failed (generic error)",
            2 => "invalid configuration or flags",
            3 => "authentication failed: check the credentials Secret",
            4 => "a resource operation failed at the provider",
            5 => "a policy violation stopped the update",
            6 => "the stack was not found",
            7 => "changes were expected not to happen",
            8 => "the operation was cancelled",
            9 => "the operation timed out",
            _ => $"exited with code {code}",
        };

    /// <summary>Diagnostics carry colour markup such as &lt;{%fg 1%}&gt; and &lt;{%reset%}&gt;; people need the text.</summary>
    public static string Clean(string? message) => ColourMarkup().Replace(message ?? "", "").Trim();

    [GeneratedRegex("<\\{%[^%]*%\\}>")]
    private static partial Regex ColourMarkup();
}
