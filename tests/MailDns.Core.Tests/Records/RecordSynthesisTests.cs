using MailDns.Core.Api;
using MailDns.Core.Dkim;
using MailDns.Core.Records;
using MailDns.Core.Tests.Support;
using MailDns.Testing;

namespace MailDns.Core.Tests.Records;

public class RecordSynthesisTests
{
    [Fact]
    public void Spf_mechanisms_come_in_canonical_order_with_the_all_qualifier_last()
    {
        var sd = Specs.With(s =>
            s.Spf = new SpfSpec
            {
                Include = ["_spf.a.example"],
                Mx = true,
                A = true,
                Ip6 = ["2001:DB8::/32"],
                Ip4 = ["192.0.2.1"],
                All = "fail",
            }
        );

        var spf = Assert.Single(RecordSynthesis.Synthesize(sd, []), r => r.Purpose == RecordPurpose.Spf);

        Assert.Equal("v=spf1 ip4:192.0.2.1 ip6:2001:db8::/32 a mx include:_spf.a.example -all", spf.Value);
        Assert.Equal("mail.example.com", spf.Name);
    }

    [Theory]
    [InlineData(null, "~all")]
    [InlineData("softfail", "~all")]
    [InlineData("neutral", "?all")]
    [InlineData("fail", "-all")]
    public void The_all_setting_maps_to_its_qualifier(string? all, string expected)
    {
        Assert.EndsWith(expected, RecordSynthesis.SpfValue(new SpfSpec { All = all }), StringComparison.Ordinal);
    }

    [Fact]
    public void Dmarc_tags_come_in_canonical_order_and_only_when_set()
    {
        var dmarc = new DmarcSpec
        {
            FailureReportUris = ["mailto:f@example.com"],
            AggregateReportUris = ["mailto:a@example.com", "https://r.example.net/d"],
            Testing = true,
            SpfAlignment = "strict",
            DkimAlignment = "relaxed",
            NonExistentSubdomainPolicy = "reject",
            SubdomainPolicy = "quarantine",
            Policy = "none",
            FailureOptions = ["1", "d"],
        };

        Assert.Equal(
            "v=DMARC1; p=none; sp=quarantine; np=reject; adkim=r; aspf=s; t=y; fo=1:d; rua=mailto:a@example.com,https://r.example.net/d; "
                + "ruf=mailto:f@example.com",
            RecordSynthesis.DmarcValue(dmarc)
        );
        Assert.Equal("v=DMARC1; p=reject", RecordSynthesis.DmarcValue(new DmarcSpec { Policy = "reject" }));
    }

    [Fact]
    public void Dkim_records_sit_under_domainkey_and_revoked_keys_have_an_empty_p()
    {
        var keys = new[]
        {
            new DkimPublicKey("rsa20261101", DkimAlgorithm.RsaSha256, TestKeys.Rsa2048.PublicKey),
            new DkimPublicKey("ed20260801", DkimAlgorithm.Ed25519Sha256, TestKeys.Ed25519.PublicKey, Revoked: true),
        };

        var dkim = RecordSynthesis.Synthesize(Specs.Valid(), keys).Where(r => r.Purpose == RecordPurpose.Dkim).ToList();

        Assert.Equal(["ed20260801._domainkey.mail.example.com", "rsa20261101._domainkey.mail.example.com"], dkim.Select(r => r.Name));
        Assert.Equal("v=DKIM1; k=ed25519; p=", dkim[0].Value);
        Assert.Equal($"v=DKIM1; k=rsa; p={TestKeys.Rsa2048.PublicKey}", dkim[1].Value);
        Assert.Equal(2, dkim[1].Strings.Count);
    }

    [Fact]
    public void Omitted_blocks_produce_no_records()
    {
        var sd = Specs.With(s =>
        {
            s.Spf = null;
            s.Dmarc = null;
        });

        Assert.Empty(RecordSynthesis.Synthesize(sd, []));
    }

    [Fact]
    public void Optional_records_have_their_names_and_values()
    {
        var sd = Specs.With(s =>
        {
            s.MtaSts = new MtaStsSpec { Id = "20261101" };
            s.TlsRpt = new TlsRptSpec { ReportUris = ["mailto:tls@example.com"] };
            s.Bimi = new BimiSpec { LogoUrl = "https://example.com/l.svg", AuthorityUrl = "https://example.com/v.pem" };
        });

        var records = RecordSynthesis.Synthesize(sd, []).ToDictionary(r => r.Name, r => r.Value);

        Assert.Equal("v=STSv1; id=20261101", records["_mta-sts.mail.example.com"]);
        Assert.Equal("v=TLSRPTv1; rua=mailto:tls@example.com", records["_smtp._tls.mail.example.com"]);
        Assert.Equal("v=BIMI1; l=https://example.com/l.svg; a=https://example.com/v.pem", records["default._bimi.mail.example.com"]);
    }

    [Fact]
    public void Every_record_carries_the_ttl_and_the_owning_resource()
    {
        var sd = Specs.With(s => s.Ttl = 300);

        Assert.All(
            RecordSynthesis.Synthesize(sd, []),
            r =>
            {
                Assert.Equal(300, r.Ttl);
                Assert.Equal("mail/mail-example-com", r.Owner);
            }
        );
    }

    [Fact]
    public void A_zone_fragment_uses_names_relative_to_the_origin_and_quoted_strings()
    {
        var records = RecordSynthesis.Synthesize(
            Specs.Valid(),
            [new DkimPublicKey("rsa1", DkimAlgorithm.RsaSha256, TestKeys.Rsa2048.PublicKey)]
        );

        var zone = ZoneFragment.Render("example.com", records);

        Assert.StartsWith("$ORIGIN example.com.\n", zone, StringComparison.Ordinal);
        Assert.Contains("\nmail\t3600\tIN\tTXT\t\"v=spf1 ", zone, StringComparison.Ordinal);
        Assert.Contains("\nrsa1._domainkey.mail\t3600\tIN\tTXT\t\"v=DKIM1; k=rsa; p=", zone, StringComparison.Ordinal);
        Assert.Contains("\" \"", zone, StringComparison.Ordinal);
        Assert.Equal("@", MailDns.Core.Names.DomainName.RelativeTo("example.com", "example.com"));
    }

    [Fact]
    public void Submission_endpoints_become_srv_records_at_the_rfc_6186_and_rfc_8314_service_names()
    {
        var sd = Specs.With(s =>
            s.Submission = new SubmissionSpec
            {
                StartTls =
                [
                    new SubmissionEndpoint { Host = "SMTP2.example.com.", Priority = 10 },
                    new SubmissionEndpoint { Host = "smtp.example.com" },
                ],
                ImplicitTls = [new SubmissionEndpoint { Host = "." }],
            }
        );

        var srv = RecordSynthesis.Synthesize(sd, []).Where(r => r.Purpose == RecordPurpose.Submission).ToList();

        // Default ports 587 (RFC 6186 §3.1) and 465 (RFC 8314 §3.3); "." alone says "not offered", written 0 0 0 .
        Assert.Equal(
            [
                "_submission._tcp.mail.example.com SRV 0 1 587 smtp.example.com.",
                "_submission._tcp.mail.example.com SRV 10 1 587 smtp2.example.com.",
                "_submissions._tcp.mail.example.com SRV 0 0 0 .",
            ],
            srv.Select(r => $"{r.Name} {r.Type} {r.Value}")
        );
        Assert.Equal(
            "_submission._tcp.mail.example.com.\t3600\tIN\tSRV\t0 1 587 smtp.example.com.",
            ZoneFragment.AbsoluteLine(srv[0])
        );
    }
}
