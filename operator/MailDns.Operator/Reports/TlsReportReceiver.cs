using System.Net.Http.Headers;
using MailDns.Core.Reports;

namespace MailDns.Operator.Reports;

/// <summary>What the HTTPS endpoint answers: the status code, a short text for the reporter, and what happened.</summary>
public sealed record ReceiveResult(int StatusCode, string Text, ReportOutcome? Outcome = null);

/// <summary>
/// A TLS report POSTed over HTTPS (RFC 8460 §3): `application/tlsrpt+gzip` or `application/tlsrpt+json`, one report per
/// request. A stored report is 201 and one already held is 200 (a retry after a lost answer is not an error); anything
/// else is a 4xx naming the rule, and a store that cannot be written is 503 with Retry-After, so the reporter retries
/// (RFC 8460 §3: codes other than 2xx may be retried). Nothing of the body is echoed back.
/// </summary>
public sealed class TlsReportReceiver(Func<CancellationToken, Task<ReportStore?>> store, TimeProvider time, ReportLimits limits)
{
    public const string GzipType = "application/tlsrpt+gzip";
    public const string JsonType = "application/tlsrpt+json";

    /// <summary>Raised for every POST whose body was read as a report, with what became of it (metrics, refresh).</summary>
    public event Action<ReportOutcome>? Received;

    /// <summary>One POST, its body already read within the listener's size limit (Kestrel allows no synchronous reads).</summary>
    public async Task<ReceiveResult> ReceiveAsync(string? contentType, byte[] body, string client, CancellationToken cancellationToken)
    {
        var mediaType = MediaTypeHeaderValue.TryParse(contentType, out var parsed) ? parsed.MediaType?.ToLowerInvariant() : null;
        if (mediaType is not (GzipType or JsonType))
        {
            return new ReceiveResult(415, $"Content-Type must be {GzipType} or {JsonType} (RFC 8460 §3)");
        }

        var target = await store(cancellationToken);
        if (target is null)
        {
            return new ReceiveResult(503, "this replica cannot write the report store now; retry later");
        }

        var gzipped = body is [0x1f, 0x8b, ..];
        if (gzipped != (mediaType == GzipType))
        {
            return new ReceiveResult(400, $"the body does not match {mediaType}: it is {(gzipped ? "" : "not ")}gzip");
        }

        // Read once without storing to learn what the body is: only a TLS report may reach the store from here.
        var source = $"https POST from {client}";
        var result = ReportReader.Read(source, new MemoryStream(body, writable: false), limits) switch
        {
            [{ Summary.Error: { } error }] => new ReceiveResult(400, $"the report was not accepted: {error}", ReportOutcome.Rejected),
            [{ Summary.Kind: not ReportKind.Tls }] => new ReceiveResult(
                400,
                "the body is not a TLS report (RFC 8460 §4)",
                ReportOutcome.Rejected
            ),
            [_] => null,
            _ => new ReceiveResult(400, "the body must hold exactly one TLS report", ReportOutcome.Rejected),
        };
        if (result is null)
        {
            using var sink = target.BeginImport(time.GetUtcNow());
            var stored = ReportReader.Read(source, new MemoryStream(body, writable: false), limits, sink);
            result = stored switch
            {
                [{ Outcome: ReportOutcome.Stored }] => new ReceiveResult(201, "report stored", ReportOutcome.Stored),
                [{ Outcome: ReportOutcome.Duplicate }] => new ReceiveResult(200, "report already received", ReportOutcome.Duplicate),
                _ => new ReceiveResult(400, "the report was not accepted", ReportOutcome.Rejected),
            };
        }

        Received?.Invoke(result.Outcome!.Value);
        return result;
    }
}
