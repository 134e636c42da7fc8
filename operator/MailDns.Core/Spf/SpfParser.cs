using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using MailDns.Core.Findings;
using MailDns.Core.Names;

namespace MailDns.Core.Spf;

/// <summary>
/// Parses an SPF record (RFC 7208 §4.5, §5, §6, §7) into terms. Never throws: every term that does not match
/// the grammar becomes an error finding that quotes the term.
/// </summary>
public static partial class SpfParser
{
    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_.\\-]*=")]
    private static partial Regex ModifierStart();

    [GeneratedRegex("(?:/([0-9]+))?(?://([0-9]+))?$")]
    private static partial Regex DualCidrSuffix();

    public static bool LooksLikeSpf(string record) =>
        record.StartsWith("v=spf1", StringComparison.OrdinalIgnoreCase) && (record.Length == 6 || record[6] == ' ');

    public static (SpfRecord? Record, IReadOnlyList<Finding> Findings) Parse(string record)
    {
        var findings = new List<Finding>();
        if (!LooksLikeSpf(record))
        {
            findings.Add(Finding.Error("spf.not-spf", "the record does not begin with 'v=spf1' followed by a space or its end"));
            return (null, findings);
        }

        var terms = new List<SpfTerm>();
        foreach (var text in record[6..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var term = ParseTerm(text, findings);
            if (term is not null)
            {
                terms.Add(term);
            }
        }

        return (new SpfRecord(terms), findings);
    }

    private static SpfTerm? ParseTerm(string text, List<Finding> findings)
    {
        // Only a term with '=' can be a modifier; mechanisms (ip4:, include:, -all) skip the pattern.
        if (text.Contains('=', StringComparison.Ordinal) && ModifierStart().IsMatch(text))
        {
            var eq = text.IndexOf('=', StringComparison.Ordinal);
            var name = LowerCase.Of(text[..eq]);
            var value = text[(eq + 1)..];
            var problem = name switch
            {
                "redirect" => SpfMacro.CheckDomainSpec(value),
                "exp" => SpfMacro.CheckDomainSpec(value),
                _ => SpfMacro.CheckMacroString(value),
            };
            if (problem is not null)
            {
                findings.Add(Finding.Error("spf.invalid-domain-spec", $"modifier '{text}': {problem}"));
                return null;
            }

            return new SpfModifier(text, name, value);
        }

        var qualifier = SpfQualifier.Pass;
        var body = text;
        if (body.Length > 0 && "+-~?".Contains(body[0], StringComparison.Ordinal))
        {
            qualifier = body[0] switch
            {
                '-' => SpfQualifier.Fail,
                '~' => SpfQualifier.SoftFail,
                '?' => SpfQualifier.Neutral,
                _ => SpfQualifier.Pass,
            };
            body = body[1..];
        }

        var nameEnd = body.IndexOfAny([':', '/']);
        var mechName = LowerCase.Of(nameEnd < 0 ? body : body[..nameEnd]);
        var rest = nameEnd < 0 ? "" : body[nameEnd..];
        switch (mechName)
        {
            case "all":
                if (rest.Length > 0)
                {
                    return Invalid(findings, text, "'all' takes no argument");
                }

                return new SpfMechanism(text, qualifier, "all", null, null, null, null);

            case "include":
            case "exists":
            {
                if (!rest.StartsWith(':'))
                {
                    return Invalid(findings, text, $"'{mechName}' needs a domain ({mechName}:example.com)");
                }

                var domain = rest[1..];
                var problem = SpfMacro.CheckDomainSpec(domain);
                if (problem is not null)
                {
                    findings.Add(Finding.Error("spf.invalid-domain-spec", $"term '{text}': {problem}"));
                    return null;
                }

                return new SpfMechanism(text, qualifier, mechName, domain, null, null, null);
            }

            case "a":
            case "mx":
            case "ptr":
                return ParseHostMechanism(text, qualifier, mechName, rest, findings);

            case "ip4":
                return ParseIp(text, qualifier, rest, AddressFamily.InterNetwork, 32, findings);

            case "ip6":
                return ParseIp(text, qualifier, rest, AddressFamily.InterNetworkV6, 128, findings);

            default:
                return Invalid(
                    findings,
                    text,
                    $"'{mechName}' is not an SPF mechanism (all, include, a, mx, ptr, ip4, ip6, exists) nor a name=value modifier"
                );
        }
    }

    private static SpfMechanism? ParseHostMechanism(string text, SpfQualifier qualifier, string name, string rest, List<Finding> findings)
    {
        string? domain = null;
        int? cidr4 = null;
        int? cidr6 = null;
        var argument = rest;
        if (name != "ptr")
        {
            var suffix = DualCidrSuffix().Match(argument);
            if (suffix.Success && suffix.Length > 0)
            {
                if (suffix.Groups[1].Success)
                {
                    cidr4 = DecimalUpTo(suffix.Groups[1].Value, 32);
                    if (cidr4 is null)
                    {
                        findings.Add(
                            Finding.Error("spf.invalid-cidr", $"term '{text}': IPv4 prefix length /{suffix.Groups[1].Value} is not 0-32")
                        );
                        return null;
                    }
                }

                if (suffix.Groups[2].Success)
                {
                    cidr6 = DecimalUpTo(suffix.Groups[2].Value, 128);
                    if (cidr6 is null)
                    {
                        findings.Add(
                            Finding.Error("spf.invalid-cidr", $"term '{text}': IPv6 prefix length //{suffix.Groups[2].Value} is not 0-128")
                        );
                        return null;
                    }
                }

                argument = argument[..suffix.Index];
            }
        }

        if (argument.Length > 0)
        {
            if (!argument.StartsWith(':'))
            {
                return Invalid(findings, text, $"'{name}' may be followed only by ':domain' or a prefix length");
            }

            domain = argument[1..];
            var problem = SpfMacro.CheckDomainSpec(domain);
            if (problem is not null)
            {
                findings.Add(Finding.Error("spf.invalid-domain-spec", $"term '{text}': {problem}"));
                return null;
            }
        }

        return new SpfMechanism(text, qualifier, name, domain, null, cidr4, cidr6);
    }

    private static SpfMechanism? ParseIp(
        string text,
        SpfQualifier qualifier,
        string rest,
        AddressFamily family,
        int maxCidr,
        List<Finding> findings
    )
    {
        var kind = family == AddressFamily.InterNetwork ? "ip4" : "ip6";
        if (!rest.StartsWith(':') || rest.Length == 1)
        {
            return Invalid(findings, text, $"'{kind}' needs an address ({kind}:{(kind == "ip4" ? "192.0.2.0/24" : "2001:db8::/32")})");
        }

        var network = rest[1..];
        var slash = network.IndexOf('/', StringComparison.Ordinal);
        var address = slash < 0 ? network : network[..slash];
        int? cidr = null;
        if (slash >= 0)
        {
            cidr = DecimalUpTo(network.AsSpan()[(slash + 1)..], maxCidr);
            if (cidr is null)
            {
                findings.Add(
                    Finding.Error("spf.invalid-cidr", $"term '{text}': prefix length /{network[(slash + 1)..]} is not 0-{maxCidr}")
                );
                return null;
            }
        }

        var valid = family == AddressFamily.InterNetwork ? IsIp4(address) : IsIp6(address);
        if (!valid)
        {
            findings.Add(
                Finding.Error(
                    $"spf.invalid-{kind}",
                    $"term '{text}': '{address}' is not a valid {(kind == "ip4" ? "IPv4" : "IPv6")} address"
                )
            );
            return null;
        }

        return new SpfMechanism(
            text,
            qualifier,
            kind,
            null,
            network,
            family == AddressFamily.InterNetwork ? cidr : null,
            family == AddressFamily.InterNetworkV6 ? cidr : null
        );
    }

    /// <summary>RFC 7208 ip4-network: four dec-octets without leading zeros.</summary>
    public static bool IsIp4(string address)
    {
        var text = address.AsSpan();
        var octets = 0;
        foreach (var range in text.Split('.'))
        {
            if (++octets > 4 || DecimalUpTo(text[range], 255) is null)
            {
                return false;
            }
        }

        return octets == 4;
    }

    public static bool IsIp6(string address) =>
        address.Contains(':', StringComparison.Ordinal)
        && !address.Contains('%', StringComparison.Ordinal)
        && address.All(c => char.IsAsciiHexDigit(c) || c is ':' or '.')
        && IPAddress.TryParse(address, out var ip)
        && ip.AddressFamily == AddressFamily.InterNetworkV6;

    /// <summary>1-3 ASCII digits without a leading zero, at most <paramref name="max"/>: an ip4 dec-octet or a CIDR length.</summary>
    private static int? DecimalUpTo(ReadOnlySpan<char> digits, int max) =>
        digits.Length is > 0 and <= 3
        && !digits.ContainsAnyExceptInRange('0', '9')
        && (digits.Length == 1 || digits[0] != '0')
        && int.Parse(digits, CultureInfo.InvariantCulture) is var n
        && n <= max
            ? n
            : null;

    private static SpfMechanism? Invalid(List<Finding> findings, string text, string why)
    {
        findings.Add(Finding.Error("spf.invalid-term", $"term '{text}': {why}"));
        return null;
    }
}
