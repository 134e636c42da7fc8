using k8s;
using MailDns.Operator.Controllers;
using MailDns.Operator.Kubernetes;
using MailDns.Operator.Reports;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MailDns.Operator.Hosting;

/// <summary>How <c>maildns operator</c> runs: the API server, leadership and the observability listener.</summary>
public sealed record OperatorHostSettings(KubernetesClientConfiguration Kubernetes, ControllerOptions Controllers)
{
    /// <summary>HttpListener prefix for /metrics, /healthz and /readyz; empty to disable.</summary>
    public string MetricsPrefix { get; init; } = "";

    /// <summary>The internet-facing listener (TLS reports over HTTPS); null to disable.</summary>
    public PublicListenerSettings? Public { get; init; }

    /// <summary>Reconcile only while holding the Lease in this namespace; null to run without leader election.</summary>
    public string? LeaseNamespace { get; init; }
}

/// <summary>
/// The operator's composition root on the .NET Generic Host: logging (one JSON object per line, with scopes),
/// the Kubernetes client, metrics, the controllers (<see cref="OperatorServices"/>), and three hosted services:
/// the observability listener, the public listener (on every replica) and the controllers under leader election. The
/// host's shutdown timeout covers the grace given to reconciles under way.
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
        builder.Services.AddSingleton(services =>
        {
            var registry = Prometheus.Metrics.NewCustomRegistry();
            Prometheus.DotNetStats.Register(registry); // process and GC figures, as controller-runtime exports go_* and process_*
            return new OperatorMetrics(registry, services.GetRequiredService<TimeProvider>());
        });
        builder.Services.AddMailDnsControllers(settings.Controllers);
        builder.Services.AddHostedService<ObservabilityService>();
        builder.Services.AddHostedService<PublicService>();
        builder.Services.AddHostedService<ControllersService>();
        builder.Services.AddHostedService<IdleMemoryTrim>();
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
                server = new ObservabilityServer(settings.MetricsPrefix, metrics.Exposition, () => runtime.Synced);
                server.Start();
            }

            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public void Dispose() => server?.Dispose();
    }

    /// <summary>
    /// The public listener, on every replica. A report a follower receives goes straight to the store when the store is
    /// PostgreSQL (shared by the replicas; the unique report key settles a race). A SQLite store is a file on the
    /// leader's volume, so a follower answers 503 with Retry-After and the reporter's retry reaches another replica.
    /// </summary>
    private sealed class PublicService(
        OperatorHostSettings settings,
        ReportStores stores,
        OperatorRuntime runtime,
        ReportViewController views,
        OperatorMetrics metrics,
        k8s.IKubernetes client,
        ControllerOptions controllerOptions,
        ILogger<PublicService> logger
    ) : IHostedService
    {
        private PublicListener? listener;
        private readonly CancellationTokenSource stopping = new();
        private Task policyWatch = Task.CompletedTask;

        public async Task StartAsync(CancellationToken cancellationToken)
        {
            if (settings.Public is not { } options)
            {
                return;
            }

            var receiver = new TlsReportReceiver(
                async ct =>
                {
                    var store = await stores.GetAsync(ct).ConfigureAwait(false);
                    return store.Database.IsPostgres || runtime.Leading ? store : null;
                },
                TimeProvider.System,
                new Core.Reports.ReportLimits(options.MaxReportBytes, 1_000_000)
            );
            receiver.Received += outcome =>
            {
                metrics.Reports.Received("tls-rpt-https", outcome);
                if (outcome == Core.Reports.ReportOutcome.Stored)
                {
                    views.RefreshSoon(); // on a follower, the leader's next refresh shows it
                }
            };
            // Every replica serves the MTA-STS policies from its own watch: a follower runs no controller cache.
            var policies = new PolicySource(client, controllerOptions.Namespace, controllerOptions.Resync);
            policyWatch = policies.RunAsync(stopping.Token);
            listener = await PublicListener
                .StartAsync(options, receiver, null, cancellationToken, policies.Find)
                .ConfigureAwait(false);
            logger.LogInformation(
                "public listener on {Addresses}: POST {Path}, GET {PolicyPath}",
                string.Join(", ", listener.Addresses),
                PublicListenerSettings.TlsRptPath,
                PublicListenerSettings.MtaStsPath
            );
        }

        public async Task StopAsync(CancellationToken cancellationToken)
        {
            if (listener is not null)
            {
                await listener.DisposeAsync().ConfigureAwait(false);
            }

            await stopping.CancelAsync().ConfigureAwait(false);
            try
            {
                await policyWatch.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // the watch stops with the listener
            }
        }
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
