using System.Globalization;
using MailDns.Core.Api;

namespace MailDns.Core.Reports;

/// <summary>The DmarcCompliant settings: the pass rate to meet and the messages needed before judging at all.</summary>
public sealed record ComplianceSettings(double Threshold = 0.98, long MinMessages = 100)
{
    public static ComplianceSettings Default { get; } = new();
}

/// <summary>
/// The DmarcCompliant verdict over a report window, in the policy-chain style of <c>StatusPolicy</c>: too few messages
/// is Unknown (no evidence is not a failure), then the pass rate against the threshold. RFC 7489 §6.6.2: a message
/// passes DMARC when DKIM or SPF passes aligned, which is what the rate counts.
/// </summary>
public static class DmarcCompliance
{
    public static (string Status, string Reason, string Message) Judge(ReportWindow window, ComplianceSettings settings)
    {
        var days = (window.To - window.From).TotalDays.ToString("0.#", CultureInfo.InvariantCulture);
        if (window.Messages < settings.MinMessages || window.DmarcPassRate is not { } rate)
        {
            return (
                ConditionStatus.Unknown,
                ConditionReasons.NotEnoughReports,
                $"{window.Messages} message(s) in {window.Reports} report(s) over {days} day(s); "
                    + $"at least {settings.MinMessages} are needed to judge"
            );
        }

        var figures =
            $"{Percent(rate)} of {window.Messages} message(s) passed DMARC over {days} day(s) "
            + $"(DKIM aligned {Percent(window.DkimAlignedRate)}, SPF aligned {Percent(window.SpfAlignedRate)}); "
            + $"threshold {Percent(settings.Threshold)}";
        if (rate >= settings.Threshold)
        {
            return (ConditionStatus.True, ConditionReasons.PassRateMet, figures);
        }

        var worst = window.FailingSources.Take(3).Select(s => $"{s.Key}{(s.ReverseName is { } n ? $" ({n})" : "")} {s.Failing}");
        return (ConditionStatus.False, ConditionReasons.PassRateBelowThreshold, $"{figures}; failing most: {string.Join(", ", worst)}");
    }

    private static string Percent(double? rate) => rate is { } r ? r.ToString("0.##%", CultureInfo.InvariantCulture) : "n/a";
}
