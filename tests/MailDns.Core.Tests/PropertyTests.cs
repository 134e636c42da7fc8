using CsCheck;
using MailDns.Core.Api;
using MailDns.Core.Bimi;
using MailDns.Core.Dkim;
using MailDns.Core.Dmarc;
using MailDns.Core.Findings;
using MailDns.Core.Health;
using MailDns.Core.MtaSts;
using MailDns.Core.Records;
using MailDns.Core.Spf;
using MailDns.Core.Tests.Support;
using MailDns.Core.TlsRpt;
using MailDns.Core.Validation;

namespace MailDns.Core.Tests;

public class PropertyTests
{
    private static readonly Func<string, IReadOnlyList<Finding>>[] Linters =
    [
        r => SpfLinter.Lint(r).Findings,
        r => DmarcLinter.Lint(r).Findings,
        r => DkimKeyRecordLinter.Lint(r).Findings,
        r => MtaStsLinter.Lint(r).Findings,
        r => TlsRptLinter.Lint(r).Findings,
        r => BimiLinter.Lint(r).Findings,
    ];

    /// <summary>Text made of the pieces records are made of, so the parsers get past their first check.</summary>
    private static readonly Gen<string> RecordLike = Gen.OneOf(
            "v=spf1",
            "v=DMARC1",
            "v=DKIM1",
            "v=STSv1",
            "v=TLSRPTv1",
            "v=BIMI1",
            " ",
            ";",
            "=",
            ":",
            "/",
            "%{",
            "}",
            "%",
            "ip4:",
            "ip6:",
            "include:",
            "a",
            "mx",
            "ptr",
            "all",
            "-",
            "+",
            "~",
            "?",
            "redirect=",
            "exp=",
            "p=",
            "k=rsa",
            "k=ed25519",
            "rua=mailto:",
            "@",
            "example.com",
            ".",
            "h=sha1",
            "t=y",
            "l=https://",
            "id=",
            "0",
            "255",
            "/33",
            "//",
            "MIIB",
            "AAAA",
            "="
        )
        .Array[0, 30]
        .Select(parts => string.Concat(parts));

    [Fact]
    public void Linters_never_throw_on_arbitrary_text()
    {
        Gen.String.Sample(text => Linters.All(lint => lint(text) is not null), iter: 20_000);
    }

    /// <summary>
    /// Whatever a server serves at the domain's names, and whatever a resolver answers for the names the SPF walk
    /// asks about, the evaluator returns a report: no exception, every check with an id, and the walk terminates.
    /// </summary>
    [Fact]
    public void The_health_evaluator_never_throws_and_always_terminates_on_arbitrary_answers()
    {
        var answer = Gen.OneOf(
            RecordLike.Array[0, 3].Select(values => DnsAnswer.OfTxtValues(values)),
            Gen.Const(DnsAnswer.NxDomain),
            Gen.Const(DnsAnswer.Failed("timed out")),
            Gen.Int[0, 12].Select(DnsAnswer.OfAddresses)
        );
        var include = Gen.OneOf("a.example.net", "b.example.net", "example.com");
        var spf = Gen.Select(
            include.Array[0, 4],
            Gen.OneOf(" -all", " ?all", " +all", ""),
            (targets, all) => "v=spf1" + string.Concat(targets.Select(t => $" include:{t}")) + all
        );
        Gen.Select(spf, RecordLike, answer, answer, answer)
            .Sample(
                (record, dmarc, a, b, dkim) =>
                {
                    var domain = "example.com";
                    var served = HealthQuestions.Authoritative(domain, ["s1"], null).ToDictionary(q => q, _ => DnsAnswer.NxDomain);
                    served[new DnsQuestion(domain, DnsType.Txt)] = DnsAnswer.OfTxtValues(record);
                    served[new DnsQuestion("_dmarc." + domain, DnsType.Txt)] = DnsAnswer.OfTxtValues(dmarc);
                    served[new DnsQuestion("s1._domainkey." + domain, DnsType.Txt)] = dkim;
                    var resolved = new Dictionary<DnsQuestion, DnsAnswer>();
                    for (var round = 0; round < 50; round++)
                    {
                        var evaluation = HealthEvaluator.Evaluate(
                            new HealthObservation(domain, [new ServerView("ns1", served)], resolved),
                            ["s1"],
                            null
                        );
                        if (evaluation.Missing.Count == 0)
                        {
                            return evaluation.Report.Checks.All(c => c.Id.Length > 0);
                        }

                        foreach (var q in evaluation.Missing)
                        {
                            resolved[q] = q.Name.StartsWith('a') ? a : b;
                        }
                    }

                    return false; // the walk must settle within 50 rounds
                },
                iter: 3_000
            );
    }

    [Fact]
    public void Linters_never_throw_on_record_like_text()
    {
        RecordLike.Sample(text => Linters.All(lint => lint(text) is not null), iter: 20_000);
    }

    private static readonly Gen<string> Label = Gen.String[Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789"], 1, 12];
    private static readonly Gen<string> Domain = Gen.Select(
        Label,
        Label,
        Gen.OneOf("com", "net", "org", "io"),
        (a, b, tld) => $"{a}.{b}.{tld}"
    );
    private static readonly Gen<string> Ip4 = Gen.Select(
        Gen.Int[0, 255],
        Gen.Int[0, 255],
        Gen.Int[0, 255],
        Gen.Int[0, 255],
        Gen.Int[SpfLinter.WidestIp4Prefix, 32].Nullable(0.5),
        (a, b, c, d, p) => $"{a}.{b}.{c}.{d}" + (p is null ? "" : $"/{p}")
    );
    private static readonly Gen<string> Ip6 = Gen.Select(
        Gen.Int[0, 0xffff],
        Gen.Int[0, 0xffff],
        Gen.Int[SpfLinter.WidestIp6Prefix, 128],
        (a, b, p) => $"2001:{a:x}:{b:x}::/{p}"
    );
    private static readonly Gen<string?> Policy = Gen.OneOf<string?>(null, "none", "quarantine", "reject");
    private static readonly Gen<string> Uri = Gen.Select(
        Label,
        Domain,
        Gen.Bool,
        (user, d, https) => https ? $"https://{d}/{user}" : $"mailto:{user}@{d}"
    );

    private static readonly Gen<SendingDomain> ValidSpecs = Gen.Select(
        Gen.Select(
            Domain,
            Ip4.List[0, 8],
            Ip6.List[0, 4],
            Domain.List[0, 6],
            Gen.Bool,
            Gen.Bool,
            Gen.OneOf<string?>(null, "fail", "softfail", "neutral")
        ),
        Gen.Select(
            Gen.OneOf("none", "quarantine", "reject"),
            Policy,
            Policy,
            Uri.List[0, 3],
            Uri.List[0, 2],
            Gen.OneOf<string?>(null, "relaxed", "strict"),
            Gen.Bool.Nullable(0.3)
        ),
        Gen.Select(Gen.Int[60, 86400], Gen.String[Gen.Char.AlphaNumeric, 1, 32].Null(0.3), Uri.List[0, 3], Label),
        (spf, dmarc, rest) =>
        {
            var (domain, ip4, ip6, include, a, mx, all) = spf;
            var (p, sp, np, rua, ruf, align, testing) = dmarc;
            var (ttl, mtaStsId, tlsRpt, logo) = rest;
            return new SendingDomain
            {
                Metadata = new() { Name = "generated", NamespaceProperty = "default" },
                Spec = new SendingDomainSpec
                {
                    Domain = domain,
                    ProviderRef = new ProviderRef { Name = "p" },
                    Ttl = ttl,
                    Spf = new SpfSpec
                    {
                        Ip4 = ip4,
                        Ip6 = ip6,
                        Include = include,
                        A = a,
                        Mx = mx,
                        All = all,
                    },
                    Dmarc = new DmarcSpec
                    {
                        Policy = p,
                        SubdomainPolicy = sp,
                        NonExistentSubdomainPolicy = np,
                        AggregateReportUris = rua,
                        FailureReportUris = ruf,
                        DkimAlignment = align,
                        SpfAlignment = align,
                        Testing = testing,
                    },
                    MtaSts = mtaStsId is null ? null : new MtaStsSpec { Id = mtaStsId },
                    TlsRpt = tlsRpt.Count == 0 ? null : new TlsRptSpec { ReportUris = tlsRpt },
                    Bimi = new BimiSpec { LogoUrl = $"https://{domain}/{logo}.svg", AuthorityUrl = $"https://{domain}/{logo}.pem" },
                },
            };
        }
    );

    [Fact]
    public void Records_rendered_from_valid_specs_lint_without_errors()
    {
        var keys = new[]
        {
            new DkimPublicKey("rsa1", DkimAlgorithm.RsaSha256, TestKeys.Rsa2048.PublicKey),
            new DkimPublicKey("ed1", DkimAlgorithm.Ed25519Sha256, TestKeys.Ed25519.PublicKey),
            new DkimPublicKey("old1", DkimAlgorithm.RsaSha256, TestKeys.Rsa2048.PublicKey, Revoked: true),
        };

        ValidSpecs.Sample(
            sd =>
            {
                if (SendingDomainValidator.Validate(sd).HasErrors())
                {
                    return true; // only specs the validator accepts must render clean
                }

                return RecordSynthesis
                    .Synthesize(sd, keys)
                    .All(r =>
                        !(
                            r.Purpose switch
                            {
                                RecordPurpose.Spf => SpfLinter.Lint(r.Strings).Findings,
                                RecordPurpose.Dkim => DkimKeyRecordLinter.Lint(r.Strings).Findings,
                                RecordPurpose.Dmarc => DmarcLinter.Lint(r.Strings).Findings,
                                RecordPurpose.MtaSts => MtaStsLinter.Lint(r.Strings).Findings,
                                RecordPurpose.TlsRpt => TlsRptLinter.Lint(r.Strings).Findings,
                                _ => BimiLinter.Lint(r.Strings).Findings,
                            }
                        ).HasErrors()
                    );
            },
            iter: 3_000
        );
    }

    [Fact]
    public void Most_generated_specs_are_valid_so_the_rendering_property_is_not_vacuous()
    {
        var valid = 0;
        ValidSpecs.Sample(
            sd =>
            {
                if (!SendingDomainValidator.Validate(sd).HasErrors())
                {
                    valid++;
                }
            },
            iter: 500,
            threads: 1
        );

        Assert.True(valid > 250, $"only {valid} of 500 generated specs were valid");
    }
}
