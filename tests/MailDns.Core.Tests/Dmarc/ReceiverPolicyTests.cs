using MailDns.Core.Dmarc;

namespace MailDns.Core.Tests.Dmarc;

/// <summary>
/// The policy a receiver applies from a record it found: RFC 9989 §5.3 for which tag applies, RFC 7489 §6.6.3 (step 6)
/// for a tag whose value is not a policy.
/// </summary>
public class ReceiverPolicyTests
{
    public static TheoryData<string, bool, bool, string, string?> Rules =>
        new()
        {
            // record, inherited (a subdomain without its own record), the name exists, policy, reason contains
            { "v=DMARC1; p=reject", false, true, "reject", null },
            { "v=DMARC1; p=Quarantine", false, true, "quarantine", null },
            // RFC 9989 §5.3: a subdomain gets sp, a name that does not exist np, each falling back to p.
            { "v=DMARC1; p=reject; sp=quarantine", true, true, "quarantine", null },
            { "v=DMARC1; p=reject", true, true, "reject", null },
            { "v=DMARC1; p=reject; sp=quarantine; np=none", true, false, "none", null },
            { "v=DMARC1; p=reject; sp=quarantine", true, false, "quarantine", null },
            { "v=DMARC1; p=reject; sp=quarantine; np=none", false, true, "reject", null },
            // DMARCbis makes p optional: a record without it applies none, and that is no fault of the record.
            { "v=DMARC1; rua=mailto:d@example.com", false, true, "none", null },
            // RFC 7489 §6.6.3 step 6: a p that is not a policy is acted on as p=none when rua holds a valid URI...
            { "v=DMARC1; p=bogus; rua=mailto:d@example.com", false, true, "none", "still send aggregate reports" },
            // ...and the record is ignored when it does not; nothing is enforced either way.
            { "v=DMARC1; p=bogus", false, true, "none", "receivers ignore the record" },
            { "v=DMARC1; p=bogus; rua=mailto:not-an-address", true, true, "none", "receivers ignore the record" },
            // The same for an sp that is not valid, even where p would apply: the record as a whole falls back.
            { "v=DMARC1; p=reject; sp=quarantin; rua=mailto:d@example.com", true, true, "none", "sp=quarantin" },
            { "v=DMARC1; p=reject; sp=quarantin; rua=mailto:d@example.com", false, true, "none", "sp=quarantin" },
            { "v=DMARC1; p=reject; np=rejected; rua=https://reports.example.com/dmarc", true, false, "none", "np=rejected" },
        };

    [Theory]
    [MemberData(nameof(Rules))]
    public void The_applied_policy_is_what_a_receiver_enforces(
        string record,
        bool inherited,
        bool exists,
        string policy,
        string? reason
    )
    {
        var applied = ReceiverPolicy.Of(DmarcLinter.Lint(record), inherited, exists);

        Assert.Equal(policy, applied.Policy);
        if (reason is null)
        {
            Assert.Null(applied.Reason);
        }
        else
        {
            Assert.Contains(reason, applied.Reason);
            Assert.Contains("RFC 7489 §6.6.3", applied.Reason);
        }
    }
}
