using MailDns.Core.Api;

namespace MailDns.Core.Reputation;

public enum ListingChangeKind
{
    Listed,
    Delisted,
}

/// <summary>A target that a list started or stopped listing between two checks: an event.</summary>
public sealed record ListingChange(ListingChangeKind Kind, string Target, string List, string Meaning);

/// <summary>
/// One domain's reputation as the SendingDomain reconcile writes it (the one writer of status): status.reputation, the
/// Reputation condition, and the listings that changed since the last check.
/// </summary>
public sealed record DomainReputationView(
    ReputationStatus Status,
    string ConditionStatus,
    string Reason,
    string Message,
    IReadOnlyList<ListingChange> Changes
)
{
    public void ApplyTo(SendingDomainStatus status, long generation, DateTimeOffset now)
    {
        status.Reputation = Status;
        Conditions.Set(status, ConditionTypes.Reputation, ConditionStatus, Reason, Message, generation, now);
    }
}

/// <summary>
/// Judges a reputation check, as a receiver would weigh it: a listing on any blocklist is False (Listed), then a sending
/// address without forward-confirmed reverse DNS (ReverseDnsFailed); with neither, any question left unanswered (a list
/// that refused, a resolver that timed out) makes the verdict Unknown, never clean and never listed. A listing whose list
/// did not answer this time is kept (with its first and last sighting): no answer is not a delisting.
/// </summary>
public static class ReputationView
{
    private const int MessageItems = 3;

    public static DomainReputationView From(ReputationReport report, ReputationStatus? previous)
    {
        var now = report.CheckedAt.UtcDateTime;
        var before = (previous?.Listed ?? []).ToDictionary(l => (l.Target, l.List));
        var results = report.Targets.SelectMany(t => t.Results.Select(r => (Target: t, Result: r))).ToList();
        var byPair = results.ToDictionary(p => (p.Target.Target, p.Result.List.Zone), p => p.Result);
        var changes = new List<ListingChange>();

        var listed = new List<ListingStatus>();
        foreach (var (target, result) in results.Where(p => p.Result.IsListing))
        {
            var was = before.GetValueOrDefault((target.Target, result.List.Zone));
            listed.Add(Listing(target, result, was?.Since ?? now, now));
            if (was is null)
            {
                changes.Add(new ListingChange(ListingChangeKind.Listed, target.Target, result.List.Zone, result.Meaning));
            }
        }

        foreach (var (pair, was) in before)
        {
            if (!byPair.TryGetValue(pair, out var result) || result.IsListing)
            {
                continue; // no longer checked (not a delisting), or still listed
            }

            if (result.IsUnanswered)
            {
                listed.Add(was); // unknown is not clean: the listing stands until a list answers otherwise
            }
            else
            {
                changes.Add(new ListingChange(ListingChangeKind.Delisted, pair.Target, pair.List, was.Meaning));
            }
        }

        listed = listed.OrderBy(l => l.Target, StringComparer.Ordinal).ThenBy(l => l.List, StringComparer.Ordinal).ToList();
        var unanswered = results
            .Where(p => p.Result.IsUnanswered)
            .GroupBy(p => (p.Result.List.Zone, p.Result.Status))
            .Select(g => new UnansweredListStatus
            {
                List = g.Key.Zone,
                Status = Text(g.Key.Status),
                Count = g.Count(),
                Meaning = g.First().Result.Meaning,
            })
            .OrderBy(u => u.List, StringComparer.Ordinal)
            .ToList();
        var fcrdns = report.Targets.Where(t => t.Fcrdns is not null).ToList();
        var fcrdnsFailed = fcrdns
            .Where(t => t.Fcrdns!.Status == FcrdnsStatus.Fail)
            .Select(t => new FcrdnsFailureStatus
            {
                Address = t.Target,
                Names = t.Fcrdns!.Names.ToList(),
                Message = t.Fcrdns.Message,
            })
            .ToList();
        var fcrdnsUnknown = fcrdns.Count(t => t.Fcrdns!.Status == FcrdnsStatus.Unknown);
        var status = new ReputationStatus
        {
            CheckedAt = now,
            Addresses = report.Targets.Count(t => t.Kind == ListKind.Ip),
            Domains = report.Targets.Where(t => t.Kind == ListKind.Domain).Select(t => t.Target).ToList(),
            Lists = report.Lists.Select(l => l.Zone).ToList(),
            NotExpanded = report.NotExpanded.Count == 0 ? null : report.NotExpanded.ToList(),
            ListedCount = listed.Count,
            Listed = listed.Take(ReputationStatus.ListLimit).ToList(),
            Allowlisted = Allowlisted(results, now),
            Unanswered = unanswered.Count == 0 ? null : unanswered,
            FcrdnsPassed = fcrdns.Count(t => t.Fcrdns!.Status == FcrdnsStatus.Pass),
            FcrdnsFailedCount = fcrdnsFailed.Count,
            FcrdnsFailed = fcrdnsFailed.Count == 0 ? null : fcrdnsFailed.Take(ReputationStatus.ListLimit).ToList(),
            FcrdnsUnknown = fcrdnsUnknown,
        };
        var (condition, reason, message) = Verdict(status, fcrdnsFailed, report);
        return new DomainReputationView(status, condition, reason, message, changes);
    }

    private static (string, string, string) Verdict(
        ReputationStatus status,
        List<FcrdnsFailureStatus> fcrdnsFailed,
        ReputationReport report
    )
    {
        if (status.ListedCount > 0)
        {
            var items = status.Listed!.Take(MessageItems).Select(l => $"{l.Target} on {l.List} ({l.Meaning})");
            var more = status.ListedCount > MessageItems ? $" and {status.ListedCount - MessageItems} more" : "";

            // The rest of what is wrong, counted, so the condition alone tells the whole story.
            var also = new List<string>();
            if (fcrdnsFailed.Count > 0)
            {
                also.Add($"{fcrdnsFailed.Count} address(es) without forward-confirmed reverse DNS");
            }

            if (status.Unanswered?.Sum(u => u.Count) is > 0 and var open)
            {
                also.Add($"{open} question(s) unanswered");
            }

            var rest = also.Count > 0 ? $"; also {string.Join(", ", also)}" : "";
            return (
                Api.ConditionStatus.False,
                ConditionReasons.Listed,
                $"{status.ListedCount} listing(s): {string.Join("; ", items)}{more}{rest}"
            );
        }

        if (fcrdnsFailed.Count > 0)
        {
            var items = fcrdnsFailed.Take(MessageItems).Select(f => f.Message);
            var more = fcrdnsFailed.Count > MessageItems ? $" and {fcrdnsFailed.Count - MessageItems} more" : "";
            return (
                Api.ConditionStatus.False,
                ConditionReasons.ReverseDnsFailed,
                $"{fcrdnsFailed.Count} sending address(es) without forward-confirmed reverse DNS: {string.Join("; ", items)}{more}"
            );
        }

        if (status.Unanswered is { Count: > 0 } || status.FcrdnsUnknown > 0)
        {
            var lists = (status.Unanswered ?? []).Select(u => $"{u.List}: {u.Count} {u.Status} ({u.Meaning})");
            var reverse = status.FcrdnsUnknown > 0 ? [$"reverse DNS of {status.FcrdnsUnknown} address(es) unknown"] : Array.Empty<string>();
            return (
                Api.ConditionStatus.Unknown,
                ConditionReasons.ListsUnanswered,
                "nothing listed, but not every question was answered: " + string.Join("; ", lists.Concat(reverse))
            );
        }

        var blocklists = report.Lists.Count(l => !l.Allowlist);
        return (
            Api.ConditionStatus.True,
            ConditionReasons.NotListed,
            $"{status.Addresses} address(es) and {status.Domains!.Count} domain(s) on none of {blocklists} blocklist(s)"
                + (status.Addresses > 0 ? "; forward-confirmed reverse DNS passes for every address" : "")
        );
    }

    private static List<ListingStatus>? Allowlisted(List<(TargetResult Target, ListResult Result)> results, DateTime now)
    {
        var hits = results
            .Where(p => p.Result.List.Allowlist && p.Result.Status == ListStatus.Listed)
            .Take(ReputationStatus.ListLimit)
            .Select(p => Listing(p.Target, p.Result, now, now))
            .ToList();
        return hits.Count == 0 ? null : hits;
    }

    private static ListingStatus Listing(TargetResult target, ListResult result, DateTime since, DateTime now) =>
        new()
        {
            Target = target.Target,
            Kind = Text(target.Kind),
            List = result.List.Zone,
            Codes = result.Codes.ToList(),
            Meaning = result.Meaning,
            Since = since,
            LastSeen = now,
        };

    public static string Text(ListStatus status) => status.ToString().ToLowerInvariant();

    public static string Text(ListKind kind) => kind.ToString().ToLowerInvariant();
}
