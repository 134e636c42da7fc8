using System.Net;
using System.Text;
using MailDns.Operator.Observability;

namespace MailDns.Operator.Kubernetes;

/// <summary>
/// /metrics (Prometheus text), /healthz (the process serves) and /readyz (the caches are synced) on one port,
/// on HttpListener so the operator needs no web framework.
/// </summary>
public sealed class ObservabilityServer(string prefix, MetricsExposition metrics, Func<bool> ready) : IDisposable
{
    private readonly HttpListener listener = new();

    public void Start()
    {
        listener.Prefixes.Add(prefix);
        listener.Start();
        _ = Task.Run(LoopAsync);
    }

    private async Task LoopAsync()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            try
            {
                switch (context.Request.Url?.AbsolutePath)
                {
                    case "/metrics":
                        context.Response.ContentType = "text/plain; version=0.0.4";
                        await metrics.WriteAsync(context.Response.OutputStream).ConfigureAwait(false);
                        break;
                    case "/healthz":
                        await WriteAsync(context, 200, "ok").ConfigureAwait(false);
                        break;
                    case "/readyz":
                        await WriteAsync(context, ready() ? 200 : 503, ready() ? "ready" : "caches not synced").ConfigureAwait(false);
                        break;
                    default:
                        await WriteAsync(context, 404, "not found").ConfigureAwait(false);
                        break;
                }
            }
            finally
            {
                context.Response.Close();
            }
        }
    }

    private static async Task WriteAsync(HttpListenerContext context, int code, string text)
    {
        context.Response.StatusCode = code;
        var bytes = Encoding.UTF8.GetBytes(text + "\n");
        await context.Response.OutputStream.WriteAsync(bytes).ConfigureAwait(false);
    }

    public void Dispose() => listener.Close();
}
