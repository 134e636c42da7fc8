using MailDns.Core.Bimi;
using MailDns.Core.Findings;
using MailDns.Core.MtaSts;
using MailDns.Core.TlsRpt;

namespace MailDns.Core.Tests.TagRecords;

public class TagRecordLinterTests
{
    public static TheoryData<string, string, string, string, Severity> Rules =>
        new()
        {
            { "MTA-STS needs v=STSv1 first", "mta-sts", "id=1; v=STSv1", "mta-sts.not-mta-sts", Severity.Error },
            { "MTA-STS needs an id", "mta-sts", "v=STSv1;", "mta-sts.missing-id", Severity.Error },
            { "an MTA-STS id is at most 32 alphanumerics", "mta-sts", "v=STSv1; id=2026-11-01", "mta-sts.invalid-id", Severity.Error },
            { "MTA-STS extension tags are ignored", "mta-sts", "v=STSv1; id=1; ext=1", "mta-sts.unknown-tag", Severity.Info },
            { "a duplicate MTA-STS tag is an error", "mta-sts", "v=STSv1; id=1; id=2", "mta-sts.duplicate-tag", Severity.Error },
            { "TLS-RPT needs v=TLSRPTv1 first", "tls-rpt", "rua=mailto:a@example.com", "tls-rpt.not-tls-rpt", Severity.Error },
            { "TLS-RPT needs rua", "tls-rpt", "v=TLSRPTv1", "tls-rpt.missing-rua", Severity.Error },
            { "TLS-RPT rua is mailto or https", "tls-rpt", "v=TLSRPTv1; rua=http://example.com/r", "tls-rpt.invalid-uri", Severity.Error },
            { "TLS-RPT has no size suffix", "tls-rpt", "v=TLSRPTv1; rua=mailto:a@example.com!10m", "tls-rpt.invalid-uri", Severity.Error },
            { "BIMI needs v=BIMI1 first", "bimi", "l=https://example.com/l.svg", "bimi.not-bimi", Severity.Error },
            { "BIMI needs l", "bimi", "v=BIMI1; a=https://example.com/v.pem", "bimi.missing-logo", Severity.Error },
            { "an empty l declines", "bimi", "v=BIMI1; l=", "bimi.declined", Severity.Info },
            {
                "the logo must be https",
                "bimi",
                "v=BIMI1; l=http://example.com/l.svg; a=https://example.com/v.pem",
                "bimi.logo-not-https",
                Severity.Error
            },
            {
                "the logo should be SVG",
                "bimi",
                "v=BIMI1; l=https://example.com/l.png; a=https://example.com/v.pem",
                "bimi.logo-not-svg",
                Severity.Warning
            },
            {
                "the authority must be https",
                "bimi",
                "v=BIMI1; l=https://example.com/l.svg; a=ftp://example.com/v.pem",
                "bimi.authority-not-https",
                Severity.Error
            },
            {
                "no authority limits where the logo shows",
                "bimi",
                "v=BIMI1; l=https://example.com/l.svg",
                "bimi.no-authority",
                Severity.Warning
            },
        };

    [Theory]
    [MemberData(nameof(Rules))]
    public void Each_rule_reports_its_stable_code_and_severity(string because, string kind, string record, string code, Severity severity)
    {
        var findings = kind switch
        {
            "mta-sts" => MtaStsLinter.Lint(record).Findings,
            "tls-rpt" => TlsRptLinter.Lint(record).Findings,
            _ => BimiLinter.Lint(record).Findings,
        };

        var finding = Assert.Single(findings, f => f.Code == code);
        Assert.True(finding.Severity == severity, because);
    }

    [Theory]
    [InlineData("mta-sts", "v=STSv1; id=20261101T000000")]
    [InlineData("tls-rpt", "v=TLSRPTv1; rua=mailto:tls@example.com,https://tls.example.net/v1")]
    [InlineData("bimi", "v=BIMI1; l=https://example.com/logo.svg; a=https://example.com/vmc.pem")]
    public void Valid_records_have_no_findings_above_info(string kind, string record)
    {
        var findings = kind switch
        {
            "mta-sts" => MtaStsLinter.Lint(record).Findings,
            "tls-rpt" => TlsRptLinter.Lint(record).Findings,
            _ => BimiLinter.Lint(record).Findings,
        };

        Assert.All(findings, f => Assert.Equal(Severity.Info, f.Severity));
    }
}
