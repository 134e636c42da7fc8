using System.IO.Compression;
using MailDns.Core.Reports;
using MimeKit;

namespace MailDns.Operator.Reports;

/// <summary>One report found in an input, with where it came from (file, and the attachment or archive entry).</summary>
public sealed record FoundReport(string Source, ReportSummary Summary, ReportOutcome Outcome = ReportOutcome.Parsed);

/// <summary>
/// Finds the reports in what arrives: XML or JSON as they are, gzip, zip, a MIME message (.eml) with the report as an
/// attachment (gzip or zip inside), or an mbox of such messages. The format is told by content, not by file name
/// (reporters name files freely). Every layer is bounded by the same uncompressed-size limit.
/// </summary>
public static class ReportReader
{
    public static IReadOnlyList<FoundReport> Read(string path, ReportLimits? limits = null, IReportSink? sink = null)
    {
        using var file = File.OpenRead(path);
        return Read(path, file, limits, sink);
    }

    /// <summary>The reports in a stream (a file, a fetched mail message, a POST body), each handed to the sink.</summary>
    public static IReadOnlyList<FoundReport> Read(string source, Stream stream, ReportLimits? limits = null, IReportSink? sink = null)
    {
        var context = new Context(limits ?? ReportLimits.Default, sink ?? DiscardingSink.Instance);
        var head = PeekedStream.Of(stream, 64);
        return IsMbox(head.Head) ? Mbox(source, head, context) : Detect(source, head, context).ToList();
    }

    private sealed record Context(ReportLimits Limits, IReportSink Sink);

    private static List<FoundReport> Mbox(string path, Stream stream, Context context)
    {
        var found = new List<FoundReport>();
        var parser = new MimeParser(stream, MimeFormat.Mbox);
        var index = 0;
        while (!parser.IsEndOfStream)
        {
            var message = parser.ParseMessage();
            index++;
            found.AddRange(Message($"{path} message {index}", message, context));
        }

        return found;
    }

    private static IEnumerable<FoundReport> Detect(string source, PeekedStream stream, Context context)
    {
        var head = stream.Head;
        if (head.Length >= 2 && head[0] == 0x1f && head[1] == 0x8b)
        {
            using var gzip = new LimitedStream(new GZipStream(stream, CompressionMode.Decompress), context.Limits.MaxBytes);
            return Guard(source, context, () => Detect(source, PeekedStream.Of(gzip, 64), context).ToList());
        }

        if (head.Length >= 4 && head[0] == (byte)'P' && head[1] == (byte)'K' && head[2] == 3 && head[3] == 4)
        {
            return Guard(source, context, () => Zip(source, stream, context));
        }

        var first = head.ToArray()
            .SkipWhile(b => b is 0xEF or 0xBB or 0xBF or (byte)' ' or (byte)'\r' or (byte)'\n' or (byte)'\t')
            .FirstOrDefault();
        var (limits, sink) = (context.Limits, context.Sink);
        return first switch
        {
            (byte)'<' =>
            [
                Leaf(source, context, () => AggregateReportParser.Parse(new LimitedStream(stream, limits.MaxBytes), limits, sink.Row)),
            ],
            (byte)'{' => [Leaf(source, context, () => TlsReportParser.Parse(new LimitedStream(stream, limits.MaxBytes), limits, sink.Tls))],
            _ when LooksLikeMime(head) => Guard(
                source,
                context,
                () => Message(source, MimeMessage.Load(new LimitedStream(stream, limits.MaxBytes)), context)
            ),
            _ =>
            [
                Leaf(
                    source,
                    context,
                    () => ReportSummary.Rejected(ReportKind.Aggregate, "neither XML, JSON, gzip, zip nor a mail message")
                ),
            ],
        };
    }

    /// <summary>One report read into the sink, from Begin to End; End says what became of it.</summary>
    private static FoundReport Leaf(string source, Context context, Func<ReportSummary> parse)
    {
        context.Sink.Begin(source);
        ReportSummary summary;
        try
        {
            summary = parse();
        }
        catch (Exception e) when (IsReadFailure(e))
        {
            summary = ReportSummary.Rejected(ReportKind.Aggregate, e.Message);
        }

        return new FoundReport(source, summary, context.Sink.End(summary));
    }

    private static List<FoundReport> Zip(string source, Stream stream, Context context)
    {
        var limits = context.Limits;
        // ZipArchive needs to seek; the archive itself is copied up to the limit, its entries are streamed.
        using var copy = new MemoryStream();
        new LimitedStream(stream, limits.MaxBytes).CopyTo(copy);
        copy.Position = 0;
        using var zip = new ZipArchive(copy, ZipArchiveMode.Read);
        var found = new List<FoundReport>();
        foreach (var entry in zip.Entries.Where(e => e.Length > 0))
        {
            using var content = new LimitedStream(entry.Open(), limits.MaxBytes);
            found.AddRange(Detect($"{source}!{entry.FullName}", PeekedStream.Of(content, 64), context));
        }

        return found;
    }

    private static List<FoundReport> Message(string source, MimeMessage message, Context context)
    {
        if (
            message.Body is MultipartReport { ReportType: var type } report
            && "feedback-report".Equals(type, StringComparison.OrdinalIgnoreCase)
        )
        {
            return [Leaf(source, context, () => FailureReportReader.Read(message, report, context.Sink.Failure))];
        }

        var found = new List<FoundReport>();
        foreach (
            var part in message.BodyParts.OfType<MimePart>().Where(p => p.Content is not null && !p.ContentType.IsMimeType("text", "plain"))
        )
        {
            using var content = new MemoryStream();
            part.Content!.DecodeTo(content);
            content.Position = 0;
            found.AddRange(Detect($"{source} ({part.FileName ?? part.ContentType.MimeType})", PeekedStream.Of(content, 64), context));
        }

        return found.Count > 0
            ? found
            : [Leaf(source, context, () => ReportSummary.Rejected(ReportKind.Aggregate, "the message carries no report attachment"))];
    }

    /// <summary>A limit broken or an archive that cannot be read rejects this input only, with the reason.</summary>
    private static List<FoundReport> Guard(string source, Context context, Func<List<FoundReport>> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (IsReadFailure(e))
        {
            return [Leaf(source, context, () => ReportSummary.Rejected(ReportKind.Aggregate, e.Message))];
        }
    }

    private static bool IsReadFailure(Exception e) => e is ReportFormatException or InvalidDataException or FormatException or IOException;

    private static bool IsMbox(ReadOnlySpan<byte> head) => head.Length >= 5 && head[..5].SequenceEqual("From "u8);

    /// <summary>A header line first ("Name: value"): a MIME message.</summary>
    private static bool LooksLikeMime(ReadOnlySpan<byte> head)
    {
        var colon = head.IndexOf((byte)':');
        return colon > 0 && head[..colon].ToArray().All(b => b is >= (byte)'!' and <= (byte)'~');
    }
}
