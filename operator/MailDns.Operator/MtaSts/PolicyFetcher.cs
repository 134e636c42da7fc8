using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace MailDns.Operator.MtaSts;

/// <summary>What the policy URL served: the text, or why there is none.</summary>
public sealed record FetchedPolicy(string? Text, string? Error);

/// <summary>Fetches a domain's MTA-STS policy; the seam between the planner's gatherer and HTTP.</summary>
public interface IPolicyFetcher
{
    Task<FetchedPolicy> FetchAsync(string domain, CancellationToken cancellationToken);
}

/// <summary>
/// Fetches https://mta-sts.DOMAIN/.well-known/mta-sts.txt as a sending MTA does (RFC 8461 §3.3): certificate validated,
/// redirects refused, 200 with text/plain only, at most 64 KB. The URL is a template ({domain}), so the operator can
/// be pointed at its own listener (with the Host header a sender would send) where the public name does not resolve.
/// </summary>
public sealed class HttpPolicyFetcher(
    string urlTemplate,
    TimeSpan? timeout = null,
    System.Security.Cryptography.X509Certificates.X509Certificate2Collection? extraRoots = null
) : IPolicyFetcher
{
    public const string DefaultUrl = "https://mta-sts.{domain}/.well-known/mta-sts.txt";

    private readonly HttpClient http = new(Handler(extraRoots)) { Timeout = timeout ?? TimeSpan.FromSeconds(10) };

    /// <summary>No redirects; with extra roots, a chain to one of them (or to the system's) counts as valid, the name still
    /// has to match.</summary>
    private static SocketsHttpHandler Handler(System.Security.Cryptography.X509Certificates.X509Certificate2Collection? roots)
    {
        var handler = new SocketsHttpHandler { AllowAutoRedirect = false };
        if (roots is { Count: > 0 })
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                if (certificate is null || errors.HasFlag(System.Net.Security.SslPolicyErrors.RemoteCertificateNameMismatch))
                {
                    return false;
                }

                using var chain = new System.Security.Cryptography.X509Certificates.X509Chain();
                chain.ChainPolicy.RevocationMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck;
                chain.ChainPolicy.TrustMode = System.Security.Cryptography.X509Certificates.X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.AddRange(roots);
                return errors == System.Net.Security.SslPolicyErrors.None
                    || chain.Build(new System.Security.Cryptography.X509Certificates.X509Certificate2(certificate));
            };
        }

        return handler;
    }

    public async Task<FetchedPolicy> FetchAsync(string domain, CancellationToken cancellationToken)
    {
        var url = new Uri(urlTemplate.Replace("{domain}", domain, StringComparison.Ordinal));
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Host = $"mta-sts.{domain}"; // what a sender sends, whichever address answers
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return new FetchedPolicy(null, $"{url} answered {(int)response.StatusCode} (a sender takes only 200, no redirect)");
            }

            if (response.Content.Headers.ContentType is not MediaTypeHeaderValue { MediaType: "text/plain" })
            {
                return new FetchedPolicy(
                    null,
                    $"{url} served {response.Content.Headers.ContentType?.MediaType ?? "no type"}, not text/plain"
                );
            }

            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            var buffer = new byte[Core.MtaSts.MtaStsPolicy.MaxBytes + 1];
            var read = 0;
            int n;
            while (read < buffer.Length && (n = await body.ReadAsync(buffer.AsMemory(read), cancellationToken)) > 0)
            {
                read += n;
            }

            return read > Core.MtaSts.MtaStsPolicy.MaxBytes
                ? new FetchedPolicy(null, $"{url} served more than {Core.MtaSts.MtaStsPolicy.MaxBytes} bytes")
                : new FetchedPolicy(Encoding.UTF8.GetString(buffer, 0, read), null);
        }
        catch (HttpRequestException e)
        {
            return new FetchedPolicy(null, $"{url}: {e.Message}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new FetchedPolicy(null, $"{url}: timed out");
        }
    }
}
