using System.Globalization;
using System.Text;
using MailDns.Core.Reports;

namespace MailDns.Operator.Reports;

/// <summary>
/// The window as `reports summary` prints it: JSON with flat, labelled arrays (Grafana's JSON data sources and jq
/// read it without reshaping), or text for people.
/// </summary>
public static class ReportWindowJson
{
    public static object From(ReportWindow w) =>
        new
        {
            domain = w.Domain,
            from = Iso(w.From),
            to = Iso(w.To),
            reports = w.Reports,
            messages = w.Messages,
            dmarcPass = w.DmarcPass,
            dmarcPassRate = w.DmarcPassRate,
            dkimAlignedPassRate = w.DkimAlignedRate,
            spfAlignedPassRate = w.SpfAlignedRate,
            reporters = w.Reporters.Select(Tally),
            sources = w.Sources.Select(Tally),
            failingSources = w.FailingSources.Select(Tally),
            selectors = w.Selectors.Select(s => new
            {
                domain = s.Domain,
                selector = s.Selector,
                messages = s.Messages,
                pass = s.Pass,
            }),
            dispositions = w.Dispositions.Select(d => new
            {
                disposition = d.Disposition,
                dmarc = d.DmarcPass ? "pass" : "fail",
                messages = d.Messages,
            }),
            tls = new { successfulSessions = w.TlsSuccessfulSessions, failedSessions = w.TlsFailedSessions },
            failureReports = w.FailureReports,
            lastReceived = w.LastReceived is { } last ? Iso(last) : null,
        };

    private static object Tally(SourceTally t) =>
        new
        {
            key = t.Key,
            reverseName = t.ReverseName,
            messages = t.Messages,
            dmarcPass = t.DmarcPass,
            failing = t.Failing,
        };

    public static string Text(ReportWindow w)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{w.Domain}: {Iso(w.From)} to {Iso(w.To)}, {w.Reports} report(s)");
        text.AppendLine(
            CultureInfo.InvariantCulture,
            $"  messages {w.Messages}, DMARC pass {Percent(w.DmarcPassRate)}, DKIM aligned {Percent(w.DkimAlignedRate)}, "
                + $"SPF aligned {Percent(w.SpfAlignedRate)}"
        );
        Section(text, "reporters", w.Reporters.Select(Line));
        Section(text, "sources", w.Sources.Select(Line));
        Section(text, "failing sources", w.FailingSources.Select(t => $"{Name(t)}: {t.Failing} failing of {t.Messages}"));
        Section(text, "DKIM selectors seen", w.Selectors.Select(s => $"{s.Selector}._domainkey.{s.Domain}: {s.Pass} pass of {s.Messages}"));
        if (w.TlsSuccessfulSessions + w.TlsFailedSessions > 0)
        {
            text.AppendLine(
                CultureInfo.InvariantCulture,
                $"  TLS sessions: {w.TlsSuccessfulSessions} successful, {w.TlsFailedSessions} failed"
            );
        }

        if (w.FailureReports > 0)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  failure reports: {w.FailureReports}");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"  last report received: {(w.LastReceived is { } l ? Iso(l) : "never")}");
        return text.ToString();
    }

    private static void Section(StringBuilder text, string title, IEnumerable<string> lines)
    {
        var list = lines.ToList();
        if (list.Count == 0)
        {
            return;
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"  {title}:");
        foreach (var line in list)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"    {line}");
        }
    }

    private static string Line(SourceTally t) => $"{Name(t)}: {t.Messages} message(s), {t.DmarcPass} passing";

    private static string Name(SourceTally t) => t.ReverseName is { } name ? $"{t.Key} ({name})" : t.Key;

    private static string Percent(double? rate) => rate is { } r ? r.ToString("P1", CultureInfo.InvariantCulture) : "n/a";

    public static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
