using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using MailDns.Core.Reports;
using MailDns.Operator.Reports;
using MailDns.Testing;
using MimeKit;

namespace MailDns.Operator.Tests.Cli;

/// <summary>`maildns reports parse` on report files as they arrive: bare, gzipped, zipped, inside mail, in an mbox.</summary>
public class ReportsCommandTests
{
    private const string Xml = """
        <?xml version="1.0" encoding="UTF-8"?>
        <feedback xmlns="urn:ietf:params:xml:ns:dmarc-2.0">
          <report_metadata><org_name>Yahoo</org_name><report_id>r-1</report_id>
            <date_range><begin>1764460800</begin><end>1764547199</end></date_range></report_metadata>
          <policy_published><domain>mail.example.com</domain><p>reject</p></policy_published>
          <record><row><source_ip>192.0.2.1</source_ip><count>40</count>
            <policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>fail</spf></policy_evaluated></row>
            <identifiers><header_from>mail.example.com</header_from></identifiers></record>
          <record><row><source_ip>198.51.100.7</source_ip><count>2</count>
            <policy_evaluated><disposition>reject</disposition><dkim>fail</dkim><spf>fail</spf></policy_evaluated></row>
            <identifiers><header_from>mail.example.com</header_from></identifiers></record>
        </feedback>
        """;

    private const string Tls = """
        {"organization-name":"Google Inc.","date-range":{"start-datetime":"2026-11-30T00:00:00Z","end-datetime":"2026-11-30T23:59:59Z"},
         "contact-info":"smtp-tls-reporting@google.com","report-id":"2026-11-30T00:00:00Z_mail.example.com",
         "policies":[{"policy":{"policy-type":"sts","policy-domain":"mail.example.com"},
           "summary":{"total-successful-session-count":5326,"total-failure-session-count":303}}]}
        """;

    private static byte[] Gzip(string text)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest))
        {
            gzip.Write(Encoding.UTF8.GetBytes(text));
        }

        return buffer.ToArray();
    }

    private static byte[] Zip(string name, string text)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create))
        {
            using var entry = zip.CreateEntry(name).Open();
            entry.Write(Encoding.UTF8.GetBytes(text));
        }

        return buffer.ToArray();
    }

    /// <summary>A report mail as reporters send it: a text part and the report as an application/gzip attachment.</summary>
    private static MimeMessage Mail(string reportId)
    {
        var body = new BodyBuilder { TextBody = "This is an aggregate report from Yahoo." };
        body.Attachments.Add(
            $"yahoo!mail.example.com!{reportId}.xml.gz",
            Gzip(Xml.Replace("r-1", reportId)),
            new ContentType("application", "gzip")
        );
        return new MimeMessage(
            [new MailboxAddress("Yahoo", "dmarc@yahoo.com")],
            [new MailboxAddress("", "dmarc-reports@example.com")],
            $"Report Domain: mail.example.com Report-ID: {reportId}",
            body.ToMessageBody()
        );
    }

    [Fact]
    public void Every_form_a_report_arrives_in_gives_the_same_summary_in_the_documented_json()
    {
        using var dir = new TempDir();
        File.WriteAllText(Path.Combine(dir.Path, "a.xml"), Xml);
        File.WriteAllBytes(Path.Combine(dir.Path, "b.xml.gz"), Gzip(Xml));
        File.WriteAllBytes(Path.Combine(dir.Path, "c.zip"), Zip("report.xml", Xml));
        Mail("r-1").WriteTo(Path.Combine(dir.Path, "d.eml"));
        File.WriteAllBytes(Path.Combine(dir.Path, "e.json.gz"), Gzip(Tls));

        var result = MailDns.Testing.Cli.Run("reports", "parse", dir.Path, "--output", "json");

        Assert.True(result.Exit == 0, result.Out + result.Error);
        var reports = JsonNode.Parse(result.Out)!.AsArray();
        Assert.Equal(5, reports.Count);
        string[] contract =
        [
            "file",
            "kind",
            "orgName",
            "reportId",
            "policyDomain",
            "begin",
            "end",
            "records",
            "messages",
            "dmarcPass",
            "error",
        ];
        Assert.All(reports, r => Assert.Equal(contract, r!.AsObject().Select(p => p.Key)));
        foreach (var aggregate in reports.Take(4))
        {
            Assert.Equal("aggregate", (string?)aggregate!["kind"]);
            Assert.Equal(
                ("Yahoo", "r-1", "mail.example.com"),
                ((string?)aggregate["orgName"], (string?)aggregate["reportId"], (string?)aggregate["policyDomain"])
            );
            Assert.Equal(
                ("2025-11-30T00:00:00Z", 42L, 40L),
                ((string?)aggregate["begin"], (long)aggregate["messages"]!, (long)aggregate["dmarcPass"]!)
            );
            Assert.Null(aggregate["error"]);
        }

        var tls = reports[4]!;
        Assert.Equal(("tls", "mail.example.com", 5629L), ((string?)tls["kind"], (string?)tls["policyDomain"], (long)tls["messages"]!));
        Assert.Null(tls["dmarcPass"]);
    }

    [Fact]
    public void An_mbox_of_report_mails_gives_one_summary_per_message()
    {
        using var dir = new TempDir();
        var mbox = Path.Combine(dir.Path, "reports.mbox");
        using (var file = File.Create(mbox))
        {
            foreach (var id in new[] { "r-1", "r-2", "r-3" })
            {
                file.Write("From dmarc@yahoo.com Mon Nov 30 00:00:00 2026\n"u8);
                Mail(id).WriteTo(file);
                file.Write("\n"u8);
            }
        }

        var result = MailDns.Testing.Cli.Run("reports", "parse", mbox, "--output", "json");

        Assert.True(result.Exit == 0, result.Out + result.Error);
        Assert.Equal(["r-1", "r-2", "r-3"], JsonNode.Parse(result.Out)!.AsArray().Select(r => (string?)r!["reportId"]));
    }

    [Fact]
    public void A_broken_report_is_rejected_with_its_reason_and_the_others_still_parse_exit_1()
    {
        using var dir = new TempDir();
        File.WriteAllText(Path.Combine(dir.Path, "good.xml"), Xml);
        File.WriteAllBytes(Path.Combine(dir.Path, "truncated.xml.gz"), Gzip(Xml)[..60]);

        var result = MailDns.Testing.Cli.Run("reports", "parse", dir.Path);

        Assert.Equal(1, result.Exit);
        Assert.Contains("good.xml: aggregate report r-1 from Yahoo for mail.example.com", result.Out);
        Assert.Contains("truncated.xml.gz: REJECTED:", result.Out);
        Assert.Equal(2, MailDns.Testing.Cli.Run("reports", "parse", Path.Combine(dir.Path, "missing.xml")).Exit);
    }

    [Fact]
    public void A_decompression_bomb_is_stopped_at_the_size_limit_with_a_clear_error()
    {
        using var dir = new TempDir();
        var bomb = Path.Combine(dir.Path, "bomb.xml.gz");
        // 20 MB of one byte after an XML head: a few kilobytes compressed.
        File.WriteAllBytes(bomb, Gzip("<feedback><report_metadata><org_name>" + new string('a', 20_000_000)));

        var found = Assert.Single(ReportReader.Read(bomb, new ReportLimits(MaxBytes: 1_000_000)));

        Assert.Contains("over the size limit", found.Summary.Error, StringComparison.Ordinal);
        Assert.True(new FileInfo(bomb).Length < 200_000, "a hundredth of what it unpacks to, or less");
    }
}
