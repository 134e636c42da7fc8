using System.Globalization;
using MailDns.Core.Findings;
using MailDns.Core.Health;
using MailDns.Core.MtaSts;
using MailDns.Core.TagLists;

namespace MailDns.Core.Transport;

/// <summary>
/// The transport checks, pure over what the gatherer saw: the MX set (RFC 5321 §5.1, RFC 2181 §10.3), the MTA-STS policy
/// as a sender fetches and reads it (RFC 8461 §3, §4.1), TLS-RPT beside an MTA-STS policy (RFC 8460), and each MX's
/// STARTTLS and certificate as a sending MTA validates them under MTA-STS (RFC 8461 §4.2: a valid chain, the MX name,
/// not expired, TLS 1.2 or later).
/// </summary>
public static class TransportChecks
{
    /// <summary>A certificate expiring within this long warns.</summary>
    public static readonly TimeSpan ExpiryWarning = TimeSpan.FromDays(14);

    public static IReadOnlyList<CheckResult> Evaluate(TransportObservation o)
    {
        var results = new List<CheckResult> { MxExists(o) };
        if (o.MtaStsRecords.Count > 0)
        {
            results.AddRange(MtaSts(o));
        }

        foreach (var smtp in o.Smtp ?? [])
        {
            results.AddRange(Smtp(smtp, o.Now));
        }

        foreach (var submission in o.Submission)
        {
            results.AddRange(SubmissionChecks.Evaluate(submission, o.Now));
        }

        return results;
    }

    private static CheckResult MxExists(TransportObservation o)
    {
        if (o.Mx.Error is { } error)
        {
            return CheckResult.Unknown("mx.exists", error);
        }

        if (o.Mx.Hosts.Count == 0)
        {
            return CheckResult.Fail("mx.exists", $"{o.Domain} has no MX record: mail to it has nowhere to go");
        }

        var problems = new List<string>();
        foreach (var host in o.MxHosts)
        {
            if (host.IsAddressLiteral)
            {
                problems.Add($"{host.Host} is an address, not a host name (RFC 5321 §5.1)");
            }
            else if (host.IsAlias)
            {
                problems.Add($"{host.Host} is a CNAME; an MX must name the host itself (RFC 2181 §10.3)");
            }
            else if (host.Error is { } hostError)
            {
                return CheckResult.Unknown("mx.exists", $"{host.Host}: {hostError}");
            }
            else if (host.Addresses == 0)
            {
                problems.Add($"{host.Host} has no address");
            }
        }

        return problems.Count > 0
            ? CheckResult.Fail("mx.exists", string.Join("; ", problems))
            : CheckResult.Pass("mx.exists", $"{o.Mx.Hosts.Count} MX host(s), each with an address: {string.Join(", ", o.Mx.Hosts)}");
    }

    private static IEnumerable<CheckResult> MtaSts(TransportObservation o)
    {
        if (o.PolicyText is null)
        {
            yield return CheckResult.Fail(
                "mta-sts.policy-fetch",
                $"_mta-sts.{o.Domain} is published but the policy is not: {o.PolicyError}"
            );
            yield break;
        }

        yield return CheckResult.Pass("mta-sts.policy-fetch", $"https://mta-sts.{o.Domain}/.well-known/mta-sts.txt served the policy");
        var parsed = MtaStsPolicyParser.Parse(o.PolicyText);
        var errors = parsed.Findings.Where(f => f.Severity == Severity.Error).Select(f => f.Message).ToList();
        var warnings = parsed.Findings.Where(f => f.Severity == Severity.Warning).Select(f => f.Message).ToList();
        yield return errors.Count > 0 ? CheckResult.Fail("mta-sts.policy-syntax", string.Join("; ", errors))
        : warnings.Count > 0 ? CheckResult.Warn("mta-sts.policy-syntax", string.Join("; ", warnings))
        : CheckResult.Pass("mta-sts.policy-syntax", $"mode {parsed.Policy!.Mode}, max_age {parsed.Policy.MaxAgeSeconds}");
        if (parsed.Policy is not { } policy)
        {
            yield break;
        }

        if (policy.Mode != MtaStsMode.None)
        {
            var uncovered = o.Mx.Hosts.Where(h => !policy.Mx.Any(p => MxPattern.Matches(p, h))).ToList();
            yield return uncovered.Count == 0
                ? CheckResult.Pass("mta-sts.mx-coverage", $"every MX host matches a policy pattern ({string.Join(", ", policy.Mx)})")
                : new CheckResult(
                    "mta-sts.mx-coverage",
                    policy.Mode == MtaStsMode.Enforce ? CheckStatus.Fail : CheckStatus.Warn,
                    $"MX host(s) {string.Join(", ", uncovered)} match no mx pattern ({string.Join(", ", policy.Mx)}): "
                        + (
                            policy.Mode == MtaStsMode.Enforce
                                ? "senders enforcing the policy will not deliver to them"
                                : "in testing, reported"
                        )
                );
            yield return o.TlsRptPublished
                ? CheckResult.Pass("mta-sts.tls-rpt", $"_smtp._tls.{o.Domain} asks for TLS reports")
                : CheckResult.Warn(
                    "mta-sts.tls-rpt",
                    $"no TLS-RPT record at _smtp._tls.{o.Domain}: nobody reports the deliveries "
                        + $"{(policy.Mode == MtaStsMode.Enforce ? "an" : "a")} {policy.Mode} policy affects (RFC 8460)"
                );
        }

        if (o.ManagedPolicy)
        {
            var ids = o.MtaStsRecords.Select(r => TagList.ParseRecord([r], "mta-sts", "STSv1").Tags.Find("id")?.Value).ToList();
            var served = MtaStsPolicy.IdOf(o.PolicyText);
            yield return ids.Contains(served)
                ? CheckResult.Pass("mta-sts.id-current", $"the published id {served} is the served policy's")
                : CheckResult.Fail(
                    "mta-sts.id-current",
                    $"the published id ({string.Join(", ", ids)}) is not the served policy's ({served}): senders keep a stale policy"
                );
        }
    }

    private static IEnumerable<CheckResult> Smtp(SmtpObservation s, DateTimeOffset now)
    {
        var at = $"{s.Host}:{s.Port.ToString(CultureInfo.InvariantCulture)}";
        if (s.ConnectError is { } connect)
        {
            yield return new CheckResult("smtp.starttls", CheckStatus.Unknown, $"{at}: {connect}", Server: s.Host);
            yield break;
        }

        if (!s.OffersStartTls)
        {
            yield return new CheckResult(
                "smtp.starttls",
                CheckStatus.Fail,
                $"{at} does not offer STARTTLS: mail to it travels in clear",
                Server: s.Host
            );
            yield break;
        }

        if (s.TlsError is { } tls)
        {
            yield return new CheckResult(
                "smtp.starttls",
                CheckStatus.Fail,
                $"{at}: STARTTLS offered but TLS failed: {tls}",
                Server: s.Host
            );
            yield break;
        }

        yield return s.Protocol is "Tls12" or "Tls13"
            ? new CheckResult("smtp.starttls", CheckStatus.Pass, $"{at}: STARTTLS, {s.Protocol}", Server: s.Host)
            : new CheckResult("smtp.starttls", CheckStatus.Fail, $"{at}: TLS {s.Protocol} is older than TLS 1.2", Server: s.Host);
        if (s.Certificate is not { } cert)
        {
            yield break;
        }

        var problems = new List<string>();
        if (cert.ChainError is { } chain)
        {
            problems.Add($"the chain does not validate: {chain}");
        }

        if (now > cert.NotAfter)
        {
            problems.Add($"expired {cert.NotAfter.UtcDateTime:yyyy-MM-dd}");
        }
        else if (now < cert.NotBefore)
        {
            problems.Add($"not valid before {cert.NotBefore.UtcDateTime:yyyy-MM-dd}");
        }

        if (!cert.Names.Any(n => MxPattern.Matches(n, s.Host)))
        {
            problems.Add($"issued to {string.Join(", ", cert.Names)}, not {s.Host}");
        }

        if (s.Tlsa.Count > 0)
        {
            yield return Dane.Check(s, cert, at);
        }

        yield return problems.Count > 0
            ? new CheckResult("smtp.certificate", CheckStatus.Fail, $"{at}: {string.Join("; ", problems)}", Server: s.Host)
        : cert.NotAfter - now < ExpiryWarning
            ? new CheckResult(
                "smtp.certificate",
                CheckStatus.Warn,
                $"{at}: valid, but expires {cert.NotAfter.UtcDateTime:yyyy-MM-dd}",
                Server: s.Host
            )
        : new CheckResult(
            "smtp.certificate",
            CheckStatus.Pass,
            $"{at}: valid for {s.Host} until {cert.NotAfter.UtcDateTime:yyyy-MM-dd}",
            Server: s.Host
        );
    }
}
