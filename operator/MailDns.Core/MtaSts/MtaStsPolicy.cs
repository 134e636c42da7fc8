using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using MailDns.Core.Names;

namespace MailDns.Core.MtaSts;

/// <summary>The policy modes of RFC 8461 §5.</summary>
public static class MtaStsMode
{
    public const string Enforce = "enforce";
    public const string Testing = "testing";
    public const string None = "none";

    public static readonly IReadOnlyList<string> All = [Enforce, Testing, None];
}

/// <summary>
/// An MTA-STS policy (RFC 8461 §3.2): mode, the MX patterns senders may deliver to, and how long they keep it. Rendered
/// with CRLF line endings as the RFC's ABNF has it; its id (the _mta-sts record's id=) is derived from the rendered text,
/// so the id changes exactly when the policy does and never has to be remembered.
/// </summary>
public sealed record MtaStsPolicy(string Mode, IReadOnlyList<string> Mx, long MaxAgeSeconds)
{
    /// <summary>RFC 8461 §3.2: max_age is at most 31557600 seconds (about a year).</summary>
    public const long MaxMaxAge = 31_557_600;

    /// <summary>The largest policy a sender must accept is 64 KB (RFC 8461 §3.3).</summary>
    public const int MaxBytes = 64 * 1024;

    public string Render()
    {
        var text = new StringBuilder();
        text.Append("version: STSv1\r\n");
        text.Append("mode: ").Append(Mode).Append("\r\n");
        foreach (var mx in Mx)
        {
            text.Append("mx: ").Append(mx).Append("\r\n");
        }

        text.Append("max_age: ").Append(MaxAgeSeconds.ToString(CultureInfo.InvariantCulture)).Append("\r\n");
        return text.ToString();
    }

    /// <summary>The id of a policy text: 32 hex digits of its SHA-256 (RFC 8461 §3.1: 1 to 32 alphanumerics).</summary>
    public static string IdOf(string policyText) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(policyText)))[..32];

    /// <summary>
    /// The policy for a domain's MX hosts: each host as it is, in order, duplicates dropped. Hosts are matched by
    /// <see cref="MxPattern.Matches"/>, so a host list that ends up empty is an error the caller reports, never an empty
    /// policy (enforce with no mx line would refuse all mail).
    /// </summary>
    public static MtaStsPolicy For(string mode, IEnumerable<string> mx, TimeSpan maxAge) =>
        new(mode, mx.Select(DomainName.Normalize).Distinct(StringComparer.Ordinal).ToList(), (long)maxAge.TotalSeconds);
}

/// <summary>RFC 8461 §4.1: an MX pattern is a host name, or "*." and a name matching exactly one more label.</summary>
public static class MxPattern
{
    public static bool Matches(string pattern, string host)
    {
        var p = DomainName.Normalize(pattern);
        var h = DomainName.Normalize(host);
        if (!p.StartsWith("*.", StringComparison.Ordinal))
        {
            return p == h;
        }

        var dot = h.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 && h[(dot + 1)..] == p[2..];
    }

    /// <summary>Why the pattern is not one RFC 8461 allows, or null.</summary>
    public static string? Invalid(string pattern)
    {
        var name = pattern.StartsWith("*.", StringComparison.Ordinal) ? pattern[2..] : pattern;
        return DomainName.IsValidDnsName(name) && name.Contains('.', StringComparison.Ordinal) && !name.Contains('*')
            ? null
            : $"'{pattern}' is not a host name or a '*.' wildcard of one label (RFC 8461 §4.1)";
    }
}
