using System.Globalization;
using MailDns.Core.Findings;

namespace MailDns.Core.MtaSts;

/// <summary>A policy as a sender reads it, and what is wrong with it.</summary>
public sealed record ParsedPolicy(MtaStsPolicy? Policy, IReadOnlyList<Finding> Findings);

/// <summary>
/// Reads a served policy as a sending MTA does (RFC 8461 §3.2): "key: value" lines ending in CRLF or LF, version STSv1
/// first, one mode, one max_age within the RFC's range, at least one mx for enforce and testing; unknown keys are
/// extensions (ignored). Findings name the rule; a policy with errors is no policy.
/// </summary>
public static class MtaStsPolicyParser
{
    public static ParsedPolicy Parse(string text)
    {
        var findings = new List<Finding>();
        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToList();
        var pairs = new List<(string Key, string Value)>();
        foreach (var line in lines)
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                findings.Add(Finding.Error("mta-sts.policy-syntax", $"line '{line}' is not 'key: value'"));
                continue;
            }

            pairs.Add((line[..colon].Trim(), line[(colon + 1)..].Trim()));
        }

        if (pairs.Count == 0 || pairs[0] != ("version", "STSv1"))
        {
            findings.Add(Finding.Error("mta-sts.policy-syntax", "the first line must be 'version: STSv1'"));
        }

        string? One(string key)
        {
            var values = pairs.Where(p => p.Key == key).Select(p => p.Value).ToList();
            if (values.Count > 1)
            {
                findings.Add(Finding.Error("mta-sts.policy-syntax", $"'{key}' appears {values.Count} times; it must appear once"));
            }

            return values.FirstOrDefault();
        }

        var mode = One("mode");
        if (mode is null || !MtaStsMode.All.Contains(mode))
        {
            findings.Add(Finding.Error("mta-sts.policy-syntax", $"mode must be enforce, testing or none, not '{mode}'"));
        }

        var maxAgeText = One("max_age");
        if (!long.TryParse(maxAgeText, NumberStyles.None, CultureInfo.InvariantCulture, out var maxAge) || maxAge > MtaStsPolicy.MaxMaxAge)
        {
            findings.Add(
                Finding.Error("mta-sts.policy-syntax", $"max_age must be 0 to {MtaStsPolicy.MaxMaxAge} seconds, not '{maxAgeText}'")
            );
        }

        var mx = pairs.Where(p => p.Key == "mx").Select(p => p.Value).ToList();
        foreach (var pattern in mx.Where(p => MxPattern.Invalid(p) is not null))
        {
            findings.Add(Finding.Error("mta-sts.policy-syntax", MxPattern.Invalid(pattern)!));
        }

        foreach (var duplicate in mx.GroupBy(m => m.ToLowerInvariant()).Where(g => g.Count() > 1))
        {
            findings.Add(Finding.Warning("mta-sts.policy-syntax", $"mx '{duplicate.Key}' is listed {duplicate.Count()} times"));
        }

        if (mode is MtaStsMode.Enforce or MtaStsMode.Testing && mx.Count == 0)
        {
            findings.Add(Finding.Error("mta-sts.policy-syntax", $"a {mode} policy needs at least one mx line"));
        }

        return findings.HasErrors() ? new ParsedPolicy(null, findings) : new ParsedPolicy(new MtaStsPolicy(mode!, mx, maxAge), findings);
    }
}
