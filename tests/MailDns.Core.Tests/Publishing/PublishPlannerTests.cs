using MailDns.Core.Publishing;
using MailDns.Core.Records;

namespace MailDns.Core.Tests.Publishing;

public class PublishPlannerTests
{
    private const string Apex = "example.com";
    private const string Owner = "mail/example";
    private const string Submission = "_submission._tcp.example.com";

    private static DesiredRecord Want(string name, string value, RecordPurpose purpose = RecordPurpose.Spf) =>
        new(name, 300, value, purpose, Owner);

    private static Dictionary<string, IReadOnlyList<string>> Served(params (string Name, string Value)[] records) =>
        records.GroupBy(r => r.Name).ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Select(r => r.Value).ToList());

    private static OwnedRecord Owned(string name, string value) => new(name, value, Owner);

    public static TheoryData<string, DesiredRecord[], (string, string)[], OwnedRecord[], bool, string> Rules =>
        new()
        {
            { "a missing record is created", [Want(Apex, "v=spf1 -all")], [], [], false, "create example.com +v=spf1 -all" },
            {
                "a served record is unchanged",
                [Want(Apex, "v=spf1 -all")],
                [(Apex, "v=spf1 -all")],
                [Owned(Apex, "v=spf1 -all")],
                false,
                ""
            },
            {
                "our older SPF is updated in place",
                [Want(Apex, "v=spf1 -all")],
                [(Apex, "v=spf1 ~all")],
                [Owned(Apex, "v=spf1 ~all")],
                false,
                "update example.com v=spf1 ~all→v=spf1 -all"
            },
            {
                "a foreign SPF is a conflict",
                [Want(Apex, "v=spf1 -all")],
                [(Apex, "v=spf1 include:x.net ~all")],
                [],
                false,
                "conflict example.com v=spf1 include:x.net ~all"
            },
            {
                "a foreign SPF is replaced when adopted",
                [Want(Apex, "v=spf1 -all")],
                [(Apex, "v=spf1 include:x.net ~all")],
                [],
                true,
                "create example.com +v=spf1 -all; delete example.com -v=spf1 include:x.net ~all"
            },
            {
                "other TXT at the apex are left alone",
                [Want(Apex, "v=spf1 -all")],
                [(Apex, "google-site-verification=1"), (Apex, "MS=ms123")],
                [],
                false,
                "create example.com +v=spf1 -all"
            },
            {
                "a record we no longer want is deleted",
                [],
                [(Apex, "v=spf1 -all")],
                [Owned(Apex, "v=spf1 -all")],
                false,
                "delete example.com -v=spf1 -all"
            },
            { "a record we own that is already gone needs nothing", [], [], [Owned(Apex, "v=spf1 -all")], false, "" },
            {
                "a foreign DMARC is a conflict",
                [Want("_dmarc." + Apex, "v=DMARC1; p=reject", RecordPurpose.Dmarc)],
                [("_dmarc." + Apex, "v=DMARC1; p=none")],
                [],
                false,
                "conflict _dmarc.example.com v=DMARC1; p=none"
            },
            {
                "anything at a selector we did not publish is a conflict",
                [Want("s1._domainkey." + Apex, "v=DKIM1; p=abc", RecordPurpose.Dkim)],
                [("s1._domainkey." + Apex, "v=DKIM1; p=old")],
                [],
                false,
                "conflict s1._domainkey.example.com v=DKIM1; p=old"
            },
            {
                "a revoked key replaces its published value",
                [Want("s1._domainkey." + Apex, "v=DKIM1; k=rsa; p=", RecordPurpose.Dkim)],
                [("s1._domainkey." + Apex, "v=DKIM1; k=rsa; p=abc")],
                [Owned("s1._domainkey." + Apex, "v=DKIM1; k=rsa; p=abc")],
                false,
                "update s1._domainkey.example.com v=DKIM1; k=rsa; p=abc→v=DKIM1; k=rsa; p="
            },
            { "names compare without case or trailing dot", [Want("Example.COM.", "v=spf1 -all")], [(Apex, "v=spf1 -all")], [], false, "" },
            {
                "one of two submission endpoints changed: only its value is replaced (RFC 2782: an RRset of SRV records)",
                [
                    Want(Submission, "0 1 587 a.example.com.", RecordPurpose.Submission),
                    Want(Submission, "10 1 587 c.example.com.", RecordPurpose.Submission),
                ],
                [(Submission, "0 1 587 a.example.com."), (Submission, "10 1 587 b.example.com.")],
                [Owned(Submission, "0 1 587 a.example.com."), Owned(Submission, "10 1 587 b.example.com.")],
                false,
                "update _submission._tcp.example.com 10 1 587 b.example.com.→10 1 587 c.example.com."
            },
            {
                "two new endpoints where we had one: one replaces ours, one is added",
                [
                    Want(Submission, "0 1 587 a.example.com.", RecordPurpose.Submission),
                    Want(Submission, "0 1 587 b.example.com.", RecordPurpose.Submission),
                ],
                [(Submission, "0 1 587 old.example.com.")],
                [Owned(Submission, "0 1 587 old.example.com.")],
                false,
                "update _submission._tcp.example.com 0 1 587 old.example.com.→0 1 587 a.example.com.; "
                    + "create _submission._tcp.example.com +0 1 587 b.example.com."
            },
            {
                "an SRV record someone else published at the service name is a conflict",
                [
                    Want(Submission, "0 1 587 a.example.com.", RecordPurpose.Submission),
                    Want(Submission, "0 1 587 b.example.com.", RecordPurpose.Submission),
                ],
                [(Submission, "0 1 587 theirs.example.net.")],
                [],
                false,
                "conflict _submission._tcp.example.com 0 1 587 theirs.example.net.; "
                    + "conflict _submission._tcp.example.com 0 1 587 theirs.example.net."
            },
            {
                "an adopted foreign SRV record is deleted once, whatever the number of wanted values",
                [
                    Want(Submission, "0 1 587 a.example.com.", RecordPurpose.Submission),
                    Want(Submission, "0 1 587 b.example.com.", RecordPurpose.Submission),
                ],
                [(Submission, "0 1 587 theirs.example.net.")],
                [],
                true,
                "create _submission._tcp.example.com +0 1 587 a.example.com.; "
                    + "delete _submission._tcp.example.com -0 1 587 theirs.example.net.; "
                    + "create _submission._tcp.example.com +0 1 587 b.example.com."
            },
        };

    [Theory]
    [MemberData(nameof(Rules))]
    public void Plan(string because, DesiredRecord[] desired, (string, string)[] served, OwnedRecord[] owned, bool adopt, string expected)
    {
        var plan = PublishPlanner.Plan(desired, Served(served), owned, adopt);

        var text = string.Join(
            "; ",
            plan.Changes.Select(c =>
                    c.Kind switch
                    {
                        ChangeKind.Create => $"create {c.Name} +{c.NewValue}",
                        ChangeKind.Update => $"update {c.Name} {c.OldValue}→{c.NewValue}",
                        _ => $"delete {c.Name} -{c.OldValue}",
                    }
                )
                .Concat(plan.Conflicts.Select(c => $"conflict {c.Name} {c.ForeignValue}"))
        );
        Assert.True(text == expected, $"{because}: got \"{text}\"");
    }

    [Fact]
    public void Deletion_removes_exactly_what_the_owner_published()
    {
        var served = Served(
            (Apex, "v=spf1 -all"),
            (Apex, "google-site-verification=1"),
            ("_dmarc." + Apex, "v=DMARC1; p=reject"),
            ("s9._domainkey." + Apex, "v=DKIM1; p=theirs")
        );

        var plan = PublishPlanner.PlanDeletion(served, [Owned(Apex, "v=spf1 -all"), Owned("_dmarc." + Apex, "v=DMARC1; p=reject")]);

        Assert.All(plan.Changes, c => Assert.Equal(ChangeKind.Delete, c.Kind));
        Assert.Equal(["_dmarc.example.com", "example.com"], plan.Changes.Select(c => c.Name).Order(StringComparer.Ordinal));
    }
}
