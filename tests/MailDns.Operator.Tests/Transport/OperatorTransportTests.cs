using System.Security.Cryptography.X509Certificates;
using k8s;
using MailDns.Core.Api;
using MailDns.Operator.Controllers;
using MailDns.Operator.Kubernetes;
using MailDns.Operator.Tests.Kubernetes;
using MailDns.Operator.Transport;
using MailDns.Testing;

namespace MailDns.Operator.Tests.Transport;

/// <summary>
/// Scheduled transport checks (spec.transportCheck) end to end: the test API server, the operator, BIND serving two
/// domains whose MX hosts are both 127.0.0.1, and a real Postfix offering STARTTLS with a certificate for the first
/// domain's MX only (a test CA the operator trusts with --ca-file). The first domain's TransportSecure is True, the second's
/// False naming the certificate (RFC 8461 §4.1: the MX host name must match), a domain without the opt-in has neither
/// status nor condition, and turning the checks off takes both away.
/// </summary>
public sealed class OperatorTransportTests
{
    private const string Mx = "mx1.news.example.org";

    [Fact]
    public async Task Opted_in_domains_get_a_transport_verdict_from_their_mx_hosts_and_opting_out_removes_it()
    {
        using var certificates = new TestCertificates();
        using var postfix = new PostfixServer(certificates, Mx);
        await using var api = await ApiServer.StartAsync();
        using var bind = new BindServer([
            ("example.org", $"news MX 10 {Mx}.\nmx1.news A 127.0.0.1\nother MX 10 mx1.other.example.org.\nmx1.other A 127.0.0.1\n"),
        ]);
        using var data = new TempDir();
        await OperatorEndToEndTests.SetUpAsync(api, bind);
        X509Certificate2Collection roots = [];
        roots.ImportFromPem(certificates.CaPem);
        var options = new ControllerOptions(null, data.Path, [bind.Endpoint])
        {
            Resolvers = [bind.Endpoint],
            Transport = TransportSettings.Default with { SmtpPort = postfix.Good, ExtraRoots = roots },
        };
        using var stop = new CancellationTokenSource();
        var running = OperatorServices.Create(api.Client, options, TimeProvider.System).RunAsync(stop.Token);
        var domains = SendingDomainWait.Domains(api);
        foreach (var (name, optIn) in new[] { ("news", true), ("other", true), ("plain", false) })
        {
            var sd = OperatorEndToEndTests.Domain(name);
            sd.Spec.TransportCheck = optIn ? new TransportCheckSpec { Enabled = true } : null;
            await domains.CreateNamespacedAsync(sd, "mail");
        }

        static string? Transport(SendingDomain s) =>
            s.Status?.Conditions?.FirstOrDefault(c => c.Type == ConditionTypes.TransportSecure)?.Status;

        var news = await SendingDomainWait.UntilAsync(domains, "mail", "news", s => Transport(s) is not null, "a transport verdict");
        var other = await SendingDomainWait.UntilAsync(domains, "mail", "other", s => Transport(s) is not null, "a transport verdict");
        var plain = await SendingDomainWait.UntilAsync(
            domains,
            "mail",
            "plain",
            s => SendingDomainWait.Ready(s) == "True/Published",
            "Ready"
        );

        var verdict = news.Status!.Conditions!.Single(c => c.Type == ConditionTypes.TransportSecure);
        Assert.True(verdict.Status == "True", $"{verdict.Reason}: {verdict.Message}");
        Assert.Contains(news.Status.Transport!.Checks!, c => c.Id == "smtp.starttls" && c.Status == "pass");
        Assert.Contains(news.Status.Transport.Checks!, c => c.Id == "smtp.certificate" && c.Status == "pass");

        var failing = other.Status!.Conditions!.Single(c => c.Type == ConditionTypes.TransportSecure);
        Assert.Equal(("False", ConditionReasons.TransportChecksFailed), (failing.Status, failing.Reason));
        Assert.Contains("smtp.certificate", failing.Message);
        Assert.Contains("mx1.other.example.org", failing.Message);

        Assert.Null(plain.Status!.Transport);
        Assert.Null(Transport(plain));
        var events = (await api.Client.EventsV1.ListNamespacedEventAsync("mail"))
            .Items.Where(e => e.Reason.StartsWith("TransportChecks", StringComparison.Ordinal))
            .Select(e => (e.Regarding.Name, e.Reason, e.Type))
            .Order()
            .ToList();
        Assert.Equal(
            [("news", ConditionReasons.TransportChecksPassed, "Normal"), ("other", ConditionReasons.TransportChecksFailed, "Warning")],
            events
        );

        await domains.PatchNamespacedAsync<SendingDomain>(
            new k8s.Models.V1Patch("""{"spec":{"transportCheck":{"enabled":false}}}""", k8s.Models.V1Patch.PatchType.MergePatch),
            "mail",
            "other"
        );
        await SendingDomainWait.UntilAsync(
            domains,
            "mail",
            "other",
            s => s.Status?.Transport is null && Transport(s) is null && s.Status?.ObservedGeneration == 2,
            "the transport status taken away"
        );

        await stop.CancelAsync();
        await running;
    }
}
