using System.Globalization;
using k8s.Models;
using MailDns.Core.Api;

namespace MailDns.Operator.Cli.Kubectl;

/// <summary>How the plugin shows SendingDomains: pure formatting of what the API returned.</summary>
public static class DomainViews
{
    private static string Condition(SendingDomain sd, string type) =>
        sd.Status?.Conditions?.FirstOrDefault(c => c.Type == type) is { } c ? c.Status : "-";

    private static string Time(DateTimeOffset? at) =>
        at?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm'Z'", CultureInfo.InvariantCulture) ?? "-";

    private static string Time(DateTime? at) => at is { } t ? Time(new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc))) : "-";

    /// <summary>One line per SendingDomain, in columns, as `kubectl get` prints them.</summary>
    public static IReadOnlyList<string> StatusTable(IEnumerable<SendingDomain> domains, bool allNamespaces)
    {
        var rows = new List<string[]>
        {
            allNamespaces
                ? ["NAMESPACE", "NAME", "DOMAIN", "READY", "HEALTHY", "SELECTORS", "NEXT-ROTATION", "DMARC", "REPUTATION"]
                : ["NAME", "DOMAIN", "READY", "HEALTHY", "SELECTORS", "NEXT-ROTATION", "DMARC", "REPUTATION"],
        };
        foreach (
            var sd in domains
                .OrderBy(d => d.Metadata.NamespaceProperty, StringComparer.Ordinal)
                .ThenBy(d => d.Metadata.Name, StringComparer.Ordinal)
        )
        {
            var dmarc = sd.Status?.Dmarc is { } d ? d.EffectivePolicy + (d.Testing ? " t=y" : "") : sd.Spec.Dmarc?.Policy ?? "-";
            string[] row =
            [
                sd.Metadata.Name,
                sd.Spec.Domain,
                Condition(sd, ConditionTypes.Ready),
                Condition(sd, ConditionTypes.Healthy),
                sd.Status?.Dkim?.ActiveSelectors is { Count: > 0 } selectors ? string.Join(",", selectors) : "-",
                Time(sd.Status?.Dkim?.NextRotationTime),
                dmarc,
                Condition(sd, ConditionTypes.Reputation),
            ];
            rows.Add(allNamespaces ? [sd.Metadata.NamespaceProperty, .. row] : row);
        }

        var widths = Enumerable.Range(0, rows[0].Length).Select(i => rows.Max(r => r[i].Length)).ToArray();
        return rows.Select(r => string.Join("   ", r.Select((cell, i) => cell.PadRight(widths[i]))).TrimEnd()).ToList();
    }

    /// <summary>Everything about one domain: conditions, keys and phases, records, last checks, reputation, recent events.</summary>
    public static IReadOnlyList<string> Inspect(SendingDomain sd, IEnumerable<Eventsv1Event> events)
    {
        var lines = new List<string>
        {
            $"SendingDomain {sd.Metadata.NamespaceProperty}/{sd.Metadata.Name}: {sd.Spec.Domain}",
            $"generation {sd.Metadata.Generation}, observed {sd.Status?.ObservedGeneration?.ToString(CultureInfo.InvariantCulture) ?? "-"}",
            "",
            "Conditions:",
        };
        lines.AddRange((sd.Status?.Conditions ?? []).Select(c => $"  {c.Type}={c.Status} {c.Reason}: {c.Message}"));
        lines.Add("");
        lines.Add("DKIM keys:");
        lines.AddRange(
            (sd.Status?.Dkim?.Keys ?? []).Select(k =>
                $"  {k.Selector}  {k.Algorithm}{(k.Size is { } size ? "-" + size.ToString(CultureInfo.InvariantCulture) : "")}  "
                + $"{k.Phase}  created {Time(k.CreatedAt)}  published {Time(k.PublishedAt)}  active {Time(k.ActivatedAt)}"
                + (k.RevokedAt is { } revoked ? $"  revoked {Time(revoked)}" : "")
            )
        );
        lines.Add($"  next rotation step: {Time(sd.Status?.Dkim?.NextRotationTime)}");
        lines.Add("");
        lines.Add("Records published:");
        lines.AddRange((sd.Status?.Records ?? []).Select(r => $"  {r.Name} {r.Ttl} {r.Type} {r.Value}"));
        lines.Add("");
        lines.Add($"Last checks ({Time(sd.Status?.Health?.LastCheckTime)}, next {Time(sd.Status?.Health?.NextCheckTime)}):");
        lines.AddRange((sd.Status?.Health?.Checks ?? []).Select(CheckLine));
        if (sd.Status?.Transport is { } transport)
        {
            lines.Add("");
            lines.Add($"Transport checks ({Time(transport.CheckedAt)}):");
            lines.AddRange((transport.Checks ?? []).Select(CheckLine));
        }

        if (sd.Status?.Reputation is { } reputation)
        {
            lines.Add("");
            lines.Add(
                $"Reputation ({Time(reputation.CheckedAt)}): {reputation.Addresses} address(es), {reputation.ListedCount} listing(s), "
                    + $"reverse DNS {reputation.FcrdnsPassed} pass / {reputation.FcrdnsFailedCount} fail"
            );
            lines.AddRange((reputation.Listed ?? []).Select(l => $"  {l.Target} on {l.List} since {Time(l.Since)}: {l.Meaning}"));
        }

        lines.Add("");
        lines.Add("Recent events:");
        lines.AddRange(
            events
                .OrderByDescending(e => e.EventTime ?? e.DeprecatedLastTimestamp ?? e.Metadata.CreationTimestamp)
                .Take(10)
                .Select(e => $"  {Time(e.EventTime ?? e.Metadata.CreationTimestamp)}  {e.Type,-7} {e.Reason}: {e.Note}")
        );
        return lines;
    }

    private static string CheckLine(HealthCheckStatus c) =>
        $"  {c.Status,-7} {c.Id}{(c.Selector is null ? "" : $" [{c.Selector}]")}"
        + $"{(c.Server is null ? "" : $" at {c.Server}")}: {c.Message}";
}
