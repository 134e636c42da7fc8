using MailDns.Core.Api;
using MailDns.Core.Reputation;

namespace MailDns.Core.Tests.Reputation;

/// <summary>The Reputation condition and status.reputation, as a receiver weighs them: listed, then reverse DNS, then unknown.</summary>
public class ReputationViewTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly Blocklist Zen = BlocklistCatalog.SpamhausZen;
    private static readonly Blocklist Dbl = BlocklistCatalog.SpamhausDbl;
    private static readonly FcrdnsResult Pass = new(FcrdnsStatus.Pass, ["mail.example.com"], "ok");

    private static ListResult R(Blocklist list, ListStatus status, string meaning = "") =>
        new(list, status, status == ListStatus.Listed ? ["127.0.0.2"] : [], meaning);

    private static ReputationReport Report(
        DateTimeOffset at,
        ListStatus ip,
        ListStatus domain = ListStatus.Clean,
        FcrdnsResult? fcrdns = null
    ) =>
        new(
            at,
            [Zen, Dbl],
            [
                new TargetResult("192.0.2.1", ListKind.Ip, [R(Zen, ip, "SBL")], fcrdns ?? Pass),
                new TargetResult("example.com", ListKind.Domain, [R(Dbl, domain, "DBL: spam domain")]),
            ],
            []
        );

    [Theory]
    [InlineData(ListStatus.Clean, ListStatus.Clean, FcrdnsStatus.Pass, "True", ConditionReasons.NotListed)]
    [InlineData(ListStatus.Listed, ListStatus.Clean, FcrdnsStatus.Pass, "False", ConditionReasons.Listed)]
    [InlineData(ListStatus.Clean, ListStatus.Listed, FcrdnsStatus.Pass, "False", ConditionReasons.Listed)]
    [InlineData(ListStatus.Listed, ListStatus.Refused, FcrdnsStatus.Fail, "False", ConditionReasons.Listed)]
    [InlineData(ListStatus.Clean, ListStatus.Clean, FcrdnsStatus.Fail, "False", ConditionReasons.ReverseDnsFailed)]
    [InlineData(ListStatus.Refused, ListStatus.Clean, FcrdnsStatus.Pass, "Unknown", ConditionReasons.ListsUnanswered)]
    [InlineData(ListStatus.Clean, ListStatus.Unknown, FcrdnsStatus.Pass, "Unknown", ConditionReasons.ListsUnanswered)]
    [InlineData(ListStatus.Clean, ListStatus.Clean, FcrdnsStatus.Unknown, "Unknown", ConditionReasons.ListsUnanswered)]
    public void The_condition_weighs_listings_then_reverse_dns_then_unanswered_questions(
        ListStatus ip,
        ListStatus domain,
        FcrdnsStatus fcrdns,
        string status,
        string reason
    )
    {
        var view = ReputationView.From(Report(T0, ip, domain, new FcrdnsResult(fcrdns, [], $"reverse {fcrdns}")), null);

        Assert.Equal((status, reason), (view.ConditionStatus, view.Reason));
    }

    [Fact]
    public void A_new_listing_is_a_change_and_keeps_its_first_sighting_across_checks()
    {
        var first = ReputationView.From(Report(T0, ListStatus.Listed), null);
        var second = ReputationView.From(Report(T0.AddHours(1), ListStatus.Listed), first.Status);

        Assert.Equal([ListingChangeKind.Listed], first.Changes.Select(c => c.Kind));
        Assert.Empty(second.Changes);
        var listing = Assert.Single(second.Status.Listed!);
        Assert.Equal(T0.UtcDateTime, listing.Since);
        Assert.Equal(T0.AddHours(1).UtcDateTime, listing.LastSeen);
    }

    [Fact]
    public void A_list_that_does_not_answer_keeps_the_listing_standing_and_a_clean_answer_delists()
    {
        var listed = ReputationView.From(Report(T0, ListStatus.Listed), null);

        var unanswered = ReputationView.From(Report(T0.AddHours(1), ListStatus.Unknown), listed.Status);
        Assert.Equal(ConditionReasons.Listed, unanswered.Reason);
        Assert.Empty(unanswered.Changes);
        Assert.Equal(T0.UtcDateTime, Assert.Single(unanswered.Status.Listed!).LastSeen);

        var clean = ReputationView.From(Report(T0.AddHours(2), ListStatus.Clean), unanswered.Status);
        Assert.Equal(ConditionReasons.NotListed, clean.Reason);
        var change = Assert.Single(clean.Changes);
        Assert.Equal((ListingChangeKind.Delisted, "192.0.2.1", "zen.spamhaus.org"), (change.Kind, change.Target, change.List));
    }

    [Fact]
    public void A_target_no_longer_checked_drops_its_listing_without_a_delisting()
    {
        var listed = ReputationView.From(Report(T0, ListStatus.Listed), null);
        var withoutAddress = new ReputationReport(
            T0.AddHours(1),
            [Zen, Dbl],
            [new TargetResult("example.com", ListKind.Domain, [R(Dbl, ListStatus.Clean)])],
            []
        );

        var view = ReputationView.From(withoutAddress, listed.Status);

        Assert.Empty(view.Changes);
        Assert.Equal(0, view.Status.ListedCount);
    }

    [Fact]
    public void Unanswered_questions_are_counted_per_list_with_the_reason()
    {
        var report = new ReputationReport(
            T0,
            [Zen],
            Enumerable
                .Range(1, 3)
                .Select(i => new TargetResult($"192.0.2.{i}", ListKind.Ip, [R(Zen, ListStatus.Refused, "public resolver")], Pass))
                .ToList(),
            ["198.51.100.0/16: wider than /24"]
        );

        var view = ReputationView.From(report, null);

        var unanswered = Assert.Single(view.Status.Unanswered!);
        Assert.Equal(
            ("zen.spamhaus.org", "refused", 3, "public resolver"),
            (unanswered.List, unanswered.Status, unanswered.Count, unanswered.Meaning)
        );
        Assert.Contains("public resolver", view.Message);
        Assert.Equal(["198.51.100.0/16: wider than /24"], view.Status.NotExpanded);
    }
}
