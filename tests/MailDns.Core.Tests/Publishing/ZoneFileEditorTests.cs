using MailDns.Core.Publishing;
using MailDns.Core.Records;

namespace MailDns.Core.Tests.Publishing;

public class ZoneFileEditorTests
{
    private const string Zone = """
        ; the zone of example.com, edited by hand and by the operator
        $ORIGIN example.com.
        $TTL 3600
        @   IN  SOA ns1.example.com. hostmaster.example.com. (
                2026030101 ; serial
                3600 600 1209600 300 )
            IN  NS  ns1
        ns1 IN  A   192.0.2.53
        @   300 IN TXT "google-site-verification=abc" ; keep me
            300 IN TXT "v=spf1 ip4:192.0.2.1 -all"
        _dmarc  TXT "v=DMARC1; " "p=none"
        s1._domainkey.example.com. IN TXT "v=DKIM1; k=ed25519; p=AAA\"B"
        www IN CNAME @
        _submission._tcp 3600 IN SRV 0 1 587 smtp
        _submission._tcp IN TXT "not read: the product publishes SRV here"
        _submissions._tcp.example.com. IN SRV 0 1 465 SMTP.example.net.
        """;

    [Fact]
    public void Reading_understands_origin_relative_absolute_at_and_blank_owners_and_joins_strings()
    {
        var served = ZoneFileEditor.Read(Zone, "example.com");

        Assert.Equal(["google-site-verification=abc", "v=spf1 ip4:192.0.2.1 -all"], served["example.com"]);
        Assert.Equal(["v=DMARC1; p=none"], served["_dmarc.example.com"]);
        Assert.Equal(["v=DKIM1; k=ed25519; p=AAA\"B"], served["s1._domainkey.example.com"]);
        Assert.False(served.ContainsKey("www.example.com"));
    }

    [Fact]
    public void Srv_records_at_the_submission_names_are_read_with_relative_targets_made_absolute()
    {
        // RFC 1035 §5.1: a name without a trailing dot is relative to $ORIGIN, the SRV target (RFC 2782) as much as the owner.
        var served = ZoneFileEditor.Read(Zone, "example.com");

        Assert.Equal(["0 1 587 smtp.example.com."], served["_submission._tcp.example.com"]);
        Assert.Equal(["0 1 465 smtp.example.net."], served["_submissions._tcp.example.com"]);
    }

    [Fact]
    public void An_srv_change_replaces_exactly_its_line_and_writes_an_srv_record()
    {
        var change = new RecordChange(
            ChangeKind.Update,
            "_submission._tcp.example.com",
            600,
            "0 1 587 smtp.example.com.",
            "5 1 587 mail.example.com.",
            RecordPurpose.Submission,
            "mail/x"
        );

        var (text, failures) = ZoneFileEditor.Apply(Zone, "example.com", [change]);

        Assert.Empty(failures);
        Assert.DoesNotContain("SRV 0 1 587 smtp", text);
        Assert.Contains("_submission._tcp.example.com.\t600\tIN\tSRV\t5 1 587 mail.example.com.\n", text);
        Assert.Contains("not read: the product publishes SRV here", text);
        Assert.Equal(["5 1 587 mail.example.com."], ZoneFileEditor.Read(text, "example.com")["_submission._tcp.example.com"]);
    }

    [Fact]
    public void A_txt_record_at_a_name_that_is_a_cname_is_refused_with_the_target_and_nothing_is_written()
    {
        // RFC 1034 §3.6.2: a CNAME has no other data beside it; BIND would refuse to load the zone.
        var change = new RecordChange(ChangeKind.Create, "www.example.com", 300, null, "v=spf1 -all", RecordPurpose.Spf, "mail/x");

        var (text, failures) = ZoneFileEditor.Apply(Zone, "example.com", [change]);

        var failure = Assert.Single(failures);
        Assert.Contains("www.example.com is a CNAME to @", failure.Error);
        Assert.Equal(Zone, text);
    }

    [Fact]
    public void Applying_changes_keeps_every_foreign_line_and_comment_and_bumps_the_serial()
    {
        var changes = new[]
        {
            new RecordChange(
                ChangeKind.Update,
                "example.com",
                300,
                "v=spf1 ip4:192.0.2.1 -all",
                "v=spf1 ip4:192.0.2.2 -all",
                RecordPurpose.Spf,
                "mail/x"
            ),
            new RecordChange(
                ChangeKind.Create,
                "s2._domainkey.example.com",
                300,
                null,
                "v=DKIM1; k=rsa; p=" + new string('A', 400),
                RecordPurpose.Dkim,
                "mail/x"
            ),
        };

        var (text, failures) = ZoneFileEditor.Apply(Zone, "example.com", changes);

        Assert.Empty(failures);
        foreach (
            var line in Zone.Split('\n')
                .Where(l => !l.Contains("v=spf1", StringComparison.Ordinal) && !l.Contains("serial", StringComparison.Ordinal))
        )
        {
            Assert.Contains(line, text);
        }

        Assert.Equal(2026030102u, ZoneFileEditor.Serial(text));
        var served = ZoneFileEditor.Read(text, "example.com");
        Assert.Equal(["google-site-verification=abc", "v=spf1 ip4:192.0.2.2 -all"], served["example.com"]);
        Assert.Equal(changes[1].NewValue, Assert.Single(served["s2._domainkey.example.com"]));
        Assert.Contains(ZoneFileEditor.ManagedMarker, text);
    }

    [Fact]
    public void Deleting_a_value_that_is_gone_is_a_failure_not_a_silent_success()
    {
        var (text, failures) = ZoneFileEditor.Apply(
            Zone,
            "example.com",
            [new RecordChange(ChangeKind.Delete, "example.com", 0, "v=spf1 -all", null, null, "mail/x")]
        );

        Assert.Equal(Zone, text);
        Assert.Contains("no longer in the zone file", Assert.Single(failures).Error);
    }

    [Fact]
    public void The_serial_wraps_as_rfc_1982_says()
    {
        Assert.Equal(0u, ZoneFileEditor.Serial(ZoneFileEditor.BumpSerial("@ IN SOA a. b. 4294967295 1 1 1 1\n")));
    }
}
