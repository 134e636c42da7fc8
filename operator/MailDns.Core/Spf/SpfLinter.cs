using System.Net;
using MailDns.Core.Findings;
using MailDns.Core.Txt;

namespace MailDns.Core.Spf;

public sealed record SpfLintResult(IReadOnlyList<Finding> Findings, SpfRecord? Record, int Lookups)
{
    public bool Valid => !Findings.HasErrors();
}

/// <summary>
/// Lints one SPF record on its own (no DNS): grammar, the rules of RFC 7208 that one record can break, and the
/// count of DNS-querying terms in it. Following includes recursively needs DNS and lives in the health checks.
/// </summary>
public static class SpfLinter
{
    public const int MaxLookups = 10;
    public const int RecommendedMaxOctets = 450;

    public static SpfLintResult Lint(string record) => Lint([record]);

    /// <param name="strings">The record's character-strings, as served.</param>
    /// <param name="parse">The parser; a health check passes its memo, which has parsed the record already.</param>
    public static SpfLintResult Lint(
        IReadOnlyList<string> strings,
        Func<string, (SpfRecord? Record, IReadOnlyList<Finding> Findings)>? parse = null
    )
    {
        var findings = new List<Finding>(StringLengths.Check(strings, "spf"));
        var record = TxtStrings.Join(strings);
        var (parsed, parseFindings) = (parse ?? SpfParser.Parse)(record);
        findings.AddRange(parseFindings);
        if (parsed is null)
        {
            return new SpfLintResult(findings, null, 0);
        }

        var octets = TxtStrings.Octets(record);
        if (octets > RecommendedMaxOctets)
        {
            findings.Add(
                Finding.Warning(
                    "spf.record-too-long",
                    $"the record is {octets} octets; above {RecommendedMaxOctets} the answer may not fit a 512-octet UDP response (RFC "
                        + $"7208 §3.4)"
                )
            );
        }

        var alls = parsed.Mechanisms.Where(m => m.Name == "all").ToList();
        if (alls.Count > 1)
        {
            // RFC 7208 §5.1: mechanisms after "all" are never tested; a second one is dead, not an error.
            findings.Add(
                Finding.Warning(
                    "spf.multiple-all",
                    $"'all' appears {alls.Count} times ({string.Join(", ", alls.Select(a => a.Text))}); only the first is ever evaluated"
                )
            );
        }

        if (alls.Count > 0)
        {
            var allIndex = parsed.Terms.ToList().IndexOf(alls[0]);
            var after = parsed.Terms.Skip(allIndex + 1).OfType<SpfMechanism>().Where(m => m.Name != "all").ToList();
            if (after.Count > 0)
            {
                findings.Add(
                    Finding.Warning(
                        "spf.terms-after-all",
                        $"mechanisms after '{alls[0].Text}' are never evaluated: {string.Join(" ", after.Select(t => t.Text))}"
                    )
                );
            }

            switch (alls[0].Qualifier)
            {
                case SpfQualifier.Pass:
                    findings.Add(
                        Finding.Error("spf.pass-all", $"'{alls[0].Text}' authorises every host on the Internet to send as this domain")
                    );
                    break;
                case SpfQualifier.Neutral:
                    findings.Add(
                        Finding.Warning("spf.neutral-all", $"'{alls[0].Text}' makes SPF say nothing about other hosts; use ~all or -all")
                    );
                    break;
            }
        }

        foreach (var name in new[] { "redirect", "exp" })
        {
            var count = parsed.Modifiers.Count(m => m.Name == name);
            if (count > 1)
            {
                findings.Add(
                    Finding.Error(
                        "spf.duplicate-modifier",
                        $"modifier '{name}=' appears {count} times; RFC 7208 §6 makes that a permanent error"
                    )
                );
            }
        }

        if (parsed.Redirect is not null && alls.Count > 0)
        {
            findings.Add(
                Finding.Warning("spf.redirect-ignored", $"'redirect={parsed.Redirect}' is ignored because the record has '{alls[0].Text}'")
            );
        }

        if (alls.Count == 0 && parsed.Redirect is null)
        {
            findings.Add(
                Finding.Warning(
                    "spf.no-all",
                    "the record has neither 'all' nor 'redirect='; other hosts get the neutral result (add ~all or -all)"
                )
            );
        }

        foreach (var ptr in parsed.Mechanisms.Where(m => m.Name == "ptr"))
        {
            findings.Add(Finding.Warning("spf.ptr", $"term '{ptr.Text}': ptr is slow, unreliable and SHOULD NOT be used (RFC 7208 §5.5)"));
        }

        foreach (var modifier in parsed.Modifiers.Where(m => m.Name is not ("redirect" or "exp")))
        {
            findings.Add(
                Finding.Info("spf.unknown-modifier", $"modifier '{modifier.Text}' is not defined by RFC 7208 and is ignored by receivers")
            );
        }

        foreach (var ip in parsed.Mechanisms.Where(m => m.Name is "ip4" or "ip6" && m.Network is not null))
        {
            if (ip.Qualifier == SpfQualifier.Pass && AuthorisesTheWorld(ip) is { } share)
            {
                findings.Add(
                    Finding.Error(
                        "spf.world-network",
                        $"term '{ip.Text}' authorises {share} of all {ip.Name[2]}-addresses to send as this domain, like +all"
                    )
                );
            }

            if (HasHostBits(ip))
            {
                findings.Add(
                    Finding.Info(
                        "spf.host-bits-set",
                        $"term '{ip.Text}': the address has bits set beyond the prefix length; receivers mask them"
                    )
                );
            }
        }

        var lookups = parsed.Lookups;
        if (lookups > MaxLookups)
        {
            var terms = parsed.Mechanisms.Where(m => m.QueriesDns).Select(m => m.Text);
            findings.Add(
                Finding.Error(
                    "spf.lookup-limit",
                    $"the record itself has {lookups} DNS-querying terms ({string.Join(" ", terms)}); more than {MaxLookups} is a "
                        + $"permanent error (RFC 7208 §4.6.4)"
                )
            );
        }

        return new SpfLintResult(findings, parsed, lookups);
    }

    /// <summary>IPv4 prefixes shorter than /8 and IPv6 prefixes shorter than /16 span many owners: no sender has one.</summary>
    public const int WidestIp4Prefix = 8;
    public const int WidestIp6Prefix = 16;

    private static string? AuthorisesTheWorld(SpfMechanism ip) =>
        ip.Name == "ip4" ? WorldShare(false, ip.Ip4Cidr ?? 32) : WorldShare(true, ip.Ip6Cidr ?? 128);

    /// <summary>The share of the address space a prefix covers ("all", "1/2", ...), when it is wider than any sender holds.</summary>
    public static string? WorldShare(bool ip6, int prefix) =>
        prefix >= (ip6 ? WidestIp6Prefix : WidestIp4Prefix) ? null
        : prefix == 0 ? "all"
        : $"1/{1L << prefix}";

    private static bool HasHostBits(SpfMechanism ip)
    {
        var slash = ip.Network!.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !IPAddress.TryParse(ip.Network[..slash], out var address))
        {
            return false;
        }

        var prefix = ip.Ip4Cidr ?? ip.Ip6Cidr ?? 0;
        var bytes = address.GetAddressBytes();
        for (var bit = prefix; bit < bytes.Length * 8; bit++)
        {
            if ((bytes[bit / 8] & (0x80 >> (bit % 8))) != 0)
            {
                return true;
            }
        }

        return false;
    }
}
