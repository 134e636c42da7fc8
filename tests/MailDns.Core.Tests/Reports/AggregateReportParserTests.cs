using System.Text;
using MailDns.Core.Reports;

namespace MailDns.Core.Tests.Reports;

/// <summary>DMARC aggregate reports as reporters send them (RFC 7489 Appendix C, RFC 9990 §3), and as they break.</summary>
public class AggregateReportParserTests
{
    public static string Report(string ns = "", string rows = "", string extraMetadata = "") =>
        $"""
            <?xml version="1.0" encoding="UTF-8"?>
            <feedback{(ns.Length > 0 ? $" xmlns=\"{ns}\"" : "")}>
              <version>1.0</version>
              <report_metadata>
                <org_name>google.com</org_name>
                <email>noreply-dmarc-support@google.com</email>
                <report_id>1234567890123456789</report_id>
                <date_range><begin>1764460800</begin><end>1764547199</end></date_range>{extraMetadata}
              </report_metadata>
              <policy_published><domain>Mail.Example.com</domain><p>quarantine</p><np>reject</np><testing>n</testing></policy_published>
              {rows}
            </feedback>
            """;

    public static string Row(int count, string dkim, string spf, string ip = "192.0.2.1") =>
        $"""
            <record>
              <row><source_ip>{ip}</source_ip><count>{count}</count>
                <policy_evaluated>
                  <disposition>none</disposition><dkim>{dkim}</dkim><spf>{spf}</spf><reason></reason>
                </policy_evaluated>
              </row>
              <identifiers><header_from>mail.example.com</header_from></identifiers>
              <auth_results>
                <dkim><domain>mail.example.com</domain><selector>ed20261201</selector><result>pass</result></dkim>
              </auth_results>
            </record>
            """;

    private static ReportSummary Parse(string xml, ReportLimits? limits = null) =>
        AggregateReportParser.Parse(new MemoryStream(Encoding.UTF8.GetBytes(xml)), limits);

    [Theory]
    [InlineData("")] // RFC 7489 Appendix C: no namespace
    [InlineData("urn:ietf:params:xml:ns:dmarc-2.0")] // RFC 9990
    public void A_report_gives_its_reporter_domain_period_and_the_messages_that_passed(string ns)
    {
        var summary = Parse(Report(ns, Row(10, "pass", "fail") + Row(5, "fail", "pass") + Row(3, "fail", "fail")));

        Assert.Null(summary.Error);
        Assert.Equal(("google.com", "1234567890123456789", "mail.example.com"), (summary.OrgName, summary.ReportId, summary.PolicyDomain));
        Assert.Equal(DateTimeOffset.Parse("2025-11-30T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture), summary.Begin);
        // RFC 7489 §6.6.2: a message passes DMARC when the aligned DKIM or the aligned SPF result passes.
        Assert.Equal((3L, 18L, 15L), (summary.Records!.Value, summary.Messages!.Value, summary.DmarcPass!.Value));
    }

    [Fact]
    public void Upper_case_results_and_empty_reason_elements_are_read_as_reporters_mean_them()
    {
        var summary = Parse(Report(rows: Row(7, "PASS", "FAIL")));

        Assert.Equal(7, summary.DmarcPass);
    }

    public static TheoryData<string, string, string> Broken =>
        new()
        {
            { "not XML", "this is not xml", "not well-formed XML" },
            { "another root", "<html><body/></html>", "not <feedback>" },
            {
                "no report id",
                Report().Replace("<report_id>1234567890123456789</report_id>", "<report_id></report_id>"),
                "report_metadata/report_id"
            },
            {
                "a count that is no number",
                Report(rows: Row(1, "pass", "pass").Replace("<count>1</count>", "<count>many</count>")),
                "count 'many'"
            },
            { "a bad begin", Report().Replace("<begin>1764460800</begin>", "<begin>yesterday</begin>"), "date_range/begin 'yesterday'" },
            {
                "an entity expansion bomb",
                "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;\">]><feedback>&lol2;</feedback>",
                "DTD"
            },
            { "a truncated file", Report(rows: Row(1, "pass", "pass"))[..300], "not well-formed XML" },
        };

    [Theory]
    [MemberData(nameof(Broken))]
    public void A_broken_report_is_rejected_with_the_reason_never_an_exception(string because, string xml, string reason)
    {
        var summary = Parse(xml);

        Assert.True(summary.Error?.Contains(reason, StringComparison.Ordinal) == true, $"{because}: {summary.Error}");
    }

    [Fact]
    public void A_report_over_the_row_limit_is_rejected_saying_so()
    {
        var rows = string.Concat(Enumerable.Repeat(Row(1, "pass", "pass"), 11));

        var summary = Parse(Report(rows: rows), new ReportLimits(MaxRows: 10));

        Assert.Equal("more than 10 rows: over the row limit", summary.Error);
    }

    [Fact]
    public void Reading_is_streaming_so_rows_beyond_memory_never_accumulate()
    {
        // 200,000 rows through a stream that is generated as it is read: nothing holds the document.
        var summary = AggregateReportParser.Parse(new GeneratedReport(200_000));

        Assert.Null(summary.Error);
        Assert.Equal((200_000L, 200_000L), (summary.Records!.Value, summary.Messages!.Value));
    }

    /// <summary>A report of N one-message rows, produced on demand.</summary>
    private sealed class GeneratedReport(int rows) : Stream
    {
        private readonly Queue<byte> pending = new(Encoding.UTF8.GetBytes(Report().Split("</feedback>")[0]));
        private int made;
        private bool closed;

        public override int Read(byte[] buffer, int offset, int count)
        {
            while (pending.Count < count && !closed)
            {
                var next = made < rows ? Row(1, "pass", "fail") : "</feedback>";
                closed = made++ >= rows;
                foreach (var b in Encoding.UTF8.GetBytes(next))
                {
                    pending.Enqueue(b);
                }
            }

            var n = 0;
            while (n < count && pending.Count > 0)
            {
                buffer[offset + n++] = pending.Dequeue();
            }

            return n;
        }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override void Flush() { }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
