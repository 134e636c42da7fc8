using System.IO.Compression;
using MailDns.Core.Reports;
using MimeKit;

namespace MailDns.Operator.Reports;

/// <summary>One report found in an input, with where it came from (file, and the attachment or archive entry).</summary>
public sealed record FoundReport(string Source, ReportSummary Summary);

/// <summary>
/// Finds the reports in what arrives: XML or JSON as they are, gzip, zip, a MIME message (.eml) with the report as an
/// attachment (gzip or zip inside), or an mbox of such messages. The format is told by content, not by file name
/// (reporters name files freely). Every layer is bounded by the same uncompressed-size limit.
/// </summary>
public static class ReportReader
{
    public static IEnumerable<FoundReport> Read(string path, ReportLimits? limits = null)
    {
        limits ??= ReportLimits.Default;
        using var file = File.OpenRead(path);
        var head = PeekedStream.Of(file, 64);
        return IsMbox(head.Head) ? Mbox(path, head, limits) : Detect(path, head, limits).ToList();
    }

    private static List<FoundReport> Mbox(string path, Stream stream, ReportLimits limits)
    {
        var found = new List<FoundReport>();
        var parser = new MimeParser(stream, MimeFormat.Mbox);
        var index = 0;
        while (!parser.IsEndOfStream)
        {
            var message = parser.ParseMessage();
            index++;
            found.AddRange(Message($"{path} message {index}", message, limits));
        }

        return found;
    }

    private static IEnumerable<FoundReport> Detect(string source, PeekedStream stream, ReportLimits limits)
    {
        var head = stream.Head;
        if (head.Length >= 2 && head[0] == 0x1f && head[1] == 0x8b)
        {
            using var gzip = new LimitedStream(new GZipStream(stream, CompressionMode.Decompress), limits.MaxBytes);
            return Guard(source, () => Detect(source, PeekedStream.Of(gzip, 64), limits).ToList());
        }

        if (head.Length >= 4 && head[0] == (byte)'P' && head[1] == (byte)'K' && head[2] == 3 && head[3] == 4)
        {
            return Guard(source, () => Zip(source, stream, limits));
        }

        var first = head.ToArray()
            .SkipWhile(b => b is 0xEF or 0xBB or 0xBF or (byte)' ' or (byte)'\r' or (byte)'\n' or (byte)'\t')
            .FirstOrDefault();
        return first switch
        {
            (byte)'<' => [new FoundReport(source, AggregateReportParser.Parse(new LimitedStream(stream, limits.MaxBytes), limits))],
            (byte)'{' => [new FoundReport(source, TlsReportParser.Parse(new LimitedStream(stream, limits.MaxBytes), limits))],
            _ when LooksLikeMime(head) => Guard(
                source,
                () => Message(source, MimeMessage.Load(new LimitedStream(stream, limits.MaxBytes)), limits)
            ),
            _ => [new FoundReport(source, ReportSummary.Rejected(ReportKind.Aggregate, "neither XML, JSON, gzip, zip nor a mail message"))],
        };
    }

    private static List<FoundReport> Zip(string source, Stream stream, ReportLimits limits)
    {
        // ZipArchive needs to seek; the archive itself is copied up to the limit, its entries are streamed.
        using var copy = new MemoryStream();
        new LimitedStream(stream, limits.MaxBytes).CopyTo(copy);
        copy.Position = 0;
        using var zip = new ZipArchive(copy, ZipArchiveMode.Read);
        var found = new List<FoundReport>();
        foreach (var entry in zip.Entries.Where(e => e.Length > 0))
        {
            using var content = new LimitedStream(entry.Open(), limits.MaxBytes);
            found.AddRange(Detect($"{source}!{entry.FullName}", PeekedStream.Of(content, 64), limits));
        }

        return found;
    }

    private static List<FoundReport> Message(string source, MimeMessage message, ReportLimits limits)
    {
        var found = new List<FoundReport>();
        foreach (
            var part in message.BodyParts.OfType<MimePart>().Where(p => p.Content is not null && !p.ContentType.IsMimeType("text", "plain"))
        )
        {
            using var content = new MemoryStream();
            part.Content!.DecodeTo(content);
            content.Position = 0;
            found.AddRange(Detect($"{source} ({part.FileName ?? part.ContentType.MimeType})", PeekedStream.Of(content, 64), limits));
        }

        return found.Count > 0
            ? found
            : [new FoundReport(source, ReportSummary.Rejected(ReportKind.Aggregate, "the message carries no report attachment"))];
    }

    /// <summary>A limit broken or an archive that cannot be read rejects this input only, with the reason.</summary>
    private static List<FoundReport> Guard(string source, Func<List<FoundReport>> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is ReportFormatException or InvalidDataException or FormatException or IOException)
        {
            return [new FoundReport(source, ReportSummary.Rejected(ReportKind.Aggregate, e.Message))];
        }
    }

    private static bool IsMbox(ReadOnlySpan<byte> head) => head.Length >= 5 && head[..5].SequenceEqual("From "u8);

    /// <summary>A header line first ("Name: value"): a MIME message.</summary>
    private static bool LooksLikeMime(ReadOnlySpan<byte> head)
    {
        var colon = head.IndexOf((byte)':');
        return colon > 0 && head[..colon].ToArray().All(b => b is >= (byte)'!' and <= (byte)'~');
    }
}
