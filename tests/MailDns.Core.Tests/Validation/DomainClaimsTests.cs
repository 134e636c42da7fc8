using MailDns.Core.Api;
using MailDns.Core.Validation;

namespace MailDns.Core.Tests.Validation;

public class DomainClaimsTests
{
    private static SendingDomain Sd(string ns, string name, string domain, int minute, bool deleting = false) =>
        new()
        {
            Metadata = new()
            {
                Name = name,
                NamespaceProperty = ns,
                CreationTimestamp = new DateTime(2026, 12, 1, 10, minute, 0, DateTimeKind.Utc),
                DeletionTimestamp = deleting ? new DateTime(2026, 12, 1, 11, 0, 0, DateTimeKind.Utc) : null,
            },
            Spec = new SendingDomainSpec { Domain = domain, ProviderRef = new() { Name = "p" } },
        };

    [Fact]
    public void The_earlier_claim_holds_the_domain_in_any_namespace_and_the_later_one_is_told_who()
    {
        var first = Sd("team-a", "mail", "mail.example.com", 1);
        var second = Sd("team-b", "mail", "MAIL.example.com.", 2);
        var other = Sd("team-c", "news", "news.example.com", 0);

        Assert.Null(DomainClaims.HeldBy(first, [first, second, other]));
        Assert.Same(first, DomainClaims.HeldBy(second, [first, second, other]));
        Assert.Contains("SendingDomain team-a/mail", DomainClaims.Message(first));
    }

    [Fact]
    public void Same_creation_time_is_decided_by_namespace_and_name_and_a_deleted_holder_frees_the_domain()
    {
        var a = Sd("a", "mail", "mail.example.com", 1);
        var b = Sd("b", "mail", "mail.example.com", 1);

        Assert.Same(a, DomainClaims.HeldBy(b, [a, b]));
        Assert.Null(DomainClaims.HeldBy(b, [Sd("a", "mail", "mail.example.com", 1, deleting: true), b]));
    }
}
