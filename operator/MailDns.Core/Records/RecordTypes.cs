using MailDns.Core.Names;

namespace MailDns.Core.Records;

/// <summary>
/// The record type the product publishes at a name. Every name it owns holds TXT records except the submission
/// service names, which RFC 6186 §3.1 and RFC 8314 §5.1 define as SRV owner names; so the type follows from the
/// name, and status, ownership and the stores need not carry it.
/// </summary>
public static class RecordTypes
{
    public const string Txt = "TXT";
    public const string Srv = "SRV";

    /// <summary>The STARTTLS submission service (port 587 style, RFC 6186 §3.1).</summary>
    public static string SubmissionName(string domain) => $"_submission._tcp.{DomainName.Normalize(domain)}";

    /// <summary>The implicit-TLS submission service (port 465 style, RFC 8314 §5.1).</summary>
    public static string SubmissionsName(string domain) => $"_submissions._tcp.{DomainName.Normalize(domain)}";

    /// <summary>
    /// Asked for every record a check, a plan or a program touches, so it compares in place instead of normalising a copy.
    /// </summary>
    public static string At(string name)
    {
        var trimmed = name.AsSpan().Trim();
        return trimmed.StartsWith("_submission._tcp.", StringComparison.OrdinalIgnoreCase)
            || trimmed.StartsWith("_submissions._tcp.", StringComparison.OrdinalIgnoreCase)
            ? Srv
            : Txt;
    }

    public static bool IsSrv(string name) => At(name) == Srv;
}
