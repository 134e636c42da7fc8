using MailDns.Core.Api;
using MailDns.Core.MtaSts;

namespace MailDns.Core.Tests.MtaSts;

/// <summary>RFC 8461 §8.3: withdraw a policy by serving mode none, publishing its id, and waiting out the old max_age.</summary>
public class MtaStsWithdrawalTests
{
    private static readonly TimeSpan Retry = TimeSpan.FromMinutes(1);

    private static readonly DateTimeOffset Now = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);

    private static readonly string Enforce = MtaStsPolicy.For("enforce", ["mx1.example.com"], TimeSpan.FromDays(7)).Render();

    private static MtaStsStatus Published() =>
        new()
        {
            Mode = "enforce",
            Mx = ["mx1.example.com"],
            MaxAge = 604_800,
            Policy = Enforce,
            PolicyId = MtaStsPolicy.IdOf(Enforce),
            PublishedId = MtaStsPolicy.IdOf(Enforce),
            Current = true,
        };

    private static MtaStsStatus Serving() => ((WithdrawalStep.Serve)MtaStsWithdrawal.Next(Published(), null, Now, Retry)).Status;

    [Fact]
    public void An_enforced_policy_is_replaced_by_a_served_mode_none_policy_with_a_day_of_max_age_keeping_the_old_id()
    {
        var serve = Assert.IsType<WithdrawalStep.Serve>(MtaStsWithdrawal.Next(Published(), null, Now, Retry));

        Assert.Equal("version: STSv1\r\nmode: none\r\nmx: mx1.example.com\r\nmax_age: 86400\r\n", serve.Status.Policy);
        Assert.Equal(MtaStsPolicy.IdOf(Enforce), serve.Status.PublishedId); // the id moves only once none is served (§8.3)
        Assert.Equal((604_800L, (DateTimeOffset?)null), (serve.Status.Withdrawal!.HeldFor, serve.Status.Withdrawal.PublishedAt));
    }

    [Fact]
    public void The_none_id_is_published_only_once_the_policy_url_serves_the_none_policy()
    {
        var serving = Serving();

        Assert.IsType<WithdrawalStep.Wait>(MtaStsWithdrawal.Next(serving, Enforce, Now, Retry));
        Assert.IsType<WithdrawalStep.Wait>(MtaStsWithdrawal.Next(serving, null, Now, Retry));
        var publish = Assert.IsType<WithdrawalStep.Publish>(MtaStsWithdrawal.Next(serving, serving.Policy, Now, Retry));
        Assert.Equal(serving.PolicyId, publish.Id);
    }

    [Fact]
    public void The_records_stay_until_the_previous_max_age_has_passed_since_the_none_id_went_out()
    {
        var published = Serving();
        published.PublishedId = published.PolicyId;
        published.Current = true;
        published.Withdrawal!.PublishedAt = Now;

        var wait = Assert.IsType<WithdrawalStep.Wait>(MtaStsWithdrawal.Next(published, null, Now.AddDays(6), Retry));
        Assert.Equal(Now.AddDays(7), wait.Until);
        Assert.IsType<WithdrawalStep.Done>(MtaStsWithdrawal.Next(published, null, Now.AddDays(7), Retry));
    }

    public static TheoryData<string, MtaStsStatus?> NothingToWithdraw =>
        new()
        {
            { "no status at all", null },
            { "a policy whose id was never published", new MtaStsStatus { Mode = "enforce", Policy = Enforce, PolicyId = "x" } },
            {
                "a published policy that already has mode none",
                new MtaStsStatus
                {
                    Mode = "none",
                    Policy = "p",
                    PolicyId = "n",
                    PublishedId = "n",
                    Current = true,
                }
            },
        };

    [Theory]
    [MemberData(nameof(NothingToWithdraw))]
    public void Nothing_is_withdrawn_where_no_sender_can_hold_an_enforcing_policy(string because, MtaStsStatus? status)
    {
        Assert.True(MtaStsWithdrawal.Next(status, null, Now, Retry) is WithdrawalStep.Done, because);
    }
}
