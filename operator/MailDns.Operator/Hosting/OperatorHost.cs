using k8s;
using MailDns.Operator.Controllers;
using MailDns.Operator.Kubernetes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MailDns.Operator.Hosting;

/// <summary>How <c>maildns operator</c> runs: the API server, leadership and the observability listener.</summary>
public sealed record OperatorHostSettings(KubernetesClientConfiguration Kubernetes, ControllerOptions Controllers)
{
    /// <summary>HttpListener prefix for /metrics, /healthz and /readyz; empty to disable.</summary>
    public string MetricsPrefix { get; init; } = "";

    /// <summary>Reconcile only while holding the Lease in this namespace; null to run without leader election.</summary>
    public string? LeaseNamespace { get; init; }
}

/// <summary>
/// The operator's composition root on the .NET Generic Host: logging (one JSON object per line, with scopes),
/// the Kubernetes client, metrics, the controllers (<see cref="OperatorServices"/>), and two hosted services:
/// the observability listener and the controllers themselves under leader election. The host's shutdown timeout
/// covers the grace given to reconciles under way.
/// </summary>
public static class OperatorHost
{
    public static IHost Build(OperatorHostSettings settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging.AddJsonConsole(o =>
        {
            o.IncludeScopes = true;
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
        });
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = settings.Controllers.ShutdownGrace + TimeSpan.FromSeconds(5));
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton<IKubernetes>(_ => new k8s.Kubernetes(settings.Kubernetes));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(_ =>
        {
            var registry = Prometheus.Metrics.NewCustomRegistry();
            Prometheus.DotNetStats.Register(registry); // process and GC figures, as controller-runtime exports go_* and process_*
            return new OperatorMetrics(registry);
        });
        builder.Services.AddMailDnsControllers(settings.Controllers);
        builder.Services.AddHostedService<ObservabilityService>();
        builder.Services.AddHostedService<ControllersService>();
        return builder.Build();
    }

    /// <summary>Serves /metrics and the probes for as long as the host runs.</summary>
    private sealed class ObservabilityService(OperatorHostSettings settings, OperatorMetrics metrics, OperatorRuntime runtime)
        : IHostedService,
            IDisposable
    {
        private ObservabilityServer? server;

        public Task StartAsync(CancellationToken cancellationToken)
        {
            if (settings.MetricsPrefix.Length > 0)
            {
                server = new ObservabilityServer(settings.MetricsPrefix, metrics.Registry, () => runtime.Synced);
                server.Start();
            }

            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public void Dispose() => server?.Dispose();
    }

    /// <summary>The controllers, while this replica leads (or always, without leader election).</summary>
    private sealed class ControllersService(
        OperatorHostSettings settings,
        IKubernetes client,
        OperatorRuntime runtime,
        ILogger<ControllersService> logger
    ) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            var options = settings.Controllers;
            logger.LogInformation(
                "operator started: server {Server}, namespace {Namespace}, {Workers} workers",
                settings.Kubernetes.Host,
                options.Namespace ?? "*",
                options.Workers
            );
            try
            {
                if (settings.LeaseNamespace is { } leaseNs)
                {
                    var identity = $"{Environment.MachineName}-{Environment.ProcessId}";
                    await Leadership
                        .RunWhileLeadingAsync(
                            client,
                            leaseNs,
                            "maildns-operator",
                            identity,
                            LeaseTimings.Default,
                            runtime.RunAsync,
                            stoppingToken,
                            logger
                        )
                        .ConfigureAwait(false);
                }
                else
                {
                    await runtime.RunAsync(stoppingToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }

            logger.LogInformation("operator stopped");
        }
    }
}
