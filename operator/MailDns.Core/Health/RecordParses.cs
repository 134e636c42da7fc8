using MailDns.Core.Dmarc;
using MailDns.Core.Findings;
using MailDns.Core.Spf;

namespace MailDns.Core.Health;

/// <summary>
/// The SPF and DMARC records one health check reads, each parsed once. The gatherer evaluates again after every round
/// of resolver questions (a subdomain's check takes four: its SPF include, each level of the DMARC tree walk above it,
/// the report authorisation), and every round read the same records again: the own DMARC record five times a check.
/// Parsing is pure, so the memo changes the work and nothing else. One check's rounds run one after another, so it
/// needs no lock; it lives as long as the check.
/// </summary>
public sealed class RecordParses
{
    private readonly Dictionary<string, (SpfRecord? Record, IReadOnlyList<Finding> Findings)> spf = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DmarcLintResult> dmarc = new(StringComparer.Ordinal);

    /// <summary>The record as <see cref="SpfParser.Parse"/> reads it; null when it does not parse.</summary>
    public SpfRecord? Spf(string record) => SpfParse(record).Record;

    /// <summary><see cref="SpfParser.Parse"/>, with its findings (what <see cref="SpfLinter"/> builds on).</summary>
    public (SpfRecord? Record, IReadOnlyList<Finding> Findings) SpfParse(string record)
    {
        if (!spf.TryGetValue(record, out var parsed))
        {
            spf[record] = parsed = SpfParser.Parse(record);
        }

        return parsed;
    }

    public DmarcLintResult Dmarc(string record)
    {
        if (!dmarc.TryGetValue(record, out var lint))
        {
            dmarc[record] = lint = DmarcLinter.Lint(record);
        }

        return lint;
    }
}
