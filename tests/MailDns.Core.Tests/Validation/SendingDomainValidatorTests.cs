using MailDns.Core.Api;
using MailDns.Core.Findings;
using MailDns.Core.Validation;
using MailDns.Testing;

namespace MailDns.Core.Tests.Validation;

public class SendingDomainValidatorTests
{
    [Fact]
    public void The_reference_spec_is_valid_without_warnings()
    {
        var findings = SendingDomainValidator.Validate(Specs.Valid(), new DnsProviderSpec { Zone = "example.com" });

        Assert.DoesNotContain(findings, f => f.Severity != Severity.Info);
    }

    public static TheoryData<string, Action<SendingDomainSpec>, string, string, Severity> Rules =>
        new()
        {
            { "an upper-case domain is refused", s => s.Domain = "Mail.Example.com", "domain.invalid", "spec.domain", Severity.Error },
            { "a single-label domain is refused", s => s.Domain = "localhost", "domain.invalid", "spec.domain", Severity.Error },
            {
                "a domain outside the provider's zone is refused",
                s => s.Domain = "mail.example.org",
                "domain.not-in-zone",
                "spec.domain",
                Severity.Error
            },
            {
                "a missing provider name is refused",
                s => s.ProviderRef = new ProviderRef(),
                "provider-ref.missing",
                "spec.providerRef.name",
                Severity.Error
            },
            {
                "an unknown provider kind is refused",
                s => s.ProviderRef.Kind = "Route53",
                "provider-ref.invalid-kind",
                "spec.providerRef.kind",
                Severity.Error
            },
            { "a ttl below 60 is refused", s => s.Ttl = 30, "ttl.out-of-range", "spec.ttl", Severity.Error },
            { "+all is refused", s => s.Spf!.All = "pass", "spf.pass-all", "spec.spf.all", Severity.Error },
            { "an unknown all value is refused", s => s.Spf!.All = "maybe", "spf.invalid-all", "spec.spf.all", Severity.Error },
            { "a bad IPv4 range is refused", s => s.Spf!.Ip4 = ["192.0.2.0/40"], "spf.invalid-ip4", "spec.spf.ip4[0]", Severity.Error },
            {
                "ip4 0.0.0.0/0 authorises the whole Internet, like all: pass (RFC 7208 §5.6)",
                s => s.Spf!.Ip4 = ["192.0.2.0/24", "0.0.0.0/0"],
                "spf.world-network",
                "spec.spf.ip4[1]",
                Severity.Error
            },
            {
                "ip6 ::/0 authorises the whole Internet, like all: pass (RFC 7208 §5.6)",
                s => s.Spf!.Ip6 = ["::/0"],
                "spf.world-network",
                "spec.spf.ip6[0]",
                Severity.Error
            },
            { "a bad IPv6 address is refused", s => s.Spf!.Ip6 = ["2001:db8::g"], "spf.invalid-ip6", "spec.spf.ip6[0]", Severity.Error },
            {
                "an include that is not a domain is refused",
                s => s.Spf!.Include = ["not a domain"],
                "spf.invalid-include",
                "spec.spf.include[0]",
                Severity.Error
            },
            {
                "a repeated include is flagged",
                s => s.Spf!.Include = ["a.example.net", "a.example.net"],
                "spf.duplicate-include",
                "spec.spf.include",
                Severity.Warning
            },
            {
                "more than ten lookups in the record are refused",
                s =>
                    s.Spf = new SpfSpec
                    {
                        A = true,
                        Mx = true,
                        Include = Enumerable.Range(1, 9).Select(i => $"s{i}.example.net").ToList(),
                    },
                "spf.lookup-budget",
                "spec.spf",
                Severity.Error
            },
            {
                "an SPF record that authorises nothing is flagged",
                s => s.Spf = new SpfSpec(),
                "spf.authorises-nothing",
                "spec.spf",
                Severity.Warning
            },
            { "an empty series list is refused", s => s.Dkim!.Series = [], "dkim.no-series", "spec.dkim.series", Severity.Error },
            {
                "more than four series are refused",
                s => s.Dkim!.Series = Enumerable.Range(1, 5).Select(i => new DkimSeriesSpec { SelectorPrefix = $"s{i}x" }).ToList(),
                "dkim.too-many-series",
                "spec.dkim.series",
                Severity.Error
            },
            {
                "an unknown algorithm is refused",
                s => s.Dkim!.Series![0].Algorithm = "rsa-sha1",
                "dkim.invalid-algorithm",
                "spec.dkim.series[0].algorithm",
                Severity.Error
            },
            {
                "an RSA size the generator cannot make (not whole bytes) is refused, not a crash later",
                s => s.Dkim!.Series![0].Size = 2047,
                "dkim.rsa-size",
                "spec.dkim.series[0].size",
                Severity.Error
            },
            {
                "an RSA size above 4096 is refused",
                s => s.Dkim!.Series![0].Size = 8192,
                "dkim.rsa-size",
                "spec.dkim.series[0].size",
                Severity.Error
            },
            {
                "a 1024-bit RSA key is weak",
                s => s.Dkim!.Series![0].Size = 1024,
                "dkim.rsa-weak",
                "spec.dkim.series[0].size",
                Severity.Warning
            },
            {
                "an upper-case selector prefix is refused",
                s => s.Dkim!.Series![0].SelectorPrefix = "RSA",
                "dkim.invalid-prefix",
                "spec.dkim.series[0].selectorPrefix",
                Severity.Error
            },
            {
                "two series with one prefix are refused",
                s => s.Dkim!.Series![1].SelectorPrefix = "rsa",
                "dkim.duplicate-prefix",
                "spec.dkim.series",
                Severity.Error
            },
            {
                "a prefix that starts another is flagged",
                s => s.Dkim!.Series![1].SelectorPrefix = "rsab",
                "dkim.overlapping-prefix",
                "spec.dkim.series",
                Severity.Warning
            },
            { "Ed25519 alone is flagged", s => s.Dkim!.Series!.RemoveAt(0), "dkim.ed25519-only", "spec.dkim.series", Severity.Warning },
            {
                "a malformed duration is refused",
                s => s.Dkim!.Rotation!.RetireAfter = "a week",
                "dkim.invalid-duration",
                "spec.dkim.rotation.retireAfter",
                Severity.Error
            },
            {
                "a propagation delay below the ttl is refused",
                s => s.Dkim!.Rotation!.PropagationDelay = "30m",
                "dkim.propagation-below-ttl",
                "spec.dkim.rotation.propagationDelay",
                Severity.Error
            },
            {
                "an interval not above the propagation delay is refused",
                s => s.Dkim!.Rotation!.Interval = "1d",
                "dkim.interval-too-short",
                "spec.dkim.rotation.interval",
                Severity.Error
            },
            {
                "an interval above a year is flagged",
                s => s.Dkim!.Rotation!.Interval = "400d",
                "dkim.interval-long",
                "spec.dkim.rotation.interval",
                Severity.Warning
            },
            {
                "a retirement shorter than two days is flagged",
                s => s.Dkim!.Rotation!.RetireAfter = "1d",
                "dkim.retire-short",
                "spec.dkim.rotation.retireAfter",
                Severity.Warning
            },
            {
                "a compromised selector that is not a selector is refused",
                s => s.Dkim!.CompromisedSelectors = ["Bad_Selector"],
                "dkim.invalid-selector",
                "spec.dkim.compromisedSelectors[0]",
                Severity.Error
            },
            {
                "a compromised selector of no series is flagged",
                s => s.Dkim!.CompromisedSelectors = ["other20260101"],
                "dkim.unknown-compromised-selector",
                "spec.dkim.compromisedSelectors[0]",
                Severity.Warning
            },
            { "an unknown policy is refused", s => s.Dmarc!.Policy = "block", "dmarc.invalid-policy", "spec.dmarc.policy", Severity.Error },
            {
                "an unknown subdomain policy is refused",
                s => s.Dmarc!.SubdomainPolicy = "drop",
                "dmarc.invalid-policy",
                "spec.dmarc.subdomainPolicy",
                Severity.Error
            },
            {
                "an unknown alignment is refused",
                s => s.Dmarc!.DkimAlignment = "loose",
                "dmarc.invalid-alignment",
                "spec.dmarc.dkimAlignment",
                Severity.Error
            },
            {
                "an unknown failure option is refused",
                s => s.Dmarc!.FailureOptions = ["2"],
                "dmarc.invalid-failure-option",
                "spec.dmarc.failureOptions[0]",
                Severity.Error
            },
            {
                "a report URI that is not mailto or https is refused",
                s => s.Dmarc!.AggregateReportUris = ["http://example.com/r"],
                "dmarc.invalid-uri",
                "spec.dmarc.aggregateReportUris[0]",
                Severity.Error
            },
            {
                "a report destination in another domain needs authorisation",
                s => s.Dmarc!.AggregateReportUris = ["mailto:rua@reports.example.net"],
                "dmarc.external-destination",
                "spec.dmarc.aggregateReportUris[0]",
                Severity.Info
            },
            {
                "enforcement without reports is flagged",
                s => s.Dmarc!.AggregateReportUris = null,
                "dmarc.enforce-without-reports",
                "spec.dmarc.aggregateReportUris",
                Severity.Warning
            },
            {
                "failure options without failure reports do nothing",
                s => s.Dmarc!.FailureOptions = ["1"],
                "dmarc.fo-without-ruf",
                "spec.dmarc.failureOptions",
                Severity.Info
            },
            {
                "BIMI without an enforcing DMARC policy is flagged",
                s =>
                {
                    s.Dmarc!.Policy = "none";
                    s.Bimi = new BimiSpec { LogoUrl = "https://example.com/l.svg", AuthorityUrl = "https://example.com/v.pem" };
                },
                "bimi.without-enforcement",
                "spec.bimi",
                Severity.Warning
            },
            {
                "a BIMI logo over http is refused when rendered",
                s => s.Bimi = new BimiSpec { LogoUrl = "http://example.com/l.svg" },
                "bimi.logo-not-https",
                "spec.bimi",
                Severity.Error
            },
            {
                "an invalid MTA-STS id is refused when rendered",
                s => s.MtaSts = new MtaStsSpec { Id = "not-alnum" },
                "mta-sts.invalid-id",
                "spec.mtaSts",
                Severity.Error
            },
            {
                "an invalid TLS-RPT URI is refused when rendered",
                s => s.TlsRpt = new TlsRptSpec { ReportUris = ["ftp://example.com"] },
                "tls-rpt.invalid-uri",
                "spec.tlsRpt",
                Severity.Error
            },
            {
                "a submission target that is an address is refused (RFC 2782: the target is a domain name)",
                s => s.Submission = new SubmissionSpec { StartTls = [new SubmissionEndpoint { Host = "192.0.2.25" }] },
                "submission.invalid-host",
                "spec.submission.startTls[0].host",
                Severity.Error
            },
            {
                "a submission port outside 1-65535 is refused",
                s =>
                    s.Submission = new SubmissionSpec
                    {
                        ImplicitTls = [new SubmissionEndpoint { Host = "smtp.example.com", Port = 70000 }],
                    },
                "submission.invalid-number",
                "spec.submission.implicitTls[0].port",
                Severity.Error
            },
            {
                "\"not offered\" beside an endpoint is refused (RFC 6186 §3.1)",
                s =>
                    s.Submission = new SubmissionSpec
                    {
                        StartTls = [new SubmissionEndpoint { Host = "." }, new SubmissionEndpoint { Host = "smtp.example.com" }],
                    },
                "submission.not-offered-alone",
                "spec.submission.startTls[0].host",
                Severity.Error
            },
            {
                "a transport check schedule of five fields is refused",
                s => s.TransportCheck = new TransportCheckSpec { Enabled = true, Schedule = "30 * * * *" },
                "transport.invalid-schedule",
                "spec.transportCheck.schedule",
                Severity.Error
            },
            {
                "an unknown publish mode is refused",
                s => s.Publish = new PublishSpec { Mode = "dry-run" },
                "publish.invalid-mode",
                "spec.publish.mode",
                Severity.Error
            },
            {
                "an unknown deletion policy is refused",
                s => s.DeletionPolicy = "Orphan",
                "deletion-policy.invalid",
                "spec.deletionPolicy",
                Severity.Error
            },
            {
                "a cron schedule of five fields is refused",
                s => s.HealthCheck = new HealthCheckSpec { Schedule = "*/15 * * * *" },
                "health.invalid-schedule",
                "spec.healthCheck.schedule",
                Severity.Error
            },
            {
                "a nameserver with a bad port is refused",
                s => s.HealthCheck = new HealthCheckSpec { Nameservers = ["ns1.example.com:99999"] },
                "health.invalid-nameserver",
                "spec.healthCheck.nameservers[0]",
                Severity.Error
            },
        };

    [Theory]
    [MemberData(nameof(Rules))]
    public void Each_rule_names_the_field_and_reports_its_code(
        string because,
        Action<SendingDomainSpec> change,
        string code,
        string path,
        Severity severity
    )
    {
        var findings = SendingDomainValidator.Validate(Specs.With(change), new DnsProviderSpec { Zone = "example.com" });

        var finding = Assert.Single(findings, f => f.Code == code);
        Assert.True(finding.Severity == severity && finding.Path == path, $"{because}: got {finding}");
    }

    [Theory]
    [InlineData("digitalocean", 3072, true)]
    [InlineData("digitalocean", 2048, false)]
    [InlineData("cloudflare", 4096, false)]
    public void An_rsa_key_too_long_for_digitaloceans_512_octet_txt_data_is_refused_before_publishing(
        string package,
        int bits,
        bool refused
    )
    {
        var provider = new DnsProviderSpec
        {
            Zone = "example.com",
            Pulumi = new PulumiProviderSpec { Package = package },
        };

        var findings = SendingDomainValidator.Validate(Specs.With(s => s.Dkim!.Series![0].Size = bits), provider);

        Assert.Equal(refused, findings.Any(f => f.Code == "dkim.provider-record-too-long" && f.Path == "spec.dkim.series[0].size"));
    }

    [Theory]
    [InlineData(null, "metadata.name-missing")]
    [InlineData("Upper", "metadata.name-invalid")]
    [InlineData("under_score", "metadata.name-invalid")]
    public void Object_names_follow_the_api_server_rules(string? name, string code)
    {
        var sd = Specs.Valid();
        sd.Metadata.Name = name;

        Assert.Contains(SendingDomainValidator.Validate(sd), f => f.Code == code && f.Path == "metadata.name");
    }
}
