using System.Text.RegularExpressions;
using MailDns.Core.Names;

namespace MailDns.Core.TagLists;

/// <summary>Report destinations in DMARC rua/ruf and TLS-RPT rua: mailto: addresses and https URIs.</summary>
public static partial class ReportUri
{
    /// <summary>
    /// mailto: with its scheme in any case (RFC 3986 §3.1), an optional RFC 6068 query (?subject=...), and the
    /// RFC 7489 size suffix (!10m).
    /// </summary>
    [GeneratedRegex(
        "^(?i:mailto):([^@\\s,;!?]+)@(([A-Za-z0-9_]([-A-Za-z0-9_]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z]{2,63})"
            + "(\\?[^\\s,;!]*)?(![0-9]+[kmgtKMGT]?)?$"
    )]
    private static partial Regex MailtoRegex();

    public sealed record Parsed(string Scheme, string? Domain, bool HasSizeLimit);

    /// <summary>Null when the URI is not acceptable; the scheme and, for mailto, the destination domain otherwise.</summary>
    public static Parsed? Parse(string uri, bool allowSizeLimit)
    {
        if (MailtoRegex().IsMatch(uri))
        {
            // Matched, so the parts are where the pattern put them (and reading them needs no Match and Groups, which
            // every DMARC record on every health check round would allocate): the local part holds no '@', the domain
            // ends at the query's '?' or the size suffix's '!', and only the size suffix holds a '!'.
            var at = uri.IndexOf('@', StringComparison.Ordinal);
            var rest = uri.AsSpan(at + 1);
            var end = rest.IndexOfAny('?', '!');
            var sized = rest.Contains('!');
            var domain = (end < 0 ? rest : rest[..end]).ToString();
            return sized && !allowSizeLimit ? null : new Parsed("mailto", LowerCase.Of(domain), sized);
        }

        if (
            uri.StartsWith("https://", StringComparison.OrdinalIgnoreCase)
            && Uri.TryCreate(uri, UriKind.Absolute, out var https)
            && https.Host.Length > 0
            && !uri.Any(c => char.IsWhiteSpace(c) || c is ',' or ';' or '!')
        )
        {
            return new Parsed("https", https.Host.ToLowerInvariant(), false);
        }

        return null;
    }

    /// <summary>An absolute http: URI with a host: a scheme DMARC allows but receivers rarely use.</summary>
    public static bool IsPlainHttp(string uri) =>
        uri.StartsWith("http://", StringComparison.OrdinalIgnoreCase)
        && Uri.TryCreate(uri, UriKind.Absolute, out var http)
        && http.Host.Length > 0
        && !uri.Any(c => char.IsWhiteSpace(c) || c is ',' or ';' or '!');
}
