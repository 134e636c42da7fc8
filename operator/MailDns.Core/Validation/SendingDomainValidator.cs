using System.Text.RegularExpressions;
using MailDns.Core.Api;
using MailDns.Core.Bimi;
using MailDns.Core.Dkim;
using MailDns.Core.Dmarc;
using MailDns.Core.Findings;
using MailDns.Core.MtaSts;
using MailDns.Core.Names;
using MailDns.Core.Records;
using MailDns.Core.Spf;
using MailDns.Core.TagLists;
using MailDns.Core.TlsRpt;

namespace MailDns.Core.Validation;

/// <summary>
/// The rules a SendingDomain must satisfy beyond its schema: cross-field rules (the CRD's CEL rules, which
/// manifests on disk never meet), settings that would break signing, and records that would lint badly.
/// Pure: the provider, when known, is passed in.
/// </summary>
public static partial class SendingDomainValidator
{
    [GeneratedRegex("^[a-z][a-z0-9-]{0,31}$")]
    private static partial Regex SelectorPrefixRegex();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")]
    private static partial Regex SelectorRegex();

    [GeneratedRegex("^(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?$")]
    private static partial Regex HostPortRegex();

    /// <summary>The largest RSA key whose DKIM record fits DigitalOcean's 512-octet TXT data.</summary>
    public const int DigitalOceanMaxRsaBits = 2048;

    public static IReadOnlyList<Finding> Validate(SendingDomain domain, DnsProviderSpec? provider = null)
    {
        var findings = new List<Finding>();
        var spec = domain.Spec;
        MetadataRules.CheckName(domain.Metadata?.Name, findings);

        if (!DomainName.IsValidSendingDomain(spec.Domain ?? ""))
        {
            findings.Add(
                Finding.Error(
                    "domain.invalid",
                    $"'{spec.Domain}' is not a lower-case RFC 1123 domain name with at least two labels",
                    "spec.domain"
                )
            );
        }
        else if (provider is not null && DomainName.IsValidDnsName(provider.Zone) && !DomainName.IsInZone(spec.Domain!, provider.Zone))
        {
            findings.Add(
                Finding.Error("domain.not-in-zone", $"'{spec.Domain}' is not in the provider's zone '{provider.Zone}'", "spec.domain")
            );
        }

        if (spec.ProviderRef is null || string.IsNullOrEmpty(spec.ProviderRef.Name))
        {
            findings.Add(Finding.Error("provider-ref.missing", "providerRef.name is required", "spec.providerRef.name"));
        }
        else if (spec.ProviderRef.Kind is not (null or "DnsProvider" or "ClusterDnsProvider"))
        {
            findings.Add(
                Finding.Error(
                    "provider-ref.invalid-kind",
                    $"kind '{spec.ProviderRef.Kind}' must be DnsProvider or ClusterDnsProvider",
                    "spec.providerRef.kind"
                )
            );
        }

        var ttl = spec.Ttl ?? Defaults.Ttl;
        if (ttl is < 60 or > 86400)
        {
            findings.Add(Finding.Error("ttl.out-of-range", $"ttl {ttl} must be between 60 and 86400 seconds", "spec.ttl"));
        }

        if (spec.Spf is { } spf)
        {
            CheckSpf(spf, findings);
        }

        if (spec.Dkim is { } dkim)
        {
            CheckDkim(dkim, ttl, provider, findings);
        }

        if (spec.Dmarc is { } dmarc)
        {
            CheckDmarc(dmarc, DomainName.Normalize(spec.Domain ?? ""), findings);
        }

        if (spec.Bimi is not null && spec.Dmarc is { Policy: not ("quarantine" or "reject") } or null)
        {
            findings.Add(
                Finding.Warning(
                    "bimi.without-enforcement",
                    "receivers show a BIMI logo only under DMARC p=quarantine or p=reject",
                    "spec.bimi"
                )
            );
        }

        if (spec.Publish?.Mode is not (null or "apply" or "preview"))
        {
            findings.Add(
                Finding.Error("publish.invalid-mode", $"mode '{spec.Publish!.Mode}' must be apply or preview", "spec.publish.mode")
            );
        }

        if (spec.DeletionPolicy is not (null or "Retain" or "Delete"))
        {
            findings.Add(
                Finding.Error(
                    "deletion-policy.invalid",
                    $"deletionPolicy '{spec.DeletionPolicy}' must be Retain or Delete",
                    "spec.deletionPolicy"
                )
            );
        }

        if (spec.HealthCheck is { } health)
        {
            CheckHealth(health, findings);
        }

        if (spec.MtaSts is { } mtaSts)
        {
            CheckMtaSts(mtaSts, findings);
        }

        if (
            spec.TransportCheck?.Schedule is { } transportSchedule
            && transportSchedule.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length is < 6 or > 7
        )
        {
            findings.Add(
                Finding.Error(
                    "transport.invalid-schedule",
                    $"schedule '{transportSchedule}' must be a Quartz cron expression of 6 or 7 fields, seconds first (0 30 * * * ?)",
                    "spec.transportCheck.schedule"
                )
            );
        }

        if (spec.Submission is { } submission)
        {
            CheckSubmission(submission.StartTls, "spec.submission.startTls", findings);
            CheckSubmission(submission.ImplicitTls, "spec.submission.implicitTls", findings);
        }

        if (!findings.HasErrors())
        {
            LintRenderedRecords(domain, findings);
        }

        return findings;
    }

    private static void CheckSpf(SpfSpec spf, List<Finding> findings)
    {
        if (spf.All == "pass")
        {
            findings.Add(
                Finding.Error(
                    "spf.pass-all",
                    "all: pass (+all) authorises every host on the Internet; use fail, softfail or neutral",
                    "spec.spf.all"
                )
            );
        }
        else if (spf.All is not (null or "fail" or "softfail" or "neutral"))
        {
            findings.Add(Finding.Error("spf.invalid-all", $"all '{spf.All}' must be fail, softfail or neutral", "spec.spf.all"));
        }

        for (var i = 0; i < (spf.Ip4?.Count ?? 0); i++)
        {
            if (!IsNetwork(spf.Ip4![i], SpfParser.IsIp4, 32))
            {
                findings.Add(
                    Finding.Error("spf.invalid-ip4", $"'{spf.Ip4[i]}' is not an IPv4 address or CIDR range", $"spec.spf.ip4[{i}]")
                );
            }
        }

        CheckWorldNetworks(spf.Ip4, ip6: false, "spec.spf.ip4", findings);
        CheckWorldNetworks(spf.Ip6, ip6: true, "spec.spf.ip6", findings);
        for (var i = 0; i < (spf.Ip6?.Count ?? 0); i++)
        {
            if (!IsNetwork(spf.Ip6![i], SpfParser.IsIp6, 128))
            {
                findings.Add(
                    Finding.Error("spf.invalid-ip6", $"'{spf.Ip6[i]}' is not an IPv6 address or CIDR range", $"spec.spf.ip6[{i}]")
                );
            }
        }

        var includes = spf.Include ?? [];
        for (var i = 0; i < includes.Count; i++)
        {
            if (!DomainName.IsValidDnsName(includes[i]) || SpfMacro.CheckDomainSpec(includes[i]) is not null)
            {
                findings.Add(Finding.Error("spf.invalid-include", $"'{includes[i]}' is not a domain name", $"spec.spf.include[{i}]"));
            }
        }

        foreach (var duplicate in includes.GroupBy(d => d.ToLowerInvariant()).Where(g => g.Count() > 1))
        {
            findings.Add(
                Finding.Warning(
                    "spf.duplicate-include",
                    $"include '{duplicate.Key}' is listed {duplicate.Count()} times; each costs lookups",
                    "spec.spf.include"
                )
            );
        }

        var lookups = includes.Count + (spf.A == true ? 1 : 0) + (spf.Mx == true ? 1 : 0);
        if (lookups > SpfLinter.MaxLookups)
        {
            findings.Add(
                Finding.Error(
                    "spf.lookup-budget",
                    $"the record alone has {lookups} DNS-querying terms (include, a, mx); receivers fail SPF above "
                        + $"{SpfLinter.MaxLookups}, before counting nested includes",
                    "spec.spf"
                )
            );
        }

        if (includes.Count == 0 && (spf.Ip4?.Count ?? 0) == 0 && (spf.Ip6?.Count ?? 0) == 0 && spf.A != true && spf.Mx != true)
        {
            findings.Add(
                Finding.Warning(
                    "spf.authorises-nothing",
                    "the SPF record authorises no host; mail from this domain fails SPF everywhere",
                    "spec.spf"
                )
            );
        }
    }

    /// <summary>A network so wide it authorises much of the Internet is refused like all: pass.</summary>
    private static void CheckWorldNetworks(IList<string>? networks, bool ip6, string field, List<Finding> findings)
    {
        for (var i = 0; i < (networks?.Count ?? 0); i++)
        {
            var slash = networks![i].IndexOf('/', StringComparison.Ordinal);
            if (slash > 0 && int.TryParse(networks[i][(slash + 1)..], out var prefix) && SpfLinter.WorldShare(ip6, prefix) is { } share)
            {
                var message = $"'{networks[i]}' authorises {share} of all addresses to send as this domain, like all: pass";
                findings.Add(Finding.Error("spf.world-network", message, $"{field}[{i}]"));
            }
        }
    }

    private static bool IsNetwork(string text, Func<string, bool> isAddress, int maxPrefix)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return isAddress(text);
        }

        var prefix = text[(slash + 1)..];
        return isAddress(text[..slash])
            && prefix.Length is > 0 and <= 3
            && prefix.All(char.IsAsciiDigit)
            && int.Parse(prefix, System.Globalization.CultureInfo.InvariantCulture) <= maxPrefix;
    }

    private static void CheckDkim(DkimSpec dkim, int ttl, DnsProviderSpec? provider, List<Finding> findings)
    {
        var names = (dkim.Series ?? [])
            .SelectMany(x =>
            {
                var algorithm = x.Algorithm ?? Defaults.DkimAlgorithm;
                return new[] { algorithm, x.SelectorPrefix ?? Defaults.SelectorPrefixFor(algorithm) };
            })
            .ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < (dkim.RotateRequestedSeries?.Count ?? 0); i++)
        {
            if (!names.Contains(dkim.RotateRequestedSeries![i]))
            {
                findings.Add(
                    Finding.Error(
                        "dkim.rotate-unknown-series",
                        $"'{dkim.RotateRequestedSeries[i]}' is no series of spec.dkim.series (an algorithm or a selectorPrefix: "
                            + $"{string.Join(", ", names.Order(StringComparer.Ordinal))})",
                        $"spec.dkim.rotateRequestedSeries[{i}]"
                    )
                );
            }
        }

        var series = dkim.Series ?? [];
        if (dkim.Series is { Count: 0 })
        {
            findings.Add(Finding.Error("dkim.no-series", "series is empty; omit it for the default RSA-2048 series", "spec.dkim.series"));
        }

        if (series.Count > 4)
        {
            findings.Add(Finding.Error("dkim.too-many-series", $"{series.Count} series; at most 4", "spec.dkim.series"));
        }

        var algorithms = new List<DkimAlgorithm>();
        for (var i = 0; i < series.Count; i++)
        {
            var s = series[i];
            var path = $"spec.dkim.series[{i}]";
            if (!DkimAlgorithmText.TryParse(s.Algorithm, out var algorithm))
            {
                findings.Add(
                    Finding.Error(
                        "dkim.invalid-algorithm",
                        $"algorithm '{s.Algorithm}' must be rsa-sha256 or ed25519-sha256",
                        path + ".algorithm"
                    )
                );
                continue;
            }

            algorithms.Add(algorithm);
            // A size on an Ed25519 series is the CRD's CEL rule [dkim.size-not-rsa], evaluated by CrdRules.
            var rsa = algorithm != DkimAlgorithm.Ed25519Sha256;
            if (rsa && s.Size is { } bits && RsaKeySizes.Problem(bits) is { } problem)
            {
                findings.Add(Finding.Error("dkim.rsa-size", $"size {problem}", path + ".size"));
            }
            else if (rsa && s.Size > DigitalOceanMaxRsaBits && provider?.Pulumi?.Package == "digitalocean")
            {
                // DigitalOcean's API takes at most 512 octets of TXT data in one record; an RSA key above 2048 bits
                // does not fit (RSA-3072's record is about 560 octets), and the publish would fail at `pulumi up`.
                findings.Add(
                    Finding.Error(
                        "dkim.provider-record-too-long",
                        $"size {s.Size}: DigitalOcean takes at most 512 octets of TXT data per record, which holds RSA keys up to "
                            + $"{DigitalOceanMaxRsaBits} bits; use 2048 or an Ed25519 series",
                        path + ".size"
                    )
                );
            }
            else if (rsa && s.Size is < RsaKeySizes.Recommended)
            {
                findings.Add(
                    Finding.Warning(
                        "dkim.rsa-weak",
                        $"size {s.Size}: RSA keys below 2048 bits are weak (RFC 8301 and M3AAWG recommend 2048)",
                        path + ".size"
                    )
                );
            }

            var prefix = s.SelectorPrefix ?? Defaults.SelectorPrefixFor(algorithm.ToText());
            if (!SelectorPrefixRegex().IsMatch(prefix))
            {
                findings.Add(
                    Finding.Error(
                        "dkim.invalid-prefix",
                        $"selectorPrefix '{prefix}' must be a lower-case letter followed by up to 31 letters, digits or hyphens",
                        path + ".selectorPrefix"
                    )
                );
            }
        }

        var prefixes = series.Select(s => s.SelectorPrefix ?? Defaults.SelectorPrefixFor(s.Algorithm ?? Defaults.DkimAlgorithm)).ToList();
        foreach (var dup in prefixes.GroupBy(p => p).Where(g => g.Count() > 1))
        {
            findings.Add(
                Finding.Error(
                    "dkim.duplicate-prefix",
                    $"selectorPrefix '{dup.Key}' is used by {dup.Count()} series; each series needs its own",
                    "spec.dkim.series"
                )
            );
        }

        // A prefix that is a prefix of another would let the two series' selectors collide (ab + 20260101 vs a + b2026...).
        foreach (var p in prefixes.Distinct())
        {
            foreach (
                var q in prefixes
                    .Distinct()
                    .Where(q =>
                        q != p && q.StartsWith(p, StringComparison.Ordinal) && q.Length > p.Length && !char.IsAsciiDigit(q[p.Length])
                    )
            )
            {
                findings.Add(
                    Finding.Warning(
                        "dkim.overlapping-prefix",
                        $"selectorPrefix '{p}' is the start of '{q}'; pick prefixes that cannot be confused",
                        "spec.dkim.series"
                    )
                );
            }
        }

        if (algorithms.Count > 0 && algorithms.All(a => a == DkimAlgorithm.Ed25519Sha256))
        {
            findings.Add(
                Finding.Warning(
                    "dkim.ed25519-only",
                    "only Ed25519 keys: many receivers cannot verify ed25519-sha256 yet; add an rsa-sha256 series for dual signing",
                    "spec.dkim.series"
                )
            );
        }

        CheckRotation(dkim.Rotation, ttl, findings);

        var compromised = dkim.CompromisedSelectors ?? [];
        for (var i = 0; i < compromised.Count; i++)
        {
            if (!SelectorRegex().IsMatch(compromised[i]))
            {
                findings.Add(
                    Finding.Error(
                        "dkim.invalid-selector",
                        $"'{compromised[i]}' is not a valid selector",
                        $"spec.dkim.compromisedSelectors[{i}]"
                    )
                );
            }
            else if (!prefixes.Any(p => compromised[i].StartsWith(p, StringComparison.Ordinal)))
            {
                findings.Add(
                    Finding.Warning(
                        "dkim.unknown-compromised-selector",
                        $"'{compromised[i]}' does not belong to any series (prefixes {string.Join(", ", prefixes)}); it is ignored",
                        $"spec.dkim.compromisedSelectors[{i}]"
                    )
                );
            }
        }
    }

    private static void CheckRotation(DkimRotationSpec? rotation, int ttl, List<Finding> findings)
    {
        const string path = "spec.dkim.rotation";
        TimeSpan Read(string? text, string fallback, string field)
        {
            if (text is null)
            {
                return DurationText.ParseOr(null, fallback);
            }

            if (DurationText.TryParse(text, out var d))
            {
                return d;
            }

            findings.Add(
                Finding.Error(
                    "dkim.invalid-duration",
                    $"{field} '{text}' is not a duration such as 90d, 36h or 1h30m (units ms, s, m, h, d, w)",
                    $"{path}.{field}"
                )
            );
            return DurationText.ParseOr(null, fallback);
        }

        var interval = Read(rotation?.Interval, Defaults.RotationInterval, "interval");
        var propagation = Read(rotation?.PropagationDelay, Defaults.PropagationDelay, "propagationDelay");
        var retire = Read(rotation?.RetireAfter, Defaults.RetireAfter, "retireAfter");
        Read(rotation?.RevokeFor, Defaults.RevokeFor, "revokeFor");

        if (propagation < TimeSpan.FromSeconds(ttl))
        {
            findings.Add(
                Finding.Error(
                    "dkim.propagation-below-ttl",
                    $"propagationDelay {DurationText.Format(propagation)} is below the record TTL ({ttl}s): resolvers that cached the "
                        + $"selector's absence would fail signatures made with the new key",
                    $"{path}.propagationDelay"
                )
            );
        }

        if (interval <= propagation + TimeSpan.FromTicks(1) || interval < TimeSpan.FromHours(1))
        {
            findings.Add(
                Finding.Error(
                    "dkim.interval-too-short",
                    $"interval {DurationText.Format(interval)} must exceed propagationDelay {DurationText.Format(propagation)} and be at "
                        + $"least 1h, or a new key would be due before the last one is active",
                    $"{path}.interval"
                )
            );
        }
        else if (interval > TimeSpan.FromDays(366))
        {
            findings.Add(
                Finding.Warning(
                    "dkim.interval-long",
                    $"interval {DurationText.Format(interval)}: M3AAWG recommends rotating at least every 6 to 12 months",
                    $"{path}.interval"
                )
            );
        }

        if (retire < TimeSpan.FromDays(2))
        {
            findings.Add(
                Finding.Warning(
                    "dkim.retire-short",
                    $"retireAfter {DurationText.Format(retire)}: mail still queued or verified late (retries, forwarding) fails once the "
                        + $"old key is revoked; M3AAWG suggests several days",
                    $"{path}.retireAfter"
                )
            );
        }
    }

    private static void CheckDmarc(DmarcSpec dmarc, string domain, List<Finding> findings)
    {
        const string path = "spec.dmarc";
        foreach (
            var (value, field) in new[]
            {
                (dmarc.Policy, "policy"),
                (dmarc.SubdomainPolicy, "subdomainPolicy"),
                (dmarc.NonExistentSubdomainPolicy, "nonExistentSubdomainPolicy"),
            }
        )
        {
            if (value is not null || field == "policy")
            {
                if (value is not ("none" or "quarantine" or "reject"))
                {
                    findings.Add(
                        Finding.Error("dmarc.invalid-policy", $"{field} '{value}' must be none, quarantine or reject", $"{path}.{field}")
                    );
                }
            }
        }

        foreach (var (value, field) in new[] { (dmarc.DkimAlignment, "dkimAlignment"), (dmarc.SpfAlignment, "spfAlignment") })
        {
            if (value is not (null or "relaxed" or "strict"))
            {
                findings.Add(Finding.Error("dmarc.invalid-alignment", $"{field} '{value}' must be relaxed or strict", $"{path}.{field}"));
            }
        }

        var fo = dmarc.FailureOptions ?? [];
        for (var i = 0; i < fo.Count; i++)
        {
            if (fo[i] is not ("0" or "1" or "d" or "s"))
            {
                findings.Add(
                    Finding.Error(
                        "dmarc.invalid-failure-option",
                        $"failure option '{fo[i]}' must be 0, 1, d or s",
                        $"{path}.failureOptions[{i}]"
                    )
                );
            }
        }

        foreach (
            var (uris, field) in new[]
            {
                (dmarc.AggregateReportUris, "aggregateReportUris"),
                (dmarc.FailureReportUris, "failureReportUris"),
            }
        )
        {
            for (var i = 0; i < (uris?.Count ?? 0); i++)
            {
                var parsed = ReportUri.Parse(uris![i], allowSizeLimit: true);
                if (parsed is null)
                {
                    findings.Add(
                        Finding.Error("dmarc.invalid-uri", $"'{uris[i]}' is not a mailto: address or an https URI", $"{path}.{field}[{i}]")
                    );
                }
                else if (
                    parsed.Scheme == "mailto"
                    && parsed.Domain is { } dest
                    && DomainName.Organizational(dest) != DomainName.Organizational(domain)
                )
                {
                    findings.Add(
                        Finding.Info(
                            "dmarc.external-destination",
                            $"reports to '{dest}' are sent only if it publishes '{domain}._report._dmarc.{dest}' TXT \"v=DMARC1\" (RFC "
                                + $"9990)",
                            $"{path}.{field}[{i}]"
                        )
                    );
                }
            }
        }

        if (dmarc.Policy is "quarantine" or "reject" && (dmarc.AggregateReportUris?.Count ?? 0) == 0)
        {
            findings.Add(
                Finding.Warning(
                    "dmarc.enforce-without-reports",
                    $"policy {dmarc.Policy} without aggregateReportUris: mail that fails is "
                        + $"{(dmarc.Policy == "reject" ? "rejected" : "quarantined")} and nobody is told",
                    $"{path}.aggregateReportUris"
                )
            );
        }

        if (fo.Count > 0 && (dmarc.FailureReportUris?.Count ?? 0) == 0)
        {
            findings.Add(
                Finding.Info("dmarc.fo-without-ruf", "failureOptions have no effect without failureReportUris", $"{path}.failureOptions")
            );
        }
    }

    /// <summary>RFC 8461: a policy is either the operator's (mode; it renders, serves and ids it) or yours (id).</summary>
    private static void CheckMtaSts(MtaStsSpec mtaSts, List<Finding> findings)
    {
        if ((mtaSts.Mode is null) == string.IsNullOrEmpty(mtaSts.Id))
        {
            findings.Add(
                Finding.Error(
                    "mta-sts.id-or-mode",
                    "set mode (the operator renders, serves and ids the policy) or id (a policy you host), not both and not neither",
                    "spec.mtaSts"
                )
            );
        }

        if (mtaSts.Mode is { } mode && !MtaStsMode.All.Contains(mode))
        {
            findings.Add(Finding.Error("mta-sts.invalid-mode", $"mode '{mode}' must be enforce, testing or none", "spec.mtaSts.mode"));
        }

        for (var i = 0; i < (mtaSts.Mx?.Count ?? 0); i++)
        {
            if (MxPattern.Invalid(mtaSts.Mx![i]) is { } invalid)
            {
                findings.Add(Finding.Error("mta-sts.invalid-mx", invalid, $"spec.mtaSts.mx[{i}]"));
            }
        }

        if (mtaSts.MaxAge is { } text)
        {
            if (!DurationText.TryParse(text, out var maxAge) || maxAge.TotalSeconds > MtaStsPolicy.MaxMaxAge || maxAge <= TimeSpan.Zero)
            {
                findings.Add(
                    Finding.Error(
                        "mta-sts.invalid-max-age",
                        $"maxAge '{text}' must be a duration above 0 and at most {MtaStsPolicy.MaxMaxAge} seconds (RFC 8461 §3.2)",
                        "spec.mtaSts.maxAge"
                    )
                );
            }
            else if (maxAge < TimeSpan.FromDays(1))
            {
                findings.Add(
                    Finding.Warning(
                        "mta-sts.short-max-age",
                        $"maxAge {text} is under a day: senders fetch the policy that often, and an attacker who blocks one fetch "
                            + "strips it sooner (RFC 8461 §10.2 recommends weeks)",
                        "spec.mtaSts.maxAge"
                    )
                );
            }
        }
    }

    /// <summary>RFC 2782: an SRV target is a host name (never an address), the numbers are 16-bit; "." alone says "not offered".</summary>
    private static void CheckSubmission(IList<SubmissionEndpoint>? endpoints, string path, List<Finding> findings)
    {
        for (var i = 0; i < (endpoints?.Count ?? 0); i++)
        {
            var endpoint = endpoints![i];
            var at = $"{path}[{i}]";
            var host = DomainName.Normalize(endpoint.Host);
            if (host.Length == 0 && endpoint.Host.Trim() == ".")
            {
                if (endpoints.Count > 1)
                {
                    findings.Add(
                        Finding.Error(
                            "submission.not-offered-alone",
                            "host \".\" says the service is not offered (RFC 6186 §3.1), so it must be the only endpoint in its list",
                            $"{at}.host"
                        )
                    );
                }

                continue;
            }

            if (System.Net.IPAddress.TryParse(host, out _) || !DomainName.IsValidSendingDomain(host))
            {
                findings.Add(
                    Finding.Error(
                        "submission.invalid-host",
                        $"host '{endpoint.Host}' must be a host name of at least two labels, not an address (RFC 2782)",
                        $"{at}.host"
                    )
                );
            }

            foreach (
                var (field, value, min) in new[]
                {
                    ("port", endpoint.Port, 1),
                    ("priority", endpoint.Priority, 0),
                    ("weight", endpoint.Weight, 0),
                }
            )
            {
                if (value is { } number && (number < min || number > ushort.MaxValue))
                {
                    findings.Add(
                        Finding.Error(
                            "submission.invalid-number",
                            $"{field} {number} must be from {min} to {ushort.MaxValue}",
                            $"{at}.{field}"
                        )
                    );
                }
            }
        }
    }

    private static void CheckHealth(HealthCheckSpec health, List<Finding> findings)
    {
        if (health.Schedule is { } schedule && schedule.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length is < 6 or > 7)
        {
            findings.Add(
                Finding.Error(
                    "health.invalid-schedule",
                    $"schedule '{schedule}' must be a Quartz cron expression of 6 or 7 fields, seconds first (0 0/15 * * * ?)",
                    "spec.healthCheck.schedule"
                )
            );
        }

        var servers = health.Nameservers ?? [];
        for (var i = 0; i < servers.Count; i++)
        {
            if (!HostPort.TryParse(servers[i], 53, out _, out _))
            {
                findings.Add(
                    Finding.Error(
                        "health.invalid-nameserver",
                        $"'{servers[i]}' is not host, host:port or [ipv6]:port",
                        $"spec.healthCheck.nameservers[{i}]"
                    )
                );
            }
        }
    }

    /// <summary>Every record the spec produces must lint without errors (a DKIM record is linted by the key store).</summary>
    private static void LintRenderedRecords(SendingDomain domain, List<Finding> findings)
    {
        foreach (var record in RecordSynthesis.Synthesize(domain, []))
        {
            var (lint, path) = record.Purpose switch
            {
                RecordPurpose.Spf => (SpfLinter.Lint(record.Strings).Findings, "spec.spf"),
                RecordPurpose.Dmarc => (DmarcLinter.Lint(record.Strings).Findings, "spec.dmarc"),
                RecordPurpose.MtaSts => (MtaStsLinter.Lint(record.Strings).Findings, "spec.mtaSts"),
                RecordPurpose.TlsRpt => (TlsRptLinter.Lint(record.Strings).Findings, "spec.tlsRpt"),
                RecordPurpose.Bimi => (BimiLinter.Lint(record.Strings).Findings, "spec.bimi"),
                _ => ([], ""),
            };
            foreach (var f in lint.Where(f => f.Severity != Severity.Info && !findings.Any(e => e.Code == f.Code)))
            {
                findings.Add(f with { Path = path, Message = $"{record.Name} TXT: {f.Message}" });
            }
        }
    }
}
