using CsCheck;
using MailDns.Core.Health;
using MailDns.Core.Records;
using MailDns.Core.Tests.Support;

namespace MailDns.Core.Tests.Health;

/// <summary>What a result is about, read from its message by slicing, is what splitting the message into fields gives.</summary>
public class CheckSubjectTests
{
    /// <summary>Fields joined by single spaces (an empty field makes two in a row), so SRV lands second with any count of fields.</summary>
    private static readonly Gen<string> Message = Gen.OneOf(
            Gen.Const("SRV"),
            Gen.Const("_submission._tcp.example.org"),
            Gen.Const("dmarc.example:"),
            Gen.Const(""),
            Pieces.Joined(3, "SRV", ":", " ")
        )
        .Array[1, 9]
        .Select(fields => string.Join(' ', fields));

    private static readonly Gen<string> Id = Gen.OneOf(
        Gen.Const("records.expected"),
        Gen.Const("dmarc.external-report-authorization"),
        Gen.Const("spf.exists")
    );

    /// <summary>The definition: the first six fields of an SRV record's message, else the first field without its colon.</summary>
    private static string BySplitting(string id, string message)
    {
        if (id is not ("records.expected" or "dmarc.external-report-authorization"))
        {
            return "";
        }

        var fields = message.Split(' ', 7);
        return id == "records.expected" && fields.Length >= 6 && fields[1] == RecordTypes.Srv
            ? string.Join(' ', fields.Take(6))
            : fields[0].TrimEnd(':');
    }

    [Fact]
    public void The_subject_is_the_one_splitting_gives() =>
        Gen.Select(Id, Message)
            .Sample((id, message) => Assert.Equal(BySplitting(id, message), CheckResult.SubjectOf(id, message)), iter: 5_000);

    [Theory]
    [InlineData("records.expected", "_submission._tcp.a.example SRV 0 1 587 b. served", "_submission._tcp.a.example SRV 0 1 587 b.")]
    [InlineData("records.expected", "a SRV 0 1 587 b", "a SRV 0 1 587 b")]
    [InlineData("records.expected", "a SRV 0 1", "a")]
    [InlineData("records.expected", "a: SRV 0 1 587", "a")]
    [InlineData("records.expected", "s1._domainkey.example.org: served as expected", "s1._domainkey.example.org")]
    [InlineData("dmarc.external-report-authorization", "dmarc.example authorises reports", "dmarc.example")]
    [InlineData("spf.exists", "one SPF record", "")]
    public void Subjects_of_known_messages(string id, string message, string subject) =>
        Assert.Equal(subject, CheckResult.SubjectOf(id, message));
}
