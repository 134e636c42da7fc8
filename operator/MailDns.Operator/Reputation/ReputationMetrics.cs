using MailDns.Core.Reputation;
using Prometheus;

namespace MailDns.Operator.Reputation;

/// <summary>
/// Reputation series: <c>maildns_blocklist_listed{domain,target,list}</c> (1 listed, 0 once delisted; a pair appears
/// when first listed, so the series count follows listings, not addresses × lists), the questions each list answered by
/// outcome, and those left unanswered (refused by the list or the resolver, unreachable, or over the daily budget).
/// </summary>
public sealed class ReputationMetrics
{
    private readonly Gauge listed;
    private readonly Counter queries;
    private readonly Counter unanswered;
    private readonly Gauge reputation;

    public ReputationMetrics(CollectorRegistry registry)
    {
        var factory = Metrics.WithCustomRegistry(registry);
        listed = factory.CreateGauge(
            "maildns_blocklist_listed",
            "1 while a blocklist lists the target (a sending address or the domain), 0 once it no longer does.",
            "domain",
            "target",
            "list"
        );
        queries = factory.CreateCounter(
            "maildns_blocklist_queries_total",
            "Blocklist questions sent, by list and answer (listed, clean, refused, unknown).",
            "list",
            "status"
        );
        unanswered = factory.CreateCounter(
            "maildns_blocklist_refused_queries_total",
            "Blocklist questions without an answer, by list and why (refused, unknown, budget).",
            "list",
            "reason"
        );
        reputation = factory.CreateGauge(
            "maildns_reputation_status",
            "The Reputation condition per domain: 1 true (not listed), 0 false (listed or reverse DNS failing), -1 unknown.",
            "domain"
        );
    }

    public void Asked(string list, ListStatus status)
    {
        queries.WithLabels(list, ReputationView.Text(status)).Inc();
        if (status is ListStatus.Refused or ListStatus.Unknown)
        {
            Unanswered(list, ReputationView.Text(status));
        }
    }

    public void Unanswered(string list, string reason) => unanswered.WithLabels(list, reason).Inc();

    public void Checked(string domain, DomainReputationView view)
    {
        reputation.WithLabels(domain).Set(view.ConditionStatus switch
        {
            Core.Api.ConditionStatus.True => 1,
            Core.Api.ConditionStatus.False => 0,
            _ => -1,
        });
        foreach (var listing in view.Status.Listed ?? [])
        {
            listed.WithLabels(domain, listing.Target, listing.List).Set(1);
        }

        foreach (var change in view.Changes.Where(c => c.Kind == ListingChangeKind.Delisted))
        {
            listed.WithLabels(domain, change.Target, change.List).Set(0);
        }
    }

    public void Forget(string domain)
    {
        reputation.RemoveLabelled(domain);
        foreach (var labels in listed.GetAllLabelValues().Where(l => l[0] == domain).ToList())
        {
            listed.RemoveLabelled(labels);
        }
    }
}
