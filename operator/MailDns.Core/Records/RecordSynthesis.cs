using MailDns.Core.Api;
using MailDns.Core.Dkim;
using MailDns.Core.Names;

namespace MailDns.Core.Records;

/// <summary>
/// The records a SendingDomain wants, as a pure function of its spec and the DKIM keys that must be in DNS.
/// Tags are written in a fixed canonical order so that the same spec always gives byte-identical values.
/// </summary>
public static class RecordSynthesis
{
    public static IReadOnlyList<DesiredRecord> Synthesize(SendingDomain domain, IEnumerable<DkimPublicKey> keys)
    {
        var spec = domain.Spec;
        var name = DomainName.Normalize(spec.Domain);
        var ttl = spec.Ttl ?? Defaults.Ttl;
        var owner = domain.Key;
        var records = new List<DesiredRecord>();

        if (spec.Spf is { } spf)
        {
            records.Add(new DesiredRecord(name, ttl, SpfValue(spf), RecordPurpose.Spf, owner));
        }

        foreach (var key in keys.OrderBy(k => k.Selector, StringComparer.Ordinal))
        {
            records.Add(DkimRecord(name, key, ttl, owner));
        }

        if (Dmarc.Rollout.EffectiveDmarc.Of(domain) is { } dmarc) // with a rollout, the stage it has reached
        {
            records.Add(new DesiredRecord($"_dmarc.{name}", ttl, DmarcValue(dmarc), RecordPurpose.Dmarc, owner));
        }

        // A policy the operator manages carries the id it has seen served (status.mtaSts.publishedId, RFC 8461 §8.3); none
        // before the first policy is served.
        if ((spec.MtaSts?.Mode is null ? spec.MtaSts?.Id : domain.Status?.MtaSts?.PublishedId) is { Length: > 0 } mtaStsId)
        {
            records.Add(new DesiredRecord($"_mta-sts.{name}", ttl, MtaStsValue(mtaStsId), RecordPurpose.MtaSts, owner));
        }

        if (spec.TlsRpt is { } tlsRpt)
        {
            records.Add(
                new DesiredRecord(
                    $"_smtp._tls.{name}",
                    ttl,
                    $"v=TLSRPTv1; rua={string.Join(',', tlsRpt.ReportUris)}",
                    RecordPurpose.TlsRpt,
                    owner
                )
            );
        }

        if (spec.Bimi is { } bimi)
        {
            var value = $"v=BIMI1; l={bimi.LogoUrl}" + (string.IsNullOrEmpty(bimi.AuthorityUrl) ? "" : $"; a={bimi.AuthorityUrl}");
            records.Add(new DesiredRecord($"{bimi.Selector ?? Defaults.BimiSelector}._bimi.{name}", ttl, value, RecordPurpose.Bimi, owner));
        }

        if (spec.Submission is { } submission)
        {
            records.AddRange(SubmissionRecords(submission.StartTls, RecordTypes.SubmissionName(name), Defaults.SubmissionStartTlsPort));
            records.AddRange(
                SubmissionRecords(submission.ImplicitTls, RecordTypes.SubmissionsName(name), Defaults.SubmissionImplicitTlsPort)
            );

            IEnumerable<DesiredRecord> SubmissionRecords(IList<SubmissionEndpoint>? endpoints, string at, int port) =>
                (endpoints ?? [])
                    .Select(e => SrvValueOf(e, port).ToString())
                    .Distinct(StringComparer.Ordinal)
                    .Order(StringComparer.Ordinal)
                    .Select(value => new DesiredRecord(at, ttl, value, RecordPurpose.Submission, owner));
        }

        return records;
    }

    /// <summary>The _mta-sts record for a policy id (RFC 8461 §3.1).</summary>
    public static string MtaStsValue(string id) => $"v=STSv1; id={id}";

    /// <summary>
    /// An endpoint's SRV data with the defaults filled in: its service's port, priority 0, weight 1. The host "." says the
    /// service is not offered at all (RFC 6186 §3.1), written "0 0 0 .".
    /// </summary>
    public static SrvValue SrvValueOf(SubmissionEndpoint endpoint, int defaultPort) =>
        DomainName.Normalize(endpoint.Host).Length == 0
            ? new SrvValue(0, 0, 0, "")
            : new SrvValue(
                endpoint.Priority ?? Defaults.SrvPriority,
                endpoint.Weight ?? Defaults.SrvWeight,
                endpoint.Port ?? defaultPort,
                endpoint.Host
            );

    /// <summary>The key record of one DKIM key at &lt;selector&gt;._domainkey.&lt;domain&gt; (revoked keys with p= empty).</summary>
    public static DesiredRecord DkimRecord(string domain, DkimPublicKey key, int ttl, string owner) =>
        new($"{key.Selector}._domainkey.{DomainName.Normalize(domain)}", ttl, key.RecordValue, RecordPurpose.Dkim, owner, key.Selector);

    /// <summary>Mechanisms that need no DNS come first so receivers stop early: ip4, ip6, a, mx, include, all.</summary>
    public static string SpfValue(SpfSpec spf)
    {
        var terms = new List<string> { "v=spf1" };
        terms.AddRange((spf.Ip4 ?? []).Select(ip => "ip4:" + ip));
        terms.AddRange((spf.Ip6 ?? []).Select(ip => "ip6:" + ip.ToLowerInvariant()));
        if (spf.A == true)
        {
            terms.Add("a");
        }

        if (spf.Mx == true)
        {
            terms.Add("mx");
        }

        terms.AddRange((spf.Include ?? []).Select(d => "include:" + d));
        terms.Add(
            (spf.All ?? Defaults.SpfAll) switch
            {
                "fail" => "-all",
                "neutral" => "?all",
                _ => "~all",
            }
        );
        return string.Join(' ', terms);
    }

    /// <summary>RFC 9989 tags in a fixed order: v, p, sp, np, adkim, aspf, t, fo, rua, ruf.</summary>
    public static string DmarcValue(DmarcSpec dmarc)
    {
        var tags = new List<string> { "v=DMARC1", $"p={dmarc.Policy}" };
        if (dmarc.SubdomainPolicy is { } sp)
        {
            tags.Add($"sp={sp}");
        }

        if (dmarc.NonExistentSubdomainPolicy is { } np)
        {
            tags.Add($"np={np}");
        }

        if (dmarc.DkimAlignment is { } adkim)
        {
            tags.Add($"adkim={adkim[0]}");
        }

        if (dmarc.SpfAlignment is { } aspf)
        {
            tags.Add($"aspf={aspf[0]}");
        }

        if (dmarc.Testing == true)
        {
            tags.Add("t=y");
        }

        if (dmarc.FailureOptions is { Count: > 0 } fo)
        {
            tags.Add("fo=" + string.Join(':', fo.Distinct()));
        }

        if (dmarc.AggregateReportUris is { Count: > 0 } rua)
        {
            tags.Add("rua=" + string.Join(',', rua));
        }

        if (dmarc.FailureReportUris is { Count: > 0 } ruf)
        {
            tags.Add("ruf=" + string.Join(',', ruf));
        }

        return string.Join("; ", tags);
    }
}
