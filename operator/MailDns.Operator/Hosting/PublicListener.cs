using System.Threading.RateLimiting;
using MailDns.Operator.Reports;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MailDns.Operator.Hosting;

/// <summary>The internet-facing listener's settings: where it listens and what it allows one client.</summary>
public sealed record PublicListenerSettings(string Address)
{
    /// <summary>The path TLS reports are POSTed to: the URI a TLS-RPT record's rua=https: names.</summary>
    public const string TlsRptPath = "/tlsrpt";

    /// <summary>Where senders fetch an MTA-STS policy (RFC 8461 §3.3), on the host mta-sts.DOMAIN.</summary>
    public const string MtaStsPath = "/.well-known/mta-sts.txt";

    /// <summary>The largest request body (compressed, as sent); a TLS report is a few kilobytes.</summary>
    public long MaxBodyBytes { get; init; } = 1 << 20;

    /// <summary>The largest report once decompressed (against a decompression bomb).</summary>
    public long MaxReportBytes { get; init; } = 20 << 20;

    /// <summary>Requests one client address may make per minute; more are answered 429 with Retry-After.</summary>
    public int PerClientPerMinute { get; init; } = 60;

    public int MaxConnections { get; init; } = 512;

    /// <summary>
    /// PEM certificate (chain) and key for an https:// address, for a deployment without a TLS-terminating Ingress
    /// (mounted from a cert-manager Secret, say); read again whenever the files change, so a renewal needs no restart.
    /// </summary>
    public string? CertificatePath { get; init; }

    public string? KeyPath { get; init; }
}

/// <summary>
/// The operator's internet-facing listener (Kestrel), apart from /metrics and the probes and serving nothing else:
/// `POST /tlsrpt` takes TLS reports (RFC 8460 §3) through <see cref="TlsReportReceiver"/>, and
/// `GET /.well-known/mta-sts.txt` serves the MTA-STS policy of the domain its Host names. Every replica runs it; TLS is
/// terminated by the user's Ingress or Gateway in front of it. Limits: body size, header timeout, connections, and a
/// per-client fixed window (429 with Retry-After).
/// </summary>
public sealed class PublicListener : IAsyncDisposable
{
    private readonly WebApplication app;

    private PublicListener(WebApplication app) => this.app = app;

    /// <summary>The addresses it listens on (the real port when the address asked for port 0).</summary>
    public IReadOnlyList<string> Addresses =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];

    public static async Task<PublicListener> StartAsync(
        PublicListenerSettings settings,
        TlsReportReceiver receiver,
        ILoggerProvider? logs,
        CancellationToken cancellationToken,
        Func<string, string?>? policies = null
    )
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs);
        }

        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.WebHost.UseUrls(settings.Address);
        builder.WebHost.UseKestrelHttpsConfiguration(); // the slim builder leaves https:// addresses out unless asked
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = settings.MaxBodyBytes;
            k.Limits.MaxConcurrentConnections = settings.MaxConnections;
            k.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(10);
            if (settings is { CertificatePath: { } certificate, KeyPath: { } key })
            {
                var files = new PemCertificate(certificate, key);
                k.ConfigureHttpsDefaults(h =>
                {
                    h.SslProtocols = System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13;
                    h.ServerCertificateSelector = (_, _) => files.Current();
                });
            }
        });
        builder.Services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                RateLimitPartition.GetFixedWindowLimiter(
                    context.Connection.RemoteIpAddress?.ToString() ?? "",
                    _ => new FixedWindowRateLimiterOptions
                    {
                        PermitLimit = settings.PerClientPerMinute,
                        Window = TimeSpan.FromMinutes(1),
                        QueueLimit = 0,
                    }
                )
            );
            o.OnRejected = (context, _) =>
            {
                context.HttpContext.Response.Headers.RetryAfter = "60";
                return ValueTask.CompletedTask;
            };
        });
        var app = builder.Build();
        app.UseRateLimiter();
        app.MapPost(PublicListenerSettings.TlsRptPath, (HttpContext context) => ReceiveAsync(context, receiver, settings));
        app.MapGet(PublicListenerSettings.MtaStsPath, (HttpContext context) => ServePolicyAsync(context, policies));
        await app.StartAsync(cancellationToken);
        return new PublicListener(app);
    }

    private static async Task ReceiveAsync(HttpContext context, TlsReportReceiver receiver, PublicListenerSettings settings)
    {
        var request = context.Request;
        ReceiveResult result;
        if (request.ContentLength > settings.MaxBodyBytes)
        {
            result = new ReceiveResult(413, $"a TLS report may be at most {settings.MaxBodyBytes} bytes");
        }
        else
        {
            try
            {
                using var buffer = new MemoryStream();
                await request.Body.CopyToAsync(buffer, context.RequestAborted);
                var client = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
                result = await receiver.ReceiveAsync(request.ContentType, buffer.ToArray(), client, context.RequestAborted);
            }
            catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                result = new ReceiveResult(413, $"a TLS report may be at most {settings.MaxBodyBytes} bytes");
            }
            catch (System.Data.Common.DbException)
            {
                result = new ReceiveResult(503, "the report store cannot be written now; retry later");
            }
        }

        context.Response.StatusCode = result.StatusCode;
        if (result.StatusCode == StatusCodes.Status503ServiceUnavailable)
        {
            context.Response.Headers.RetryAfter = "300";
        }
        else if (result.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            // The unread rest of the body is not drained (RFC 9110 §15.5.14 lets the server close): saying so keeps the
            // sender from sending its next report on a connection that is about to close (seen as "response ended").
            context.Response.Headers.Connection = "close";
        }

        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync(result.Text + "\n", context.RequestAborted);
    }

    /// <summary>
    /// The policy for the Host's domain as text/plain (RFC 8461 §3.3), or 404 for a host with no policy here. Shared caches
    /// may keep it a minute: a sender that sees a new id must get the new policy, not a cached old one.
    /// </summary>
    private static async Task ServePolicyAsync(HttpContext context, Func<string, string?>? policies)
    {
        var policy = policies?.Invoke(context.Request.Host.Host);
        context.Response.ContentType = "text/plain; charset=utf-8";
        if (policy is null)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            await context.Response.WriteAsync("no MTA-STS policy for this host\n", context.RequestAborted);
            return;
        }

        context.Response.Headers.CacheControl = "public, max-age=60";
        await context.Response.WriteAsync(policy, context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}

/// <summary>A PEM certificate and key on disk, loaded again when either file changes (a renewed Secret).</summary>
internal sealed class PemCertificate(string certificatePath, string keyPath)
{
    private readonly Lock gate = new();
    private (DateTime, DateTime) stamp;
    private System.Security.Cryptography.X509Certificates.X509Certificate2? current;

    public System.Security.Cryptography.X509Certificates.X509Certificate2 Current()
    {
        lock (gate)
        {
            var now = (File.GetLastWriteTimeUtc(certificatePath), File.GetLastWriteTimeUtc(keyPath));
            if (current is null || now != stamp)
            {
                current = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
                stamp = now;
            }

            return current;
        }
    }
}
