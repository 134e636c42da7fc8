using MailDns.Core.Api;
using MailDns.Core.Dkim;
using MailDns.Core.Names;
using MailDns.Core.Records;

namespace MailDns.Core.Health;

/// <summary>
/// What the domain should serve, when it is known (a SendingDomain and its key state): the exact records, and
/// the DMARC policy the spec asks for. Without it the checks judge what is served on its own. An incomplete
/// expectation (keys only, no spec) says nothing about the records it does not list.
/// </summary>
public sealed record HealthExpectation(IReadOnlyList<DesiredRecord> Records, string? DmarcPolicy, bool Complete = true)
{
    public static HealthExpectation From(SendingDomain domain, IEnumerable<DkimPublicKey> keys) =>
        new(RecordSynthesis.Synthesize(domain, keys), Dmarc.Rollout.EffectiveDmarc.Of(domain)?.Policy);

    /// <summary>
    /// True when the operator publishes these records (a CNAME at their names is then a conflict); false when they are
    /// only what the user expects to be served (`check --key`, a key directory), through CNAMEs or not.
    /// </summary>
    public bool Publishes { get; init; } = true;

    public bool Wants(RecordPurpose purpose) => First(purpose) is not null;

    /// <summary>True: the record must be served; false: the spec has none, so nothing is judged; null: not known.</summary>
    public bool? Requires(RecordPurpose purpose) =>
        Wants(purpose) ? true
        : Complete ? false
        : null;

    public DesiredRecord? Dkim(string selector) => First(RecordPurpose.Dkim, selector);

    public string? NameOf(RecordPurpose purpose) => First(purpose)?.Name;

    /// <summary>Loops rather than lambdas capturing their arguments: every check asks these many times per round.</summary>
    private DesiredRecord? First(RecordPurpose purpose, string? selector = null)
    {
        for (var i = 0; i < Records.Count; i++)
        {
            if (Records[i].Purpose == purpose && (selector is null || Records[i].Selector == selector))
            {
                return Records[i];
            }
        }

        return null;
    }
}

/// <summary>The names each authoritative server is asked about.</summary>
public static class HealthQuestions
{
    public const string DefaultBimiSelector = "default";

    public static IReadOnlyList<DnsQuestion> Authoritative(string domain, IEnumerable<string> selectors, HealthExpectation? expected)
    {
        // A loop rather than a query: it runs once per check of every domain, for about ten names.
        domain = DomainName.Normalize(domain);
        var questions = new List<DnsQuestion>(16);
        Ask(questions, domain, DnsType.Txt);
        Ask(questions, $"_dmarc.{domain}", DnsType.Txt);
        Ask(questions, $"_mta-sts.{domain}", DnsType.Txt);
        Ask(questions, $"_smtp._tls.{domain}", DnsType.Txt);
        Ask(questions, expected?.NameOf(RecordPurpose.Bimi) ?? $"{DefaultBimiSelector}._bimi.{domain}", DnsType.Txt);
        foreach (var selector in Selectors(selectors, expected))
        {
            Ask(questions, $"{selector}._domainkey.{domain}", DnsType.Txt);
        }

        var records = expected?.Records ?? [];
        foreach (var record in records)
        {
            if (record.Type == RecordTypes.Txt)
            {
                Ask(questions, record.Name, DnsType.Txt);
            }
        }

        foreach (var record in records)
        {
            if (record.Type == RecordTypes.Srv)
            {
                Ask(questions, record.Name, DnsType.Srv);
            }
        }

        return questions;
    }

    /// <summary>Each question once, in the order first asked.</summary>
    private static void Ask(List<DnsQuestion> questions, string name, DnsType type)
    {
        var question = new DnsQuestion(name, type);
        if (!questions.Contains(question))
        {
            questions.Add(question);
        }
    }

    /// <summary>The selectors to check, named and expected, lower case, each once, in ordinal order.</summary>
    public static IReadOnlyList<string> Selectors(IEnumerable<string> selectors, HealthExpectation? expected)
    {
        // A loop rather than a query: this runs on every evaluation round of every check, for a handful of selectors.
        var chosen = new List<string>();
        foreach (var selector in selectors)
        {
            Choose(chosen, selector);
        }

        foreach (var record in expected?.Records ?? [])
        {
            if (record.Purpose == RecordPurpose.Dkim)
            {
                Choose(chosen, record.Selector!);
            }
        }

        chosen.Sort(StringComparer.Ordinal);
        return chosen;
    }

    private static void Choose(List<string> chosen, string selector)
    {
        var name = LowerCase.Of(selector.Trim());
        if (name.Length > 0 && !chosen.Contains(name))
        {
            chosen.Add(name);
        }
    }
}
