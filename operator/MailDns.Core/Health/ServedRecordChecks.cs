using MailDns.Core.Bimi;
using MailDns.Core.Dkim;
using MailDns.Core.Dmarc;
using MailDns.Core.Findings;
using MailDns.Core.MtaSts;
using MailDns.Core.Records;
using MailDns.Core.Spf;
using MailDns.Core.TagLists;
using MailDns.Core.TlsRpt;

namespace MailDns.Core.Health;

/// <summary>
/// The checks one authoritative server's answers can settle on their own: existence, uniqueness and syntax of
/// each record, the DKIM keys against the ones the operator holds, and every expected record's exact value.
/// </summary>
public static class ServedRecordChecks
{
    public static IEnumerable<CheckResult> For(
        ServerView server,
        string domain,
        IReadOnlyList<string> selectors,
        HealthExpectation? expected,
        RecordParses? parses = null
    )
    {
        parses ??= new RecordParses();
        var spf = Spf(server.Answer(domain), expected, parses);
        var dmarc = Dmarc(server.Answer($"_dmarc.{domain}"), expected, parses);
        var dkim = selectors.SelectMany(s => Dkim(server.Answer($"{s}._domainkey.{domain}"), s, expected?.Dkim(s)));
        var policies = Policy(
                "mta-sts",
                "v=STSv1",
                server.Answer($"_mta-sts.{domain}"),
                expected?.Requires(RecordPurpose.MtaSts),
                MtaStsLinter.Lint
            )
            .Concat(
                Policy(
                    "tls-rpt",
                    "v=TLSRPTv1",
                    server.Answer($"_smtp._tls.{domain}"),
                    expected?.Requires(RecordPurpose.TlsRpt),
                    TlsRptLinter.Lint
                )
            )
            .Concat(
                Policy(
                    "bimi",
                    "v=BIMI1",
                    server.Answer(expected?.NameOf(RecordPurpose.Bimi) ?? $"{HealthQuestions.DefaultBimiSelector}._bimi.{domain}"),
                    expected?.Requires(RecordPurpose.Bimi),
                    BimiLinter.Lint
                )
            );
        var exact = (expected?.Records ?? []).Select(r =>
            Exact(server.Answer(r.Name, r.Type == RecordTypes.Srv ? DnsType.Srv : DnsType.Txt), r, expected!.Publishes)
        );
        return spf.Concat(dmarc).Concat(dkim).Concat(policies).Concat(exact);
    }

    private static IEnumerable<CheckResult> Spf(DnsAnswer answer, HealthExpectation? expected, RecordParses parses)
    {
        string[] ids = ["spf.exists", "spf.single", "spf.syntax"];
        if (expected?.Requires(RecordPurpose.Spf) == false)
        {
            yield break;
        }

        if (answer.IsUnanswered)
        {
            foreach (var unknown in Unanswered(ids, answer))
            {
                yield return unknown;
            }

            yield break;
        }

        var records = answer.Txt.Where(t => SpfParser.LooksLikeSpf(string.Concat(t))).ToList();
        if (records.Count == 0)
        {
            yield return CheckResult.Fail("spf.exists", "no SPF record (v=spf1) at the domain; receivers evaluate SPF as none");
            yield break;
        }

        yield return CheckResult.Pass("spf.exists", "an SPF record is published");
        if (records.Count > 1)
        {
            yield return CheckResult.Fail(
                "spf.single",
                $"{records.Count} SPF records at the domain: receivers return permerror (RFC 7208 §4.5): "
                    + $"{string.Join(" | ", records.Select(r => string.Concat(r)))}"
            );
            yield break;
        }

        yield return CheckResult.Pass("spf.single", "exactly one SPF record");
        var lint = SpfLinter.Lint(records[0], parses.SpfParse); // the round's parse of the joined strings, for both checks below
        yield return FromFindings("spf.syntax", lint.Findings, "the SPF record is valid");
        var all = lint.Record?.All;
        yield return all switch
        {
            null when lint.Record?.Redirect is not null => CheckResult.Pass(
                "spf.all-mechanism",
                "no all mechanism; the redirect target decides"
            ),
            null => CheckResult.Warn("spf.all-mechanism", "no all mechanism: mail from unlisted hosts gets neutral; end with ~all or -all"),
            { Qualifier: SpfQualifier.Pass } => CheckResult.Fail(
                "spf.all-mechanism",
                $"'{all.Text}' lets every host on the Internet pass SPF for this domain"
            ),
            { Qualifier: SpfQualifier.Neutral } => CheckResult.Warn(
                "spf.all-mechanism",
                $"'{all.Text}' gives unlisted hosts neutral; prefer ~all or -all"
            ),
            _ => CheckResult.Pass("spf.all-mechanism", $"ends with '{all.Text}'"),
        };
    }

    private static IEnumerable<CheckResult> Dmarc(DnsAnswer answer, HealthExpectation? expected, RecordParses parses)
    {
        string[] ids = ["dmarc.exists", "dmarc.single", "dmarc.syntax", "dmarc.policy"];
        if (expected?.Requires(RecordPurpose.Dmarc) == false)
        {
            yield break;
        }

        if (answer.IsUnanswered)
        {
            foreach (var unknown in Unanswered(ids, answer))
            {
                yield return unknown;
            }

            yield break;
        }

        var records = answer.Joined.Where(IsDmarc).ToList();
        if (records.Count == 0)
        {
            yield return CheckResult.Fail("dmarc.exists", "no DMARC record at _dmarc: receivers apply no policy and send no reports");
            yield break;
        }

        yield return CheckResult.Pass("dmarc.exists", "a DMARC record is published");
        if (records.Count > 1)
        {
            yield return CheckResult.Fail(
                "dmarc.single",
                $"{records.Count} DMARC records at _dmarc: receivers ignore them all (RFC 9989): {string.Join(" | ", records)}"
            );
            yield break;
        }

        yield return CheckResult.Pass("dmarc.single", "exactly one DMARC record");
        var lint = parses.Dmarc(records[0]);
        yield return FromFindings("dmarc.syntax", lint.Findings, "the DMARC record is valid");
        var (policy, reason) = ReceiverPolicy.Of(lint, inherited: false, exists: true);
        var because = reason is null ? "" : $": {reason}";
        if (expected?.DmarcPolicy is { } wanted && !string.Equals(wanted, policy, StringComparison.OrdinalIgnoreCase))
        {
            yield return CheckResult.Fail(
                "dmarc.policy",
                $"p={policy} applies to the served record but the spec asks for p={wanted.ToLowerInvariant()}{because}"
            );
        }
        else
        {
            yield return policy == "none"
                ? CheckResult.Warn("dmarc.policy", $"p=none monitors only: spoofed mail is still delivered{because}")
                : CheckResult.Pass("dmarc.policy", $"p={policy}");
        }
    }

    public static bool IsDmarc(string record) =>
        record.TrimStart().StartsWith("v=DMARC1", StringComparison.Ordinal)
        && (record.TrimStart().Length == 8 || record.TrimStart()[8] is ';' or ' ' or '\t');

    private static IEnumerable<CheckResult> Dkim(DnsAnswer answer, string selector, DesiredRecord? expected)
    {
        string[] ids = ["dkim.exists", "dkim.key-matches", "dkim.key-strength", "dkim.testing-flag"];
        if (answer.IsUnanswered)
        {
            foreach (var unknown in Unanswered(ids, answer, selector))
            {
                yield return unknown;
            }

            yield break;
        }

        var records = answer.Joined;
        if (records.Count == 0)
        {
            yield return CheckResult.Fail(
                "dkim.exists",
                $"no key record at {selector}._domainkey: mail signed with selector {selector} fails DKIM",
                selector
            );
            yield break;
        }

        if (records.Count > 1)
        {
            yield return CheckResult.Fail(
                "dkim.exists",
                $"{records.Count} TXT records at {selector}._domainkey: verifiers may pick either (RFC 6376 §3.6.2.2)",
                selector
            );
            yield break;
        }

        yield return CheckResult.Pass("dkim.exists", $"a key record is published{answer.Via}", selector);
        var lint = DkimKeyRecordLinter.Lint(answer.Txt[0]);
        if (expected is not null)
        {
            var want = DkimKeyRecordLinter.KeyOf(expected.Value);
            yield return (want.Revoked, lint.Revoked) switch
            {
                (true, true) => CheckResult.Pass("dkim.key-matches", "the key is served revoked, as it should be", selector),
                (true, false) => CheckResult.Fail("dkim.key-matches", "the key should be revoked (empty p=) but is still served", selector),
                (false, true) => CheckResult.Fail(
                    "dkim.key-matches",
                    "the key is served revoked (empty p=) but the operator signs with it",
                    selector
                ),
                _ when lint.PublicKey == want.PublicKey && lint.KeyType == want.KeyType => CheckResult.Pass(
                    "dkim.key-matches",
                    "the served key is the one the operator holds",
                    selector
                ),
                _ => CheckResult.Fail(
                    "dkim.key-matches",
                    $"the served key (k={lint.KeyType ?? "rsa"}, p={Abbreviate(lint.PublicKey)}) is not the one the operator holds "
                        + $"(p={Abbreviate(want.PublicKey)})",
                    selector
                ),
            };
        }

        if (lint.Findings.HasErrors())
        {
            yield return CheckResult.Fail(
                "dkim.key-strength",
                $"the key record is invalid: "
                    + $"{string.Join("; ", lint.Findings.Where(f => f.Severity == Severity.Error).Select(f => f.Message))}",
                selector
            );
        }
        else if (lint.Revoked)
        {
            yield return CheckResult.Pass("dkim.key-strength", "revoked (no key)", selector);
        }
        else
        {
            yield return lint.KeyType == "ed25519" ? CheckResult.Pass("dkim.key-strength", "Ed25519", selector)
            : lint.KeyBits < 1024
                ? CheckResult.Fail(
                    "dkim.key-strength",
                    $"RSA {lint.KeyBits} bits: verifiers must not accept keys under 1024 bits (RFC 8301)",
                    selector
                )
            : lint.KeyBits < 2048 ? CheckResult.Warn("dkim.key-strength", $"RSA {lint.KeyBits} bits: use 2048 (RFC 8301, M3AAWG)", selector)
            : CheckResult.Pass("dkim.key-strength", $"RSA {lint.KeyBits} bits", selector);
        }

        var flags = lint.Tags.Find("t")?.Value.Split(':', StringSplitOptions.TrimEntries) ?? [];
        yield return flags.Contains("y", StringComparer.OrdinalIgnoreCase)
            ? CheckResult.Warn("dkim.testing-flag", "t=y: verifiers may treat signatures as unsigned; remove it in production", selector)
            : CheckResult.Pass("dkim.testing-flag", "not in testing mode", selector);
    }

    /// <summary>Every check that needed an answer that did not come is Unknown, never Fail.</summary>
    private static IEnumerable<CheckResult> Unanswered(string[] ids, DnsAnswer answer, string? selector = null) =>
        answer.Outcome == LookupOutcome.CnameLoop
            ? ids.Take(1).Select(id => CheckResult.Fail(id, $"{answer.Error}: receivers get no answer (SERVFAIL)", selector))
            : ids.Select(id => CheckResult.Unknown(id, $"no answer: {answer.Error}", selector));

    private static IEnumerable<CheckResult> Policy(
        string prefix,
        string version,
        DnsAnswer answer,
        bool? wanted,
        Func<IReadOnlyList<string>, TagLintResult> lint
    )
    {
        if (wanted == false)
        {
            yield break;
        }

        if (answer.IsUnanswered)
        {
            if (wanted == true)
            {
                yield return CheckResult.Unknown($"{prefix}.exists", $"no answer: {answer.Error}");
            }

            yield break;
        }

        var records = answer.Txt.Where(t => string.Concat(t).StartsWith(version, StringComparison.Ordinal)).ToList();
        if (records.Count == 0)
        {
            if (wanted == true)
            {
                yield return CheckResult.Fail($"{prefix}.exists", $"no {version} record is published although the spec has one");
            }

            yield break; // not configured and not published: nothing to judge
        }

        if (records.Count > 1)
        {
            yield return CheckResult.Fail($"{prefix}.exists", $"{records.Count} {version} records: receivers ignore them all");
            yield break;
        }

        yield return CheckResult.Pass($"{prefix}.exists", $"a {version} record is published");
        yield return FromFindings($"{prefix}.syntax", lint(records[0]).Findings, $"the {version} record is valid");
    }

    private static CheckResult Exact(DnsAnswer answer, DesiredRecord record, bool publishes)
    {
        var selector = record.Selector;
        if (answer.IsUnanswered)
        {
            return CheckResult.Unknown("records.expected", $"{record.Name}: no answer: {answer.Error}", selector);
        }

        if (answer.Target is { } target && publishes)
        {
            // RFC 1034 §3.6.2 (RFC 2181 §10.1): no other data may sit beside a CNAME, so the operator cannot publish here.
            return CheckResult.Fail(
                "records.expected",
                $"{record.Name} is a CNAME to {target}: the {DesiredRecord.PurposeText(record.Purpose)} record cannot be published "
                    + "beside it (RFC 1034 §3.6.2); remove the CNAME or take the record out of the spec",
                selector
            );
        }

        if (record.Type == RecordTypes.Srv)
        {
            // One result per SRV value, named by the whole record (the subject that tells endpoints of one service apart).
            var srv = $"{record.Name} {RecordTypes.Srv} {record.Value}";
            return answer.Hosts.Select(SrvValue.Canonical).Contains(record.Value, StringComparer.Ordinal)
                ? CheckResult.Pass("records.expected", $"{srv} is served", selector)
                : CheckResult.Fail(
                    "records.expected",
                    $"{srv} is not served ({answer.Hosts.Count} other SRV record(s) at the name)",
                    selector
                );
        }

        var served = answer.Joined;
        if (served.Contains(record.Value, StringComparer.Ordinal))
        {
            return CheckResult.Pass(
                "records.expected",
                $"{record.Name} serves the expected {DesiredRecord.PurposeText(record.Purpose)} record",
                selector
            );
        }

        var same = served.Where(v => SamePurpose(v, record)).ToList();
        return CheckResult.Fail(
            "records.expected",
            same.Count == 0
                ? $"{record.Name} does not serve the expected {DesiredRecord.PurposeText(record.Purpose)} record "
                    + $"\"{Abbreviate(record.Value, 120)}\""
                : $"{record.Name} serves \"{Abbreviate(same[0], 120)}\" instead of \"{Abbreviate(record.Value, 120)}\"",
            selector
        );
    }

    private static bool SamePurpose(string served, DesiredRecord record) =>
        record.Purpose switch
        {
            RecordPurpose.Spf => SpfParser.LooksLikeSpf(served),
            RecordPurpose.Dmarc => IsDmarc(served),
            _ => true,
        };

    private static CheckResult FromFindings(string id, IReadOnlyList<Finding> findings, string passMessage)
    {
        var errors = findings.Where(f => f.Severity == Severity.Error).ToList();
        var warnings = findings.Where(f => f.Severity == Severity.Warning).ToList();
        return errors.Count > 0 ? CheckResult.Fail(id, string.Join("; ", errors.Select(f => $"{f.Code}: {f.Message}")))
            : warnings.Count > 0 ? CheckResult.Warn(id, string.Join("; ", warnings.Select(f => $"{f.Code}: {f.Message}")))
            : CheckResult.Pass(id, passMessage);
    }

    private static string Abbreviate(string? value, int length = 24) =>
        value is null ? ""
        : value.Length <= length ? value
        : value[..(length - 3)] + "...";
}
