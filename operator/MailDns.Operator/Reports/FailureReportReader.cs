using System.Globalization;
using MailDns.Core.Reports;
using MimeKit;
using MimeKit.Utils;

namespace MailDns.Operator.Reports;

/// <summary>
/// DMARC failure reports (RFC 6591 in the ARF format of RFC 5965, profiled by RFC 9991): the machine-readable
/// `message/feedback-report` part only. The original message or its headers (the third part) is never read: it is
/// personal data, and the metadata is what tells a sender which source failed and why.
/// </summary>
public static class FailureReportReader
{
    public static ReportSummary Read(MimeMessage message, MultipartReport report, Action<FailureReportFacts> onFacts)
    {
        var part = report.OfType<MimeEntity>().FirstOrDefault(p => p.ContentType.IsMimeType("message", "feedback-report"));
        if (part is null)
        {
            return ReportSummary.Rejected(ReportKind.Failure, "a feedback report without its message/feedback-report part (RFC 5965 §2)");
        }

        var fields = Fields(part);
        string? Field(string name) => fields.TryGetValue(name, out var value) && value.Length > 0 ? value : null;
        var reportedDomain = Field("Reported-Domain")?.TrimEnd('.').ToLowerInvariant();
        var feedbackType = Field("Feedback-Type")?.ToLowerInvariant();
        if (feedbackType is null || reportedDomain is null)
        {
            return ReportSummary.Rejected(
                ReportKind.Failure,
                "Feedback-Type and Reported-Domain are required (RFC 5965 §3.1, RFC 6591 §3.1)"
            );
        }

        var arrival =
            Field("Arrival-Date") is { } date && DateUtils.TryParse(date, out var parsed)
                ? parsed.ToUniversalTime()
                : (DateTimeOffset?)null;
        var incidents = long.TryParse(Field("Incidents"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 1;
        onFacts(
            new FailureReportFacts(
                feedbackType,
                Field("Auth-Failure")?.ToLowerInvariant(),
                Field("Source-IP"),
                reportedDomain,
                arrival,
                Field("DKIM-Domain")?.TrimEnd('.').ToLowerInvariant(),
                Field("DKIM-Selector")?.ToLowerInvariant(),
                Field("Delivery-Result")?.ToLowerInvariant()
            )
        );
        var reporter = message.From.Mailboxes.FirstOrDefault()?.Domain?.ToLowerInvariant() ?? Field("User-Agent") ?? "unknown";
        var time = arrival ?? (message.Date == DateTimeOffset.MinValue ? null : message.Date.ToUniversalTime());
        return new ReportSummary(ReportKind.Failure, reporter, message.MessageId ?? "", reportedDomain, time, time, 1, incidents, null);
    }

    /// <summary>The report's fields (RFC 5965 §3.1 syntax is that of header fields), first of each name.</summary>
    private static Dictionary<string, string> Fields(MimeEntity part)
    {
        using var content = new MemoryStream();
        switch (part)
        {
            case MimePart { Content: { } body }:
                body.DecodeTo(content);
                break;
            default:
                part.WriteTo(content, contentOnly: true);
                break;
        }

        content.Position = 0;
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var header in HeaderList.Load(content))
        {
            fields.TryAdd(header.Field, header.Value.Trim());
        }

        return fields;
    }
}
