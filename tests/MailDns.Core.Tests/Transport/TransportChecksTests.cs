using MailDns.Core.Health;
using MailDns.Core.MtaSts;
using MailDns.Core.Transport;

namespace MailDns.Core.Tests.Transport;

/// <summary>The transport verdicts over hand-built observations, each row the rule it pins.</summary>
public class TransportChecksTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly string Policy = MtaStsPolicy.For("enforce", ["mx1.example.com"], TimeSpan.FromDays(7)).Render();

    private static TransportObservation Observe(
        IReadOnlyList<MxHostObservation>? hosts = null,
        string? policy = null,
        string? mtaStsId = null,
        bool managed = false,
        bool tlsRpt = true
    )
    {
        hosts ??= [new MxHostObservation("mx1.example.com", false, false, 1)];
        return new TransportObservation(
            "example.com",
            Now,
            new MxObservation(hosts.Select(h => h.Host).ToList()),
            hosts,
            [$"v=STSv1; id={mtaStsId ?? MtaStsPolicy.IdOf(policy ?? Policy)}"],
            policy ?? Policy,
            null,
            tlsRpt,
            null,
            managed
        );
    }

    private static CheckStatus StatusOf(TransportObservation o, string id) => TransportChecks.Evaluate(o).Single(c => c.Id == id).Status;

    public static TheoryData<string, TransportObservation, string, CheckStatus> Rows =>
        new()
        {
            { "an MX host with an address passes", Observe(), "mx.exists", CheckStatus.Pass },
            // RFC 2181 §10.3: an MX must not name an alias.
            { "an MX naming a CNAME fails", Observe([new("mx1.example.com", false, true, 1)]), "mx.exists", CheckStatus.Fail },
            // RFC 5321 §5.1: the MX names a host, not an address.
            { "an MX naming an address fails", Observe([new("192.0.2.1", true, false, 0)]), "mx.exists", CheckStatus.Fail },
            { "an MX host without an address fails", Observe([new("mx1.example.com", false, false, 0)]), "mx.exists", CheckStatus.Fail },
            {
                "an MX host whose lookup failed is unknown",
                Observe([new("mx1.example.com", false, false, 0, "timed out")]),
                "mx.exists",
                CheckStatus.Unknown
            },
            // RFC 8461 §4.1: every MX must match a pattern; under enforce an unmatched MX gets no mail.
            {
                "an MX the enforce policy misses fails",
                Observe([new("mx2.example.com", false, false, 1)]),
                "mta-sts.mx-coverage",
                CheckStatus.Fail
            },
            {
                "an MX a testing policy misses warns",
                Observe(
                    [new("mx2.example.com", false, false, 1)],
                    MtaStsPolicy.For("testing", ["mx1.example.com"], TimeSpan.FromDays(7)).Render()
                ),
                "mta-sts.mx-coverage",
                CheckStatus.Warn
            },
            {
                "a wildcard pattern covers one label",
                Observe(
                    [new("a.mx.example.com", false, false, 1)],
                    MtaStsPolicy.For("enforce", ["*.mx.example.com"], TimeSpan.FromDays(7)).Render()
                ),
                "mta-sts.mx-coverage",
                CheckStatus.Pass
            },
            {
                "a managed policy whose published id is another's fails",
                Observe(mtaStsId: "stale", managed: true),
                "mta-sts.id-current",
                CheckStatus.Fail
            },
            { "a managed policy with its own id passes", Observe(managed: true), "mta-sts.id-current", CheckStatus.Pass },
            { "an enforce policy without TLS-RPT warns (RFC 8460)", Observe(tlsRpt: false), "mta-sts.tls-rpt", CheckStatus.Warn },
            {
                "a malformed policy fails its syntax",
                Observe(policy: "version: STSv1\r\nmode: enforce\r\n"),
                "mta-sts.policy-syntax",
                CheckStatus.Fail
            },
        };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Each_transport_rule_gives_its_verdict(string because, TransportObservation observation, string id, CheckStatus expected)
    {
        Assert.True(expected == StatusOf(observation, id), because);
    }

    [Fact]
    public void A_policy_that_could_not_be_fetched_fails_and_nothing_is_judged_from_it()
    {
        var o = Observe() with { PolicyText = null, PolicyError = "connection refused" };

        var results = TransportChecks.Evaluate(o);

        Assert.Equal(CheckStatus.Fail, results.Single(c => c.Id == "mta-sts.policy-fetch").Status);
        Assert.DoesNotContain(results, c => c.Id is "mta-sts.policy-syntax" or "mta-sts.mx-coverage");
    }

    [Fact]
    public void Without_an_mta_sts_record_only_the_mx_is_judged()
    {
        var o = Observe() with { MtaStsRecords = [] };

        Assert.Equal(["mx.exists"], TransportChecks.Evaluate(o).Select(c => c.Id));
    }
}

/// <summary>DANE matching (RFC 6698 §2.1, RFC 7672 §3) over a real certificate.</summary>
public class DaneTests
{
    private static readonly System.Security.Cryptography.X509Certificates.X509Certificate2 Leaf = Make("CN=mx.example.com");
    private static readonly System.Security.Cryptography.X509Certificates.X509Certificate2 Ca = Make("CN=ca");

    private static System.Security.Cryptography.X509Certificates.X509Certificate2 Make(string subject)
    {
        using var key = System.Security.Cryptography.ECDsa.Create();
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest(
            subject,
            key,
            System.Security.Cryptography.HashAlgorithmName.SHA256
        );
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
    }

    private static readonly CertificateFacts Facts = new(["mx.example.com"], DateTimeOffset.MinValue, DateTimeOffset.MaxValue, null)
    {
        LeafDer = Leaf.RawData,
        LeafSpki = Leaf.PublicKey.ExportSubjectPublicKeyInfo(),
        Issuers = [(Ca.RawData, Ca.PublicKey.ExportSubjectPublicKeyInfo())],
    };

    public static TheoryData<string, int, int, int> Rows =>
        new()
        {
            { "3 1 1: the leaf's public key, SHA-256", 3, 1, 1 },
            { "3 0 1: the whole leaf, SHA-256", 3, 0, 1 },
            { "3 1 2: the leaf's public key, SHA-512", 3, 1, 2 },
            { "3 0 0: the whole leaf, exact", 3, 0, 0 },
            { "2 1 1: an issuer's public key", 2, 1, 1 },
        };

    [Theory]
    [MemberData(nameof(Rows))]
    public void A_tlsa_record_made_from_the_served_chain_matches(string because, int usage, int selector, int matching)
    {
        var source = usage == 3 ? Leaf : Ca;
        var selected = selector == 1 ? source.PublicKey.ExportSubjectPublicKeyInfo() : source.RawData;
        var data = matching switch
        {
            1 => System.Security.Cryptography.SHA256.HashData(selected),
            2 => System.Security.Cryptography.SHA512.HashData(selected),
            _ => selected,
        };

        Assert.True(Dane.Matches(new TlsaObservation(usage, selector, matching, data), Facts), because);
        Assert.False(
            Dane.Matches(new TlsaObservation(usage == 3 ? 2 : 3, selector, matching, data), Facts),
            because + ", under the other usage"
        );
    }
}

/// <summary>Submission endpoints (RFC 8314 §3, RFC 6186): TLS first, AUTH only over it.</summary>
public class SubmissionChecksTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly CertificateFacts Valid = new(["smtp.example.com"], Now.AddDays(-1), Now.AddDays(60), null);

    private static SubmissionObservation Endpoint(
        bool startTls = true,
        bool authBefore = false,
        bool authAfter = true,
        CertificateFacts? cert = null
    ) =>
        new(
            "smtp.example.com",
            587,
            false,
            null,
            startTls,
            null,
            startTls ? "Tls13" : null,
            startTls ? cert ?? Valid : null,
            authBefore,
            authAfter
        );

    public static TheoryData<string, SubmissionObservation, string, CheckStatus> Rows =>
        new()
        {
            { "STARTTLS with a valid certificate passes", Endpoint(), "submission.tls", CheckStatus.Pass },
            { "no STARTTLS on a 587-style target fails", Endpoint(startTls: false, authAfter: false), "submission.tls", CheckStatus.Fail },
            {
                "a certificate for another name fails",
                Endpoint(cert: Valid with { Names = ["other.example.com"] }),
                "submission.tls",
                CheckStatus.Fail
            },
            { "AUTH only after TLS passes", Endpoint(), "submission.auth-after-tls", CheckStatus.Pass },
            { "AUTH advertised in clear fails", Endpoint(authBefore: true), "submission.auth-after-tls", CheckStatus.Fail },
            { "no AUTH at all warns", Endpoint(authAfter: false), "submission.auth-after-tls", CheckStatus.Warn },
            {
                "an unreachable target is unknown",
                Endpoint() with
                {
                    ConnectError = "connection refused",
                },
                "submission.tls",
                CheckStatus.Unknown
            },
        };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Each_submission_rule_gives_its_verdict(string because, SubmissionObservation observation, string id, CheckStatus expected)
    {
        var result = SubmissionChecks.Evaluate(observation, Now).FirstOrDefault(c => c.Id == id);

        Assert.True(expected == result?.Status, $"{because}: {result?.Message}");
    }
}
