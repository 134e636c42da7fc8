using System.Globalization;
using System.IO.Compression;
using System.Text;
using MimeKit;

namespace MailDns.Testing.Reports;

/// <summary>One row a test report carries: a source, its count, the aligned results and the signature receivers saw.</summary>
public sealed record TestRow(
    string Ip,
    long Count,
    bool DkimPass,
    bool SpfPass,
    string Selector = "ed20261101",
    string Disposition = "none"
);

/// <summary>
/// Reports as receivers send them, built by the tests: RFC 9990 aggregate XML, RFC 8460 TLS JSON, RFC 6591 failure
/// reports, gzipped or zipped and attached to mail messages the way Google, Yahoo and Microsoft send theirs.
/// </summary>
public static class ReportFiles
{
    public static string Aggregate(string org, string id, string domain, DateTimeOffset begin, IEnumerable<TestRow> rows)
    {
        var text = new StringBuilder();
        text.Append(
            CultureInfo.InvariantCulture,
            $"""
            <?xml version="1.0" encoding="UTF-8"?>
            <feedback xmlns="urn:ietf:params:xml:ns:dmarc-2.0">
              <report_metadata><org_name>{org}</org_name><email>dmarc@{org}</email><report_id>{id}</report_id>
                <date_range><begin>{begin.ToUnixTimeSeconds()}</begin><end>{begin.AddDays(1).ToUnixTimeSeconds() - 1}</end></date_range>
              </report_metadata>
              <policy_published><domain>{domain}</domain><p>none</p><np>reject</np><testing>n</testing></policy_published>

            """
        );
        foreach (var row in rows)
        {
            text.Append(
                CultureInfo.InvariantCulture,
                $"""
                  <record><row><source_ip>{row.Ip}</source_ip><count>{row.Count}</count><policy_evaluated>
                    <disposition>{row.Disposition}</disposition><dkim>{(row.DkimPass ? "pass" : "fail")}</dkim>
                    <spf>{(row.SpfPass ? "pass" : "fail")}</spf></policy_evaluated></row>
                    <identifiers><header_from>{domain}</header_from></identifiers>
                    <auth_results><dkim><domain>{domain}</domain><selector>{row.Selector}</selector>
                      <result>{(row.DkimPass ? "pass" : "fail")}</result></dkim>
                      <spf><domain>{domain}</domain><result>{(row.SpfPass ? "pass" : "softfail")}</result></spf></auth_results></record>

                """
            );
        }

        return text.Append("</feedback>\n").ToString();
    }

    public static string Tls(string org, string id, string domain, DateTimeOffset begin, long successful, long failed) =>
        $$"""
            {"organization-name":"{{org}}","report-id":"{{id}}","contact-info":"tlsrpt@{{org}}",
             "date-range":{"start-datetime":"{{Iso(begin)}}","end-datetime":"{{Iso(begin.AddDays(1).AddSeconds(-1))}}"},
             "policies":[{"policy":{"policy-type":"sts","policy-string":["version: STSv1","mode: enforce"],"policy-domain":"{{domain}}",
               "mx-host":["mx.{{domain}}"]},
               "summary":{"total-successful-session-count":{{successful}},"total-failure-session-count":{{failed}}},
               "failure-details":[{"result-type":"certificate-expired","sending-mta-ip":"203.0.113.9",
                 "receiving-mx-hostname":"mx.{{domain}}","failed-session-count":{{failed}}}]}]}
            """;

    /// <summary>An RFC 6591 failure report: the ARF fields, and the original headers (which the product must not keep).</summary>
    public static MimeMessage Failure(string reporter, string domain, string sourceIp, DateTimeOffset arrival)
    {
        var report = new MultipartReport("feedback-report")
        {
            new TextPart("plain") { Text = $"A message claiming to be from {domain} failed DMARC." },
            new MimePart("message", "feedback-report")
            {
                Content = new MimeContent(
                    new MemoryStream(
                        Encoding.ASCII.GetBytes(
                            $"Feedback-Type: auth-failure\r\nUser-Agent: {reporter}-arf/1.0\r\nVersion: 1\r\nAuth-Failure: dmarc\r\n"
                                + $"Source-IP: {sourceIp}\r\nReported-Domain: {domain}\r\nArrival-Date: {arrival:R}\r\n"
                                + $"Original-Mail-From: <victim@{domain}>\r\nOriginal-Rcpt-To: <someone@{reporter}>\r\n"
                                + $"DKIM-Domain: {domain}\r\nDKIM-Selector: ed20261101\r\nDelivery-Result: reject\r\n"
                        )
                    )
                ),
            },
            new MimePart("text", "rfc822-headers")
            {
                Content = new MimeContent(
                    new MemoryStream(Encoding.ASCII.GetBytes($"From: Someone <someone.private@{domain}>\r\nSubject: secret\r\n"))
                ),
            },
        };
        var message = new MimeMessage
        {
            Subject = $"Failure report for {domain}",
            Body = report,
            Date = arrival,
        };
        message.From.Add(new MailboxAddress("DMARC", $"ruf@{reporter}"));
        message.To.Add(new MailboxAddress("", $"ruf@{domain}"));
        message.MessageId = $"failure-{Guid.NewGuid():N}@{reporter}";
        return message;
    }

    /// <summary>A report mail: a text part and the attachment, as the big reporters send them.</summary>
    public static MimeMessage Mail(string subject, byte[] attachment, string fileName, string mediaType, string mediaSubtype)
    {
        var body = new Multipart("mixed")
        {
            new TextPart("plain") { Text = "This is an aggregate report." },
            new MimePart(mediaType, mediaSubtype)
            {
                Content = new MimeContent(new MemoryStream(attachment)),
                ContentDisposition = new ContentDisposition(ContentDisposition.Attachment),
                ContentTransferEncoding = ContentEncoding.Base64,
                FileName = fileName,
            },
        };
        var message = new MimeMessage { Subject = subject, Body = body };
        message.From.Add(new MailboxAddress("DMARC", "noreply-dmarc@reporter.example"));
        message.To.Add(new MailboxAddress("", "rua@example.com"));
        message.MessageId = $"{Guid.NewGuid():N}@reporter.example";
        return message;
    }

    public static MimeMessage GzipMail(string subject, string xml, string fileName) =>
        Mail(subject, Gzip(xml), fileName + ".xml.gz", "application", "gzip");

    public static MimeMessage ZipMail(string subject, string xml, string fileName) =>
        Mail(subject, Zip(fileName + ".xml", xml), fileName + ".zip", "application", "zip");

    public static byte[] Gzip(string text)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest))
        {
            gzip.Write(Encoding.UTF8.GetBytes(text));
        }

        return buffer.ToArray();
    }

    public static byte[] Zip(string name, string text)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create))
        {
            using var entry = zip.CreateEntry(name).Open();
            entry.Write(Encoding.UTF8.GetBytes(text));
        }

        return buffer.ToArray();
    }

    public static byte[] Bytes(MimeMessage message)
    {
        using var buffer = new MemoryStream();
        message.WriteTo(buffer);
        return buffer.ToArray();
    }

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
