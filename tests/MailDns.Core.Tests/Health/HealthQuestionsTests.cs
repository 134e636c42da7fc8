using MailDns.Core.Health;
using MailDns.Core.Records;

namespace MailDns.Core.Tests.Health;

public class HealthQuestionsTests
{
    [Fact]
    public void The_authoritative_questions_are_the_domains_own_names_then_the_expected_records_each_asked_once()
    {
        const string owner = "mail/example";
        var expected = new HealthExpectation(
            [
                new DesiredRecord("_submission._tcp.example.org", 300, "0 1 587 smtp.example.org", RecordPurpose.Submission, owner),
                new DesiredRecord("example.org", 300, "v=spf1 -all", RecordPurpose.Spf, owner),
                new DesiredRecord("s1._domainkey.example.org", 300, "v=DKIM1; k=ed25519; p=AAAA", RecordPurpose.Dkim, owner, "s1"),
                new DesiredRecord("brand._bimi.example.org", 300, "v=BIMI1; l=https://example.org/logo.svg", RecordPurpose.Bimi, owner),
                new DesiredRecord("_mta-sts.example.org", 300, "v=STSv1; id=1", RecordPurpose.MtaSts, owner),
            ],
            "reject"
        );

        var questions = HealthQuestions.Authoritative("Example.ORG.", [" S2 ", "s1"], expected);

        Assert.Equal(
            [
                ("example.org", DnsType.Txt),
                ("_dmarc.example.org", DnsType.Txt),
                ("_mta-sts.example.org", DnsType.Txt),
                ("_smtp._tls.example.org", DnsType.Txt),
                ("brand._bimi.example.org", DnsType.Txt),
                ("s1._domainkey.example.org", DnsType.Txt),
                ("s2._domainkey.example.org", DnsType.Txt),
                ("_submission._tcp.example.org", DnsType.Srv),
            ],
            questions.Select(q => (q.Name, q.Type))
        );
    }

    [Fact]
    public void Without_an_expectation_the_default_bimi_selector_and_the_named_selectors_are_asked()
    {
        var questions = HealthQuestions.Authoritative("example.org", ["b", "a", "A"], null);

        Assert.Equal(
            [
                "example.org",
                "_dmarc.example.org",
                "_mta-sts.example.org",
                "_smtp._tls.example.org",
                "default._bimi.example.org",
                "a._domainkey.example.org",
                "b._domainkey.example.org",
            ],
            questions.Select(q => q.Name)
        );
        Assert.All(questions, q => Assert.Equal(DnsType.Txt, q.Type));
    }
}
