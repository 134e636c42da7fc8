namespace MailDns.Core.Health;

/// <summary>
/// `check --probe-selectors`: the DKIM selectors mail platforms commonly use, asked for when the user does not know
/// theirs. A probed selector that serves nothing says nothing about the domain, so only the ones found are reported.
/// </summary>
public static class SelectorProbe
{
    public static readonly IReadOnlyList<string> Common =
    [
        "default", "dkim", "mail", "smtp", "email", "google", "selector1", "selector2", "k1", "k2", "k3", "s1", "s2",
        "s1024", "s2048", "key1", "key2", "dk", "sig1", "m1", "mandrill", "mxvault", "pm", "mailjet", "smtpapi",
        "zendesk1", "zendesk2", "hs1", "hs2", "cm", "fm1", "fm2", "fm3", "protonmail", "protonmail2", "protonmail3",
        "everlytickey1", "everlytickey2", "amazonses", "ed", "rsa",
    ];

    /// <summary>The report without the probed selectors that serve no key (absent, or no answer), and which were found.</summary>
    public static (HealthReport Report, IReadOnlyList<string> Found) KeepFound(HealthReport report, IReadOnlySet<string> probed)
    {
        var absent = report
            .Checks.Where(c =>
                c.Id == "dkim.exists" && c.Selector is { } s && probed.Contains(s) && c.Status is CheckStatus.Fail or CheckStatus.Unknown
            )
            .Select(c => c.Selector!)
            .ToHashSet(StringComparer.Ordinal);
        var found = report
            .Checks.Where(c => c.Selector is { } s && probed.Contains(s) && !absent.Contains(s))
            .Select(c => c.Selector!)
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();
        return (report with { Checks = report.Checks.Where(c => c.Selector is null || !absent.Contains(c.Selector)).ToList() }, found);
    }
}
