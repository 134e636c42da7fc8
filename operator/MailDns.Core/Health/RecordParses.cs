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
    // A check reads a handful of records (its own SPF and DMARC, an include, a parent's DMARC), so they are searched in
    // short lists made on first use; two dictionaries made for every check were a twelfth of its allocations.
    private List<(string Text, (SpfRecord? Record, IReadOnlyList<Finding> Findings) Parse)>? spf;
    private List<(string Text, DmarcLintResult Lint)>? dmarc;

    /// <summary>The record as <see cref="SpfParser.Parse"/> reads it; null when it does not parse.</summary>
    public SpfRecord? Spf(string record) => SpfParse(record).Record;

    /// <summary><see cref="SpfParser.Parse"/>, with its findings (what <see cref="SpfLinter"/> builds on).</summary>
    public (SpfRecord? Record, IReadOnlyList<Finding> Findings) SpfParse(string record) => Memo(ref spf, record, SpfParser.Parse);

    public DmarcLintResult Dmarc(string record) => Memo(ref dmarc, record, DmarcLinter.Lint);

    private static T Memo<T>(ref List<(string Text, T Parse)>? parsed, string record, Func<string, T> parse)
    {
        parsed ??= [];
        foreach (var (text, done) in parsed)
        {
            if (string.Equals(text, record, StringComparison.Ordinal))
            {
                return done;
            }
        }

        var made = parse(record);
        parsed.Add((record, made));
        return made;
    }
}
