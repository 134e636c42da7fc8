using MailDns.Core.Findings;
using MailDns.Core.Names;
using MailDns.Core.TagLists;

namespace MailDns.Core.Dmarc;

public sealed record DmarcLintResult(IReadOnlyList<Finding> Findings, IReadOnlyList<Tag> Tags)
{
    public bool Valid => !Findings.HasErrors();

    public string? Policy => Value("p");

    /// <summary>A tag's value as receivers compare it (trimmed, lower case); null when the record lacks the tag.</summary>
    public string? Value(string tag) => Tags.Find(tag)?.Value.Trim() is { } value ? LowerCase.Of(value) : null;

    public IEnumerable<string> ReportUris(string tag) =>
        Tags.Find(tag)?.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
}

/// <summary>Lints a DMARC policy record against RFC 9989 (DMARCbis) tags and values.</summary>
public static class DmarcLinter
{
    private static readonly string[] Policies = ["none", "quarantine", "reject"];
    private static readonly Dictionary<string, int> Strength = new()
    {
        ["none"] = 0,
        ["quarantine"] = 1,
        ["reject"] = 2,
    };

    public static DmarcLintResult Lint(string record) => Lint([record]);

    public static DmarcLintResult Lint(IReadOnlyList<string> strings)
    {
        var (findings, tags, versioned) = TagList.ParseRecord(strings, "dmarc", "DMARC1", lowerCaseNames: true);
        if (!versioned)
        {
            return new DmarcLintResult(findings, tags);
        }

        foreach (var tag in tags.Skip(1))
        {
            CheckTag(tag, findings);
        }

        var p = tags.Find("p");
        if (p is null)
        {
            findings.Add(Finding.Warning("dmarc.missing-policy", "no p= tag; receivers treat the domain as p=none (RFC 9989 §5.3)"));
        }
        else if (LowerCase.Of(p.Value) is var policy && Policies.Contains(policy))
        {
            if (p.Value.Equals("none", StringComparison.OrdinalIgnoreCase))
            {
                findings.Add(Finding.Info("dmarc.policy-none", "p=none only monitors: failing mail is delivered as usual"));
            }

            var sp = tags.Find("sp");
            if (
                sp is not null
                && Strength.TryGetValue(LowerCase.Of(sp.Value), out var spStrength)
                && spStrength < Strength[policy]
            )
            {
                findings.Add(
                    Finding.Info(
                        "dmarc.weaker-subdomain-policy",
                        $"sp={sp.Value} is weaker than p={p.Value}: subdomains can be spoofed more easily"
                    )
                );
            }
        }

        if (tags.Find("rua") is null)
        {
            findings.Add(
                Finding.Info("dmarc.no-aggregate-reports", "no rua= tag: nobody receives aggregate reports, so failures go unseen")
            );
        }

        if (tags.Find("fo") is not null && tags.Find("ruf") is null)
        {
            findings.Add(Finding.Info("dmarc.fo-without-ruf", "fo= has no effect without ruf="));
        }

        return new DmarcLintResult(findings, tags);
    }

    /// <summary>
    /// Tag values compare without case (RFC 7489 §6.4: only v=DMARC1 is case-sensitive), so adkim=S, t=Y and fo=D
    /// are what receivers read as s, y and d.
    /// </summary>
    private static void CheckTag(Tag tag, List<Finding> findings)
    {
        var value = LowerCase.Of(tag.Value);
        switch (tag.Name)
        {
            case "v":
                break;
            case "p":
            case "sp":
            case "np":
                if (!Policies.Contains(value))
                {
                    findings.Add(Invalid(tag, "none, quarantine or reject"));
                }

                break;
            case "adkim":
            case "aspf":
                if (value is not ("r" or "s"))
                {
                    findings.Add(Invalid(tag, "r (relaxed) or s (strict)"));
                }

                break;
            case "t":
                if (value is not ("y" or "n"))
                {
                    findings.Add(Invalid(tag, "y or n"));
                }

                break;
            case "psd":
                if (value is not ("y" or "n" or "u"))
                {
                    findings.Add(Invalid(tag, "y, n or u"));
                }

                break;
            case "fo":
                var options = value.Split(':');
                if (options.Any(o => o.Trim() is not ("0" or "1" or "d" or "s")))
                {
                    findings.Add(Invalid(tag, "a colon-separated list of 0, 1, d and s"));
                }

                break;
            case "rua":
            case "ruf":
                CheckUris(tag, findings);
                break;
            case "pct":
            case "rf":
            case "ri":
                if (LegacyValueProblem(tag.Name, value) is { } problem)
                {
                    findings.Add(Finding.Warning("dmarc.invalid-legacy-value", $"tag {tag.Name}={TagList.Shorten(tag.Value)} {problem}"));
                }

                findings.Add(
                    Finding.Warning(
                        "dmarc.obsolete-tag",
                        $"tag {tag.Name}={value} was removed by RFC 9989 (DMARCbis); receivers ignore "
                            + $"it{(tag.Name == "pct" ? " (use t=y for testing)" : "")}"
                    )
                );
                break;
            default:
                findings.Add(Finding.Warning("dmarc.unknown-tag", $"tag {tag.Name}= is not a DMARC tag; receivers ignore it"));
                break;
        }
    }

    private static void CheckUris(Tag tag, List<Finding> findings)
    {
        var uris = tag.Value.Split(',', StringSplitOptions.TrimEntries);
        if (uris.Length == 0 || uris.Any(u => u.Length == 0))
        {
            findings.Add(Finding.Error("dmarc.invalid-uri", $"tag {tag.Name}= has an empty URI in '{TagList.Shorten(tag.Value)}'"));
            return;
        }

        foreach (var uri in uris)
        {
            var parsed = ReportUri.Parse(uri, allowSizeLimit: true);
            if (parsed is null && ReportUri.IsPlainHttp(uri))
            {
                // RFC 7489 §6.2 allows any URI scheme; receivers send aggregate reports by mail or HTTPS, and a
                // report over plain http travels in the clear.
                findings.Add(
                    Finding.Warning(
                        "dmarc.insecure-uri",
                        $"tag {tag.Name}=: '{TagList.Shorten(uri)}' is plain http; most receivers send only to mailto: or https"
                    )
                );
            }
            else if (parsed is null)
            {
                findings.Add(
                    Finding.Error(
                        "dmarc.invalid-uri",
                        $"tag {tag.Name}=: '{TagList.Shorten(uri)}' is not a mailto: address or an https URI"
                    )
                );
            }
            else if (parsed.HasSizeLimit)
            {
                findings.Add(Finding.Info("dmarc.uri-size-limit", $"tag {tag.Name}=: the !size suffix of '{uri}' was removed by RFC 9989"));
            }
        }
    }

    /// <summary>RFC 7489 §6.3 ranges of the tags DMARCbis removed: still read by older receivers, so still judged.</summary>
    private static string? LegacyValueProblem(string name, string value) =>
        name switch
        {
            "pct" when !int.TryParse(value, out var pct) || pct is < 0 or > 100 => "is outside 0-100 (RFC 7489 §6.3)",
            "ri" when !uint.TryParse(value, out _) => "is not a whole number of seconds (RFC 7489 §6.3)",
            "rf" when value.Split(':').Any(f => f.Trim() != "afrf") => "names a format other than afrf (RFC 7489 §6.3)",
            _ => null,
        };

    private static Finding Invalid(Tag tag, string expected) =>
        Finding.Error("dmarc.invalid-value", $"tag {tag.Name}={TagList.Shorten(tag.Value)} is invalid: expected {expected}");
}
