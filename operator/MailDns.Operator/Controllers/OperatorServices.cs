using k8s;
using MailDns.Operator.Kubernetes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MailDns.Operator.Controllers;

/// <summary>
/// The operator's composition: every controller and the pieces they share, registered once. The host
/// (<c>maildns operator</c>) and the tests build the operator from the same registrations.
/// </summary>
public static class OperatorServices
{
    /// <summary>Registers the controllers; the caller registers <see cref="IKubernetes"/> and may register <see
    /// cref="OperatorMetrics"/>.</summary>
    public static IServiceCollection AddMailDnsControllers(this IServiceCollection services, ControllerOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton<ClusterCache>();
        services.AddSingleton<ProviderSecretCache>();
        services.AddSingleton<KeySecretWrites>();
        services.AddSingleton<EventRecorder>();
        services.AddSingleton<DomainStatusWriter>();
        services.AddSingleton<PublishingStores>();
        services.AddSingleton<DomainFinalizer>();
        services.AddSingleton<HealthController>();
        services.AddSingleton<ReportStores>();
        services.AddSingleton<ReportViewController>();
        services.AddSingleton<RolloutController>();
        services.AddSingleton<ReputationController>();
        services.AddSingleton<MtaStsController>();
        services.AddSingleton<TransportController>();
        services.AddSingleton<ReportSourceController>();
        services.AddSingleton<SendingDomainController>();
        services.AddSingleton<ProviderStatusController>();
        services.AddSingleton<SecretRouter>();
        services.AddSingleton<OperatorRuntime>();
        return services;
    }

    /// <summary>An operator outside a host (tests, benchmarks): the same registrations, with the given client, clock and logs.</summary>
    public static OperatorRuntime Create(
        IKubernetes client,
        ControllerOptions options,
        TimeProvider time,
        OperatorMetrics? metrics = null,
        ILoggerProvider? logs = null
    )
    {
        var services = new ServiceCollection()
            .AddLogging(b =>
            {
                if (logs is not null)
                {
                    b.AddProvider(logs);
                }
            })
            .AddSingleton(client)
            .AddSingleton(time)
            .AddMailDnsControllers(options);
        if (metrics is not null)
        {
            services.AddSingleton(metrics);
        }

        return services.BuildServiceProvider().GetRequiredService<OperatorRuntime>();
    }
}
