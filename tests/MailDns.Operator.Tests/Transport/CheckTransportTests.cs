using System.Text.Json.Nodes;
using MailDns.Core.MtaSts;
using MailDns.Operator.Hosting;
using MailDns.Operator.Reports;
using MailDns.Testing;

namespace MailDns.Operator.Tests.Transport;

/// <summary>
/// `maildns check` on transport security, against real servers on 127.0.0.1: BIND serving the domain's MX, _mta-sts and
/// _smtp._tls records; the operator's own public listener over HTTPS (a test CA, trusted with --ca-file) serving the
/// policy; and a real Postfix offering STARTTLS with a good, an expired, a wrong-name and an expiring certificate, and
/// none at all (one port each, chosen with --smtp-port).
/// </summary>
public sealed class CheckTransportTests : IClassFixture<CheckTransportTests.Servers>
{
    private const string Mx = "mx1.news.example.org";

    public sealed class Servers : IAsyncLifetime
    {
        public TestCertificates Certificates { get; } = new();

        public TempDir Dir { get; } = new();

        public PostfixServer Postfix { get; private set; } = null!;

        public DovecotServer Sasl { get; private set; } = null!;

        public BindServer Bind { get; private set; } = null!;

        public PublicListener Listener { get; private set; } = null!;

        public int PolicyPort { get; } = DnsServerProcess.FreePort();

        /// <summary>The policy the listener serves; a test may swap it.</summary>
        public string Policy { get; set; } = MtaStsPolicy.For("enforce", [Mx], TimeSpan.FromDays(7)).Render();

        public string CaFile => Path.Combine(Dir.Path, "ca.pem");

        public async Task InitializeAsync()
        {
            Dir.Write("ca.pem", Certificates.CaPem);
            Sasl = new DovecotServer(Certificates); // the SASL backend of the submission listeners
            Postfix = new PostfixServer(Certificates, Mx, Sasl.AuthSocket);
            var id = MtaStsPolicy.IdOf(Policy);
            using var good = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(Postfix.GoodCertificatePem);
            var spki = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(good.PublicKey.ExportSubjectPublicKeyInfo()));
            Bind = new BindServer([
                (
                    "example.org",
                    $"news MX 10 {Mx}.\nmx1.news A 127.0.0.1\n_mta-sts.news TXT \"v=STSv1; id={id}\"\n"
                        + "_smtp._tls.news TXT \"v=TLSRPTv1; rua=mailto:tls@example.org\"\n"
                        + $"_25._tcp.mx1.news TLSA 3 1 1 {spki}\n"
                        + $"_submission._tcp.news SRV 0 1 {Postfix.Submission} {Mx}.\n"
                        + $"_submissions._tcp.news SRV 0 1 {Postfix.Submissions} {Mx}.\n"
                        + $"_submission._tcp.clear SRV 0 1 {Postfix.SubmissionAuthInClear} {Mx}.\n"
                ),
            ]);
            var (cert, key) = Certificates.Server("mta-sts.news.example.org");
            var receiver = new TlsReportReceiver(_ => Task.FromResult<ReportStore?>(null), TimeProvider.System, new(1 << 20, 1000));
            var settings = new PublicListenerSettings($"https://127.0.0.1:{PolicyPort}")
            {
                CertificatePath = Dir.Write("policy.pem", cert),
                KeyPath = Dir.Write("policy.key", key),
            };
            Listener = await PublicListener.StartAsync(settings, receiver, null, default, host =>
                host == "mta-sts.news.example.org" ? Policy : null
            );
        }

        public async Task DisposeAsync()
        {
            // The server processes first, each whatever the others do: none may outlive the run.
            try
            {
                Postfix?.Dispose();
                Sasl?.Dispose();
                Bind?.Dispose();
            }
            finally
            {
                if (Listener is not null)
                {
                    await Listener.DisposeAsync();
                }

                Dir.Dispose();
                Certificates.Dispose();
            }
        }
    }

    private readonly Servers servers;

    public CheckTransportTests(Servers servers) => this.servers = servers;

    /// <summary>The transport results of checking news.example.org, by id (one MX, so one result per id).</summary>
    private Dictionary<string, JsonNode> Check(int smtpPort, params string[] extra) =>
        CheckAll("news.example.org", smtpPort, extra)
            .Where(c => Transport.Contains((string)c["id"]!))
            .ToDictionary(c => (string)c["id"]!, c => c);

    private static readonly HashSet<string> Transport =
    [
        "mx.exists",
        "mta-sts.policy-fetch",
        "mta-sts.policy-syntax",
        "mta-sts.mx-coverage",
        "mta-sts.id-current",
        "mta-sts.tls-rpt",
        "smtp.starttls",
        "smtp.certificate",
        "smtp.dane",
    ];

    private static string Status(Dictionary<string, JsonNode> checks, string id) =>
        checks.TryGetValue(id, out var c) ? $"{c["status"]}: {c["message"]}" : $"missing {id} in {string.Join(", ", checks.Keys)}";

    [Fact]
    public void A_good_mx_and_a_served_policy_pass_every_transport_check()
    {
        var checks = Check(servers.Postfix.Good);

        foreach (
            var id in new[]
            {
                "mx.exists",
                "mta-sts.policy-fetch",
                "mta-sts.policy-syntax",
                "mta-sts.mx-coverage",
                "mta-sts.tls-rpt",
                "smtp.starttls",
                "smtp.certificate",
            }
        )
        {
            Assert.StartsWith("pass", Status(checks, id), StringComparison.Ordinal);
        }

        Assert.Contains("Tls1", Status(checks, "smtp.starttls")); // RFC 8461 §4.2: TLS 1.2 or later
        var dane = Status(checks, "smtp.dane");
        Assert.True(dane.StartsWith("pass", StringComparison.Ordinal), dane); // RFC 7672 §3: the TLSA 3 1 1 of the leaf
    }

    [Fact]
    public void Submission_targets_named_by_srv_records_offer_tls_and_auth_only_after_it()
    {
        var checks = CheckAll("news.example.org", servers.Postfix.Good);

        // RFC 8314 §3 and RFC 6186: both the STARTTLS (587-style) and the implicit-TLS (465-style) targets.
        var tls = checks.Where(c => (string)c["id"]! == "submission.tls").Select(c => $"{c["status"]}: {c["message"]}").ToList();
        Assert.Equal(2, tls.Count);
        Assert.All(tls, t => Assert.StartsWith("pass", t, StringComparison.Ordinal));
        var auth = checks
            .Where(c => (string)c["id"]! == "submission.auth-after-tls")
            .Select(c => $"{c["status"]}: {c["message"]}")
            .ToList();
        Assert.All(auth, a => Assert.StartsWith("pass", a, StringComparison.Ordinal));
    }

    [Fact]
    public void A_submission_service_advertising_auth_before_tls_fails()
    {
        var checks = CheckAll("clear.example.org", servers.Postfix.Good);

        var auth = checks.Single(c => (string)c["id"]! == "submission.auth-after-tls");
        Assert.Equal("fail", (string)auth["status"]!);
        Assert.Contains("advertises AUTH before TLS", (string)auth["message"]!);
    }

    /// <summary>`maildns check DOMAIN` against the test servers, as JSON: every check's result.</summary>
    private List<JsonNode> CheckAll(string domain, int smtpPort, params string[] extra)
    {
        var bind = $"127.0.0.1:{servers.Bind.Port}";
        var result = MailDns.Testing.Cli.Run(
            [
                "check",
                domain,
                "--nameserver",
                bind,
                "--resolver",
                bind,
                "--ca-file",
                servers.CaFile,
                "--policy-url",
                $"https://127.0.0.1:{servers.PolicyPort}/.well-known/mta-sts.txt",
                "--smtp-port",
                smtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--output",
                "json",
                .. extra,
            ]
        );
        return JsonNode.Parse(result.Out)!["checks"]!.AsArray().Select(c => c!).ToList();
    }

    [Fact]
    public void A_tlsa_record_for_another_certificate_fails_dane()
    {
        Assert.StartsWith("fail", Status(Check(servers.Postfix.Expiring), "smtp.dane"), StringComparison.Ordinal);
    }

    [Fact]
    public void An_expired_certificate_fails_as_a_sender_enforcing_mta_sts_would_refuse_it()
    {
        Assert.StartsWith("fail", Status(Check(servers.Postfix.Expired), "smtp.certificate"), StringComparison.Ordinal);
        Assert.Contains("expired", Status(Check(servers.Postfix.Expired), "smtp.certificate"));
    }

    [Fact]
    public void A_certificate_for_another_name_fails_rfc_8461_section_4_2()
    {
        Assert.Contains($"issued to other.example.net, not {Mx}", Status(Check(servers.Postfix.WrongName), "smtp.certificate"));
    }

    [Fact]
    public void A_certificate_expiring_within_14_days_warns()
    {
        Assert.StartsWith("warn", Status(Check(servers.Postfix.Expiring), "smtp.certificate"), StringComparison.Ordinal);
    }

    [Fact]
    public void An_mx_without_starttls_fails_and_the_skip_flag_leaves_the_smtp_checks_out()
    {
        var plain = Check(servers.Postfix.Plain);
        Assert.StartsWith("fail", Status(plain, "smtp.starttls"), StringComparison.Ordinal);
        Assert.Contains("does not offer STARTTLS", Status(plain, "smtp.starttls"));
        Assert.False(plain.ContainsKey("smtp.certificate"));

        var skipped = Check(servers.Postfix.Plain, "--skip-tls");
        Assert.False(skipped.ContainsKey("smtp.starttls"));
        Assert.StartsWith("pass", Status(skipped, "mta-sts.policy-fetch"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_closed_port_is_unknown_never_a_failure()
    {
        var closed = DnsServerProcess.FreePort();
        Assert.StartsWith("unknown", Status(Check(closed), "smtp.starttls"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_policy_without_the_check_trusting_its_ca_is_a_fetch_failure()
    {
        var bind = $"127.0.0.1:{servers.Bind.Port}";
        var result = MailDns.Testing.Cli.Run(
            "check",
            "news.example.org",
            "--nameserver",
            bind,
            "--resolver",
            bind,
            "--skip-tls",
            "--policy-url",
            $"https://127.0.0.1:{servers.PolicyPort}/.well-known/mta-sts.txt",
            "--output",
            "json"
        );
        var fetch = JsonNode.Parse(result.Out)!["checks"]!.AsArray().Single(c => (string)c!["id"]! == "mta-sts.policy-fetch")!;

        Assert.Equal("fail", (string)fetch["status"]!); // RFC 8461 §3.3: the policy host's certificate must validate
    }
}
