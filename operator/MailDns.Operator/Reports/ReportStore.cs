using System.Data.Common;
using MailDns.Core.Reports;

namespace MailDns.Operator.Reports;

/// <summary>
/// The report store: one schema and one set of SQL statements for SQLite and PostgreSQL (both speak
/// <c>ON CONFLICT DO NOTHING</c>, named <c>@parameters</c>, <c>LIMIT</c> and BIGINT epoch seconds, so nothing here
/// depends on which). Reports are deduplicated by (reporting organisation, report id): a report is one transaction,
/// its rows first and its header last, and the header's unique key decides whether it is new.
/// </summary>
public sealed class ReportStore(ReportDatabase database)
{
    public ReportDatabase Database { get; } = database;

    private static readonly string[] Schema =
    [
        """
            CREATE TABLE IF NOT EXISTS reports (
              report_key TEXT PRIMARY KEY, kind TEXT NOT NULL, org_name TEXT NOT NULL, report_id TEXT NOT NULL,
              policy_domain TEXT NOT NULL, begin_time BIGINT, end_time BIGINT NOT NULL, received_time BIGINT NOT NULL,
              records BIGINT NOT NULL, messages BIGINT NOT NULL, dmarc_pass BIGINT, source TEXT NOT NULL,
              UNIQUE (org_name, report_id))
            """,
        "CREATE INDEX IF NOT EXISTS reports_by_domain ON reports (policy_domain, end_time)",
        "CREATE INDEX IF NOT EXISTS reports_by_end ON reports (end_time)",
        """
            CREATE TABLE IF NOT EXISTS aggregate_rows (
              report_key TEXT NOT NULL, row_no BIGINT NOT NULL, source_ip TEXT NOT NULL, message_count BIGINT NOT NULL,
              disposition TEXT NOT NULL, dkim_aligned INTEGER NOT NULL, spf_aligned INTEGER NOT NULL, header_from TEXT,
              spf_domain TEXT, spf_result TEXT, PRIMARY KEY (report_key, row_no))
            """,
        """
            CREATE TABLE IF NOT EXISTS dkim_results (
              report_key TEXT NOT NULL, row_no BIGINT NOT NULL, sig_no INTEGER NOT NULL, domain TEXT NOT NULL,
              selector TEXT, result TEXT NOT NULL, PRIMARY KEY (report_key, row_no, sig_no))
            """,
        """
            CREATE TABLE IF NOT EXISTS tls_policies (
              report_key TEXT NOT NULL, policy_no INTEGER NOT NULL, policy_type TEXT NOT NULL, policy_domain TEXT NOT NULL,
              successful BIGINT NOT NULL, failed BIGINT NOT NULL, PRIMARY KEY (report_key, policy_no))
            """,
        """
            CREATE TABLE IF NOT EXISTS tls_failures (
              report_key TEXT NOT NULL, policy_no INTEGER NOT NULL, detail_no INTEGER NOT NULL, result_type TEXT NOT NULL,
              sending_ip TEXT, receiving_mx TEXT, sessions BIGINT NOT NULL, PRIMARY KEY (report_key, policy_no, detail_no))
            """,
        """
            CREATE TABLE IF NOT EXISTS failure_reports (
              report_key TEXT PRIMARY KEY, feedback_type TEXT NOT NULL, auth_failure TEXT, source_ip TEXT,
              reported_domain TEXT NOT NULL, arrival_time BIGINT, dkim_domain TEXT, dkim_selector TEXT, delivery_result TEXT)
            """,
    ];

    private static readonly string[] ChildTables = ["aggregate_rows", "dkim_results", "tls_policies", "tls_failures", "failure_reports"];

    /// <summary>
    /// Creates the tables that are missing (and a SQLite file's directory); safe to call on every start and from every
    /// replica. Every user of a store migrates it first.
    /// </summary>
    public async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        Database.CreateLocation();
        await using var connection = await Database.OpenAsync(cancellationToken);
        foreach (var statement in Schema)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = statement;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>
    /// A sink that writes each report in its own transaction; <paramref name="received"/> stamps the reports.
    /// Dispose it when the input is read.
    /// </summary>
    public ReportImport BeginImport(DateTimeOffset received) => new(Database.Open(), received);

    /// <summary>Deletes the reports whose period ended before <paramref name="cutoff"/>, with their rows.</summary>
    public async Task<long> DeleteEndedBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken = default)
    {
        await using var connection = await Database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        foreach (var table in ChildTables)
        {
            await Execute(
                connection,
                transaction,
                $"DELETE FROM {table} WHERE report_key IN (SELECT report_key FROM reports WHERE end_time < @cutoff)",
                cutoff,
                cancellationToken
            );
        }

        var deleted = await Execute(connection, transaction, "DELETE FROM reports WHERE end_time < @cutoff", cutoff, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return deleted;
    }

    private static async Task<int> Execute(
        DbConnection connection,
        DbTransaction transaction,
        string sql,
        DateTimeOffset cutoff,
        CancellationToken cancellationToken
    )
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        ReportDatabase.Add(command, "cutoff", cutoff.ToUnixTimeSeconds());
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Every domain named by some report (aggregate, TLS or failure) whose period ended after <paramref name="from"/>.
    /// </summary>
    public async Task<IReadOnlySet<string>> DomainsReportedAsync(DateTimeOffset from, CancellationToken cancellationToken = default)
    {
        await using var connection = await Database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT policy_domain FROM reports WHERE end_time > @from
            UNION SELECT t.policy_domain FROM tls_policies t JOIN reports p ON p.report_key = t.report_key WHERE p.end_time > @from
            UNION SELECT f.reported_domain FROM failure_reports f JOIN reports p ON p.report_key = f.report_key WHERE p.end_time > @from
            """;
        ReportDatabase.Add(command, "from", from.ToUnixTimeSeconds());
        var domains = new HashSet<string>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            domains.Add(reader.GetString(0));
        }

        return domains;
    }

    /// <summary>What receivers reported about <paramref name="domain"/> for periods ending in (from, to].</summary>
    public Task<ReportWindow> WindowAsync(
        string domain,
        DateTimeOffset from,
        DateTimeOffset to,
        int top = 10,
        CancellationToken cancellationToken = default
    ) => ReportQueries.WindowAsync(Database, Core.Names.DomainName.Normalize(domain), from, to, top, cancellationToken);
}
