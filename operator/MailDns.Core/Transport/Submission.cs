using MailDns.Core.Health;
using MailDns.Core.MtaSts;

namespace MailDns.Core.Transport;

/// <summary>
/// One submission endpoint from the SRV records of RFC 6186: _submission._tcp (STARTTLS, port 587 style) or
/// _submissions._tcp (implicit TLS, RFC 8314 §3.3), and what a session with it showed: TLS, the certificate, and whether
/// AUTH was advertised before TLS and after.
/// </summary>
public sealed record SubmissionObservation(
    string Target,
    int Port,
    bool ImplicitTls,
    string? ConnectError,
    bool OffersStartTls,
    string? TlsError,
    string? Protocol,
    CertificateFacts? Certificate,
    bool AuthBeforeTls,
    bool AuthAfterTls
);

/// <summary>
/// The SMTP AUTH best practice, checked from outside (RFC 8314 §3, RFC 6409 §4.3): submission over TLS (implicit, or
/// STARTTLS at once), TLS 1.2 or later with a certificate valid for the SRV target, and no AUTH offered on a cleartext
/// session (credentials would cross the network in clear).
/// </summary>
public static class SubmissionChecks
{
    public static IEnumerable<CheckResult> Evaluate(SubmissionObservation s, DateTimeOffset now)
    {
        var kind = s.ImplicitTls ? "_submissions" : "_submission";
        var at = $"{kind} {s.Target}:{s.Port}";
        if (s.ConnectError is { } connect)
        {
            yield return new CheckResult("submission.tls", CheckStatus.Unknown, $"{at}: {connect}", Server: s.Target);
            yield break;
        }

        if (!s.ImplicitTls && !s.OffersStartTls)
        {
            yield return new CheckResult("submission.tls", CheckStatus.Fail, $"{at} offers no STARTTLS", Server: s.Target);
        }
        else if (s.TlsError is { } tls)
        {
            yield return new CheckResult("submission.tls", CheckStatus.Fail, $"{at}: TLS failed: {tls}", Server: s.Target);
        }
        else if (s.Protocol is not ("Tls12" or "Tls13"))
        {
            yield return new CheckResult("submission.tls", CheckStatus.Fail, $"{at}: {s.Protocol} is older than TLS 1.2", Server: s.Target);
        }
        else
        {
            var problems = CertificateProblems(s.Certificate, s.Target, now);
            yield return problems.Count > 0
                ? new CheckResult("submission.tls", CheckStatus.Fail, $"{at}: {string.Join("; ", problems)}", Server: s.Target)
                : new CheckResult(
                    "submission.tls",
                    CheckStatus.Pass,
                    $"{at}: {s.Protocol}, certificate valid for {s.Target}",
                    Server: s.Target
                );
        }

        yield return s.AuthBeforeTls
            ? new CheckResult(
                "submission.auth-after-tls",
                CheckStatus.Fail,
                $"{at} advertises AUTH before TLS: a client may send its password in clear (RFC 8314 §3)",
                Server: s.Target
            )
        : s.AuthAfterTls
            ? new CheckResult("submission.auth-after-tls", CheckStatus.Pass, $"{at}: AUTH only once TLS is up", Server: s.Target)
        : new CheckResult("submission.auth-after-tls", CheckStatus.Warn, $"{at} offers no AUTH at all", Server: s.Target);
    }

    private static List<string> CertificateProblems(CertificateFacts? cert, string host, DateTimeOffset now)
    {
        if (cert is null)
        {
            return ["no certificate"];
        }

        var problems = new List<string>();
        if (cert.ChainError is { } chain)
        {
            problems.Add($"the chain does not validate: {chain}");
        }

        if (now > cert.NotAfter || now < cert.NotBefore)
        {
            problems.Add($"not valid now (valid {cert.NotBefore.UtcDateTime:yyyy-MM-dd} to {cert.NotAfter.UtcDateTime:yyyy-MM-dd})");
        }

        if (!cert.Names.Any(n => MxPattern.Matches(n, host)))
        {
            problems.Add($"issued to {string.Join(", ", cert.Names)}, not {host}");
        }

        return problems;
    }
}
