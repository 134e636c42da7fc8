using System.Text.Json;

namespace MailDns.Core.Reports;

/// <summary>
/// SMTP TLS reports (RFC 8460 §4): organization-name, report-id, date-range, and per policy its policy-domain and
/// session counts. Read with <see cref="Utf8JsonReader"/> through <see cref="JsonDocument"/> bounded by the limits;
/// TLS reports are small (one row per policy), so a document is fine once its size is capped.
/// </summary>
public static class TlsReportParser
{
    public static ReportSummary Parse(Stream json, ReportLimits? limits = null, Action<TlsPolicyResult>? onPolicy = null)
    {
        limits ??= ReportLimits.Default;
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 32 });
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return ReportSummary.Rejected(ReportKind.Tls, "the document is not a JSON object: not a TLS report");
            }

            var org = String(root, "organization-name");
            var id = String(root, "report-id");
            var range = root.TryGetProperty("date-range", out var r) && r.ValueKind == JsonValueKind.Object ? r : default;
            var policies =
                root.TryGetProperty("policies", out var p) && p.ValueKind == JsonValueKind.Array ? p.EnumerateArray().ToList() : [];
            if (org is null || id is null || policies.Count == 0)
            {
                return ReportSummary.Rejected(ReportKind.Tls, "organization-name, report-id and policies are required (RFC 8460 §4.3)");
            }

            if (policies.Count > limits.MaxRows)
            {
                return ReportSummary.Rejected(ReportKind.Tls, $"more than {limits.MaxRows:N0} policies: over the row limit");
            }

            long sessions = 0;
            string? domain = null;
            var results = new List<TlsPolicyResult>();
            foreach (var policy in policies)
            {
                var pol = policy.TryGetProperty("policy", out var p2) && p2.ValueKind == JsonValueKind.Object ? p2 : default;
                var policyDomain =
                    pol.ValueKind == JsonValueKind.Object ? String(pol, "policy-domain")?.TrimEnd('.').ToLowerInvariant() : null;
                if (policyDomain is null)
                {
                    return ReportSummary.Rejected(ReportKind.Tls, "a policy without policy/policy-domain (RFC 8460 §4.3)");
                }

                domain ??= policyDomain;
                var summary = policy.TryGetProperty("summary", out var s2) && s2.ValueKind == JsonValueKind.Object ? s2 : default;
                var (ok, failed) =
                    summary.ValueKind == JsonValueKind.Object
                        ? (Count(summary, "total-successful-session-count"), Count(summary, "total-failure-session-count"))
                        : (0, 0);
                sessions += ok + failed;
                results.Add(new TlsPolicyResult(String(pol, "policy-type") ?? "unknown", policyDomain, ok, failed, Failures(policy)));
            }

            foreach (var result in results)
            {
                onPolicy?.Invoke(result);
            }

            return new ReportSummary(
                ReportKind.Tls,
                org,
                id,
                domain,
                range.ValueKind == JsonValueKind.Object ? Time(range, "start-datetime") : null,
                range.ValueKind == JsonValueKind.Object ? Time(range, "end-datetime") : null,
                policies.Count,
                sessions,
                null
            );
        }
        catch (JsonException e)
        {
            return ReportSummary.Rejected(ReportKind.Tls, $"not valid JSON at line {e.LineNumber + 1}: {e.Message}");
        }
        catch (InvalidOperationException e)
        {
            // A value of the wrong JSON type, or text that is not UTF-8 (RFC 8460 §4 reports are I-JSON): found by fuzzing.
            return ReportSummary.Rejected(ReportKind.Tls, $"not a valid TLS report: {e.Message}");
        }
    }

    private static List<TlsFailureDetail> Failures(JsonElement policy) =>
        policy.TryGetProperty("failure-details", out var details) && details.ValueKind == JsonValueKind.Array
            ? details
                .EnumerateArray()
                .Where(d => d.ValueKind == JsonValueKind.Object)
                .Select(d => new TlsFailureDetail(
                    String(d, "result-type") ?? "unknown",
                    String(d, "sending-mta-ip"),
                    String(d, "receiving-mx-hostname")?.TrimEnd('.').ToLowerInvariant(),
                    Count(d, "failed-session-count")
                ))
                .ToList()
            : [];

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } s
            ? s
            : null;

    private static long Count(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n) && n >= 0
            ? n
            : 0;

    private static DateTimeOffset? Time(JsonElement element, string name) =>
        String(element, name) is { } text
        && DateTimeOffset.TryParse(
            text,
            System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal,
            out var t
        )
            ? t.ToUniversalTime()
            : null;
}
