using MailDns.Operator.Kubernetes;
using MailDns.Operator.Reports;
using Microsoft.Extensions.Logging;

namespace MailDns.Operator.Controllers;

/// <summary>
/// The operator's one report store, opened and migrated on first use: the database named by
/// <see cref="ControllerOptions.ReportDatabase"/> (a PostgreSQL connection string from the environment, so its password
/// never appears in arguments), or a SQLite file in the data directory.
/// </summary>
public sealed class ReportStores(ControllerOptions options, ILogger<ReportStores> logger)
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private ReportStore? store;

    public async Task<ReportStore> GetAsync(CancellationToken cancellationToken)
    {
        if (store is not null)
        {
            return store;
        }

        await gate.WaitAsync(cancellationToken);
        try
        {
            if (store is null)
            {
                var database = ReportDatabase.Parse(options.ReportDatabase ?? Path.Combine(options.DataDirectory, "reports.db"));
                var opened = new ReportStore(database);
                await opened.MigrateAsync(cancellationToken);
                logger.LogInformation("report store: {Database}", database.Description);
                store = opened;
            }

            return store;
        }
        finally
        {
            gate.Release();
        }
    }
}
