using MailDns.Core.Reports;
using Prometheus;

namespace MailDns.Operator.Reports;

/// <summary>
/// Report series: what was ingested (by source and outcome), when each source was last read, and per domain the
/// messages receivers reported (<c>maildns_dmarc_messages_total{domain,dmarc,disposition}</c>, counted as reports are
/// stored) and the window's pass rates, so a Grafana panel needs no reshaping.
/// </summary>
public sealed class ReportMetrics
{
    private readonly Counter ingested;
    private readonly Gauge lastPoll;
    private readonly Gauge lastStored;
    private readonly Counter messages;
    private readonly Gauge passRate;
    private readonly Gauge lag;
    private readonly Gauge rolloutStage;
    private readonly Counter rolloutChanges;

    public ReportMetrics(CollectorRegistry registry)
    {
        var factory = Metrics.WithCustomRegistry(registry);
        ingested = factory.CreateCounter(
            "maildns_reports_ingested_total",
            "Reports read, by source (a ReportSource, or tls-rpt-https) and outcome (stored, duplicate, invalid, rejected).",
            "source",
            "outcome"
        );
        lastPoll = factory.CreateGauge(
            "maildns_report_source_last_poll_timestamp_seconds",
            "When a ReportSource was last read (Unix).",
            "source"
        );
        lastStored = factory.CreateGauge(
            "maildns_report_source_last_stored_timestamp_seconds",
            "When a report from a ReportSource was last committed (Unix).",
            "source"
        );
        messages = factory.CreateCounter(
            "maildns_dmarc_messages_total",
            "Messages receivers reported, counted as their reports are stored, by DMARC result and disposition.",
            "domain",
            "dmarc",
            "disposition"
        );
        passRate = factory.CreateGauge(
            "maildns_dmarc_pass_rate",
            "Share of reported messages passing over the window, by kind.",
            "domain",
            "kind"
        );
        lag = factory.CreateGauge(
            "maildns_reports_last_received_age_seconds",
            "Seconds since the last report about the domain was received (ingestion lag).",
            "domain"
        );
        rolloutStage = factory.CreateGauge(
            "maildns_dmarc_rollout_stage",
            "The DMARC stage a rollout has published: 0 none, 1 quarantine with t=y, 2 quarantine, 3 reject with t=y, 4 reject.",
            "domain"
        );
        rolloutChanges = factory.CreateCounter(
            "maildns_dmarc_rollout_changes_total",
            "DMARC rollout stage changes, by direction (advance, rollback).",
            "domain",
            "direction"
        );
    }

    /// <summary>A DMARC rollout's stage (0 none ... 4 reject) and, when it moved, the step.</summary>
    public void Rollout(string domain, int stage, int step)
    {
        rolloutStage.WithLabels(domain).Set(stage);
        if (step != 0)
        {
            rolloutChanges.WithLabels(domain, step > 0 ? "advance" : "rollback").Inc();
        }
    }

    public void Polled(string source, PollResult result, DateTimeOffset now)
    {
        ingested.WithLabels(source, "stored").Inc(result.Stored);
        ingested.WithLabels(source, "duplicate").Inc(result.Duplicate);
        ingested.WithLabels(source, "invalid").Inc(result.Invalid);
        lastPoll.WithLabels(source).Set(now.ToUnixTimeSeconds());
        if (result.Stored > 0)
        {
            lastStored.WithLabels(source).Set(now.ToUnixTimeSeconds());
        }
    }

    public void Received(string source, ReportOutcome outcome) => ingested.WithLabels(source, outcome.ToString().ToLowerInvariant()).Inc();

    /// <summary>
    /// A stored aggregate report's messages, for a domain the operator manages (<paramref name="managed"/>): anyone can
    /// send a report naming any domain, and a label per such domain would grow without bound.
    /// </summary>
    public void Stored(ReportImport.Committed committed, Func<string, bool> managed)
    {
        if (!managed(committed.Domain))
        {
            return;
        }

        foreach (var ((pass, disposition), count) in committed.Messages)
        {
            var known = disposition is "none" or "quarantine" or "reject" ? disposition : "other";
            messages.WithLabels(committed.Domain, pass ? "pass" : "fail", known).Inc(count);
        }
    }

    /// <summary>The window's pass rates and the ingestion lag for one domain.</summary>
    public void Window(string domain, ReportWindow window, DateTimeOffset now)
    {
        Rate(domain, "dmarc", window.DmarcPassRate);
        Rate(domain, "dkim_aligned", window.DkimAlignedRate);
        Rate(domain, "spf_aligned", window.SpfAlignedRate);
        if (window.LastReceived is { } last)
        {
            lag.WithLabels(domain).Set((now - last).TotalSeconds);
        }
    }

    private void Rate(string domain, string kind, double? rate)
    {
        if (rate is { } r)
        {
            passRate.WithLabels(domain, kind).Set(r);
        }
        else
        {
            passRate.RemoveLabelled(domain, kind);
        }
    }

    public void Forget(string domain)
    {
        foreach (var disposition in new[] { "none", "quarantine", "reject" })
        {
            messages.RemoveLabelled(domain, "pass", disposition);
            messages.RemoveLabelled(domain, "fail", disposition);
        }

        foreach (var kind in new[] { "dmarc", "dkim_aligned", "spf_aligned" })
        {
            passRate.RemoveLabelled(domain, kind);
        }

        lag.RemoveLabelled(domain);
    }
}
