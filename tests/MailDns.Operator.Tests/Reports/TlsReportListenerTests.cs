using System.Net;
using System.Net.Http.Headers;
using System.Text;
using MailDns.Core.Reports;
using MailDns.Operator.Hosting;
using MailDns.Operator.Reports;
using MailDns.Testing;
using MailDns.Testing.Reports;

namespace MailDns.Operator.Tests.Reports;

/// <summary>
/// TLS reports POSTed over HTTP to the public listener (Kestrel on 127.0.0.1; TLS is the Ingress's job), as RFC 8460 §3
/// describes the HTTPS method: the two media types, one report per request, 2xx for a report taken (a repeat included),
/// a 4xx naming the rule for anything else, and limits on size, decompressed size and requests per client.
/// </summary>
public sealed class TlsReportListenerTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Yesterday = DateTimeOffset.UtcNow.AddDays(-1);
    private readonly TempDir dir = new();
    private readonly HttpClient http = new();
    private ReportStore store = null!;

    public async Task InitializeAsync()
    {
        store = new ReportStore(ReportDatabase.Parse(Path.Combine(dir.Path, "reports.db")));
        await store.MigrateAsync();
    }

    public Task DisposeAsync()
    {
        http.Dispose();
        dir.Dispose();
        return Task.CompletedTask;
    }

    private async Task<(PublicListener Listener, Uri Endpoint)> StartAsync(PublicListenerSettings? settings = null, bool canWrite = true)
    {
        settings ??= new PublicListenerSettings("http://127.0.0.1:0") { MaxBodyBytes = 64 << 10, MaxReportBytes = 1 << 20 };
        var receiver = new TlsReportReceiver(
            _ => Task.FromResult(canWrite ? store : null),
            TimeProvider.System,
            new ReportLimits(settings.MaxReportBytes, 1000)
        );
        var listener = await PublicListener.StartAsync(settings, receiver, null, CancellationToken.None);
        return (listener, new Uri(new Uri(listener.Addresses[0]), PublicListenerSettings.TlsRptPath));
    }

    private async Task<(HttpStatusCode Status, string Text, HttpResponseMessage Response)> PostAsync(Uri endpoint, byte[] body, string type)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(type);
        var response = await http.PostAsync(endpoint, content);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }

    private static string Report(string id, long failed = 2) =>
        ReportFiles.Tls("google.com", id, "news.example.org", Yesterday, 900, failed);

    [Fact]
    public async Task A_gzip_or_json_report_is_stored_once_and_answered_201_then_200_for_the_repeat()
    {
        var (listener, endpoint) = await StartAsync();
        await using var _ = listener;

        var first = await PostAsync(endpoint, ReportFiles.Gzip(Report("t-1")), TlsReportReceiver.GzipType);
        var again = await PostAsync(endpoint, ReportFiles.Gzip(Report("t-1")), TlsReportReceiver.GzipType);
        var json = await PostAsync(endpoint, Encoding.UTF8.GetBytes(Report("t-2", failed: 5)), "application/tlsrpt+json; charset=utf-8");

        Assert.Equal((HttpStatusCode.Created, "report stored\n"), (first.Status, first.Text));
        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.Equal(HttpStatusCode.Created, json.Status);
        var window = await store.WindowAsync("news.example.org", Yesterday.AddDays(-2), DateTimeOffset.UtcNow.AddDays(1));
        Assert.Equal((1800L, 7L), (window.TlsSuccessfulSessions, window.TlsFailedSessions));
        Assert.False(first.Response.Headers.Contains("Server")); // the listener does not name its software
    }

    [Theory]
    [InlineData("text/plain", false, 415)] // RFC 8460 §3: only the two tlsrpt media types
    [InlineData("application/tlsrpt+gzip", false, 400)] // declared gzip, sent plain JSON
    [InlineData("application/tlsrpt+json", true, 400)] // declared JSON, sent gzip
    public async Task A_body_whose_media_type_is_wrong_or_does_not_match_is_refused_and_nothing_is_stored(
        string type,
        bool gzip,
        int status
    )
    {
        var (listener, endpoint) = await StartAsync();
        await using var _ = listener;
        var body = gzip ? ReportFiles.Gzip(Report("t-3")) : Encoding.UTF8.GetBytes(Report("t-3"));

        var answer = await PostAsync(endpoint, body, type);

        Assert.Equal(status, (int)answer.Status);
        Assert.Empty(await store.DomainsReportedAsync(DateTimeOffset.UnixEpoch));
    }

    [Fact]
    public async Task An_aggregate_report_a_broken_one_and_a_decompression_bomb_are_400_with_the_reason()
    {
        var (listener, endpoint) = await StartAsync();
        await using var _ = listener;
        var aggregate = ReportFiles.Aggregate(
            "google.com",
            "a-1",
            "news.example.org",
            Yesterday,
            [new TestRow("192.0.2.1", 1, true, true)]
        );
        var bomb = ReportFiles.Gzip("{\"organization-name\":\"" + new string(' ', 4 << 20) + "\"}"); // 4 MiB of spaces, 4 KiB sent

        var notTls = await PostAsync(endpoint, ReportFiles.Gzip(aggregate), TlsReportReceiver.GzipType);
        var broken = await PostAsync(endpoint, Encoding.UTF8.GetBytes("{\"organization-name\": \"x\""), TlsReportReceiver.JsonType);
        var exploded = await PostAsync(endpoint, bomb, TlsReportReceiver.GzipType);

        Assert.Equal((HttpStatusCode.BadRequest, "the body is not a TLS report (RFC 8460 §4)\n"), (notTls.Status, notTls.Text));
        Assert.Equal(HttpStatusCode.BadRequest, broken.Status);
        Assert.StartsWith("the report was not accepted: ", broken.Text, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, exploded.Status);
        Assert.Contains("more than 1,048,576", exploded.Text); // the limit it broke, by number
        Assert.Empty(await store.DomainsReportedAsync(DateTimeOffset.UnixEpoch));
    }

    [Fact]
    public async Task A_body_over_the_size_limit_is_413_and_requests_over_the_per_client_rate_are_429_with_retry_after()
    {
        var settings = new PublicListenerSettings("http://127.0.0.1:0") { MaxBodyBytes = 1024, PerClientPerMinute = 3 };
        var (listener, endpoint) = await StartAsync(settings);
        await using var _ = listener;

        var large = await PostAsync(endpoint, new byte[4096], TlsReportReceiver.JsonType);
        var codes = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            codes.Add((await PostAsync(endpoint, ReportFiles.Gzip(Report($"r-{i}")), TlsReportReceiver.GzipType)).Status);
        }

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, large.Status);
        Assert.True(large.Response.Headers.ConnectionClose); // the next request goes on a new connection
        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.TooManyRequests], codes); // 4 requests, 3 allowed
        var limited = await PostAsync(endpoint, ReportFiles.Gzip(Report("r-9")), TlsReportReceiver.GzipType);
        Assert.Equal("60", limited.Response.Headers.RetryAfter?.ToString());
    }

    [Fact]
    public async Task The_listener_serves_nothing_but_the_report_path_and_a_replica_that_cannot_write_answers_503_with_retry_after()
    {
        var (listener, endpoint) = await StartAsync(canWrite: false);
        await using var _ = listener;

        var metrics = await http.GetAsync(new Uri(endpoint, "/metrics"));
        var get = await http.GetAsync(endpoint);
        var follower = await PostAsync(endpoint, ReportFiles.Gzip(Report("t-5")), TlsReportReceiver.GzipType);

        Assert.Equal(HttpStatusCode.NotFound, metrics.StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, get.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, follower.Status);
        Assert.NotNull(follower.Response.Headers.RetryAfter);
        Assert.Empty(await store.DomainsReportedAsync(DateTimeOffset.UnixEpoch));
    }

    [Fact]
    public async Task Over_https_with_its_own_certificate_a_report_is_stored_and_a_renewed_certificate_is_served_without_a_restart()
    {
        using var certificates = new TestCertificates();
        var (certificate, key) = certificates.Server("tlsrpt.example.org");
        var (certPath, keyPath) = (Path.Combine(dir.Path, "tls.crt"), Path.Combine(dir.Path, "tls.key"));
        await File.WriteAllTextAsync(certPath, certificate);
        await File.WriteAllTextAsync(keyPath, key);
        var settings = new PublicListenerSettings("https://127.0.0.1:0") { CertificatePath = certPath, KeyPath = keyPath };
        var (listener, endpoint) = await StartAsync(settings);
        await using var _ = listener;
        var seen = new List<string>();
        using var trusting = new HttpClient(
            new SocketsHttpHandler
            {
                SslOptions =
                {
                    // The test CA only, as a reporter trusts the web PKI: the chain must build to it and name the host.
                    RemoteCertificateValidationCallback = (_, cert, _, _) =>
                    {
                        using var chain = new System.Security.Cryptography.X509Certificates.X509Chain();
                        chain.ChainPolicy.TrustMode = System.Security.Cryptography.X509Certificates.X509ChainTrustMode.CustomRootTrust;
                        chain.ChainPolicy.CustomTrustStore.Add(
                            System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(certificates.CaPem)
                        );
                        chain.ChainPolicy.RevocationMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck;
                        var leaf = new System.Security.Cryptography.X509Certificates.X509Certificate2(cert!);
                        seen.Add(leaf.SerialNumber);
                        return chain.Build(leaf);
                    },
                },
            }
        );
        async Task<HttpStatusCode> PostOverTlsAsync(string id)
        {
            using var content = new ByteArrayContent(ReportFiles.Gzip(Report(id)));
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(TlsReportReceiver.GzipType);
            using var request = new HttpRequestMessage(HttpMethod.Post, endpoint)
            {
                Content = content,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            };
            request.Headers.ConnectionClose = true; // a new handshake per request, so the renewal below is seen
            return (await trusting.SendAsync(request)).StatusCode;
        }

        Assert.Equal(HttpStatusCode.Created, await PostOverTlsAsync("s-1"));
        var (renewed, renewedKey) = certificates.Server("tlsrpt.example.org");
        await File.WriteAllTextAsync(keyPath, renewedKey);
        await File.WriteAllTextAsync(certPath, renewed);
        File.SetLastWriteTimeUtc(certPath, DateTime.UtcNow.AddSeconds(5)); // a new stamp even within the file system's clock tick
        Assert.Equal(HttpStatusCode.Created, await PostOverTlsAsync("s-2"));

        Assert.Equal(2, seen.Distinct().Count());
        Assert.Equal(
            2,
            (await store.WindowAsync("news.example.org", Yesterday.AddDays(-2), DateTimeOffset.UtcNow.AddDays(1))).TlsSuccessfulSessions
                / 900
        );
    }
}
