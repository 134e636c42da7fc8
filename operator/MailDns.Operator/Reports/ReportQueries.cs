using System.Data.Common;
using MailDns.Core.Reports;

namespace MailDns.Operator.Reports;

/// <summary>
/// The queries behind a domain's window (<see cref="ReportWindow"/>): plain SQL both databases run alike. A report
/// belongs to the window when its period ends inside it.
/// </summary>
internal static class ReportQueries
{
    private const string Rows = """
        FROM aggregate_rows r JOIN reports p ON p.report_key = r.report_key
        WHERE p.policy_domain = @domain AND p.end_time > @from AND p.end_time <= @to
        """;

    private const string Pass = "CASE WHEN r.dkim_aligned = 1 OR r.spf_aligned = 1 THEN r.message_count ELSE 0 END";

    public static async Task<ReportWindow> WindowAsync(
        ReportDatabase database,
        string domain,
        DateTimeOffset from,
        DateTimeOffset to,
        int top,
        CancellationToken cancellationToken
    )
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var totals = (
            await Query(
                connection,
                $"""
                SELECT COALESCE(SUM(r.message_count), 0), COALESCE(SUM({Pass}), 0),
                  COALESCE(SUM(r.dkim_aligned * r.message_count), 0), COALESCE(SUM(r.spf_aligned * r.message_count), 0),
                  COUNT(DISTINCT p.report_key)
                {Rows}
                """,
                r => (Long(r, 0), Long(r, 1), Long(r, 2), Long(r, 3), Long(r, 4))
            )
        )[0];
        var reporters = await Tallies(connection, "p.org_name", "", top);
        var sources = await Tallies(connection, "r.source_ip", "", top);
        var failing = await Tallies(connection, "r.source_ip", $"HAVING SUM(r.message_count) > SUM({Pass})", top, failingFirst: true);
        var selectors = await Query(
            connection,
            """
            SELECT d.domain, COALESCE(d.selector, ''), SUM(r.message_count),
              SUM(CASE WHEN d.result = 'pass' THEN r.message_count ELSE 0 END)
            FROM dkim_results d JOIN aggregate_rows r ON r.report_key = d.report_key AND r.row_no = d.row_no
            JOIN reports p ON p.report_key = r.report_key
            WHERE p.policy_domain = @domain AND p.end_time > @from AND p.end_time <= @to
            GROUP BY d.domain, COALESCE(d.selector, '') ORDER BY SUM(r.message_count) DESC, d.domain, COALESCE(d.selector, '') LIMIT @top
            """,
            r => new SelectorTally(r.GetString(0), r.GetString(1), Long(r, 2), Long(r, 3))
        );
        var dispositions = await Query(
            connection,
            $"""
            SELECT r.disposition, CASE WHEN r.dkim_aligned = 1 OR r.spf_aligned = 1 THEN 1 ELSE 0 END, SUM(r.message_count)
            {Rows}
            GROUP BY r.disposition, CASE WHEN r.dkim_aligned = 1 OR r.spf_aligned = 1 THEN 1 ELSE 0 END
            ORDER BY r.disposition, 2
            """,
            r => new DispositionTally(r.GetString(0), Long(r, 1) == 1, Long(r, 2))
        );
        var tls = (
            await Query(
                connection,
                """
                SELECT COALESCE(SUM(t.successful), 0), COALESCE(SUM(t.failed), 0)
                FROM tls_policies t JOIN reports p ON p.report_key = t.report_key
                WHERE t.policy_domain = @domain AND p.end_time > @from AND p.end_time <= @to
                """,
                r => (Long(r, 0), Long(r, 1))
            )
        )[0];
        var (failures, last) = (
            await Query(
                connection,
                """
                SELECT (SELECT COUNT(*) FROM failure_reports f JOIN reports p ON p.report_key = f.report_key
                        WHERE f.reported_domain = @domain AND p.end_time > @from AND p.end_time <= @to),
                       (SELECT MAX(received_time) FROM reports WHERE policy_domain = @domain)
                """,
                r => (Long(r, 0), r.IsDBNull(1) ? (DateTimeOffset?)null : DateTimeOffset.FromUnixTimeSeconds(Long(r, 1)))
            )
        )[0];
        return new ReportWindow(
            domain,
            from,
            to,
            totals.Item5,
            totals.Item1,
            totals.Item2,
            totals.Item3,
            totals.Item4,
            reporters,
            sources,
            failing,
            selectors,
            dispositions,
            tls.Item1,
            tls.Item2,
            failures,
            last
        );

        Task<List<T>> Query<T>(DbConnection c, string sql, Func<DbDataReader, T> read) =>
            ReportQueries.Query(c, sql, read, domain, from, to, top, cancellationToken);

        Task<List<SourceTally>> Tallies(DbConnection c, string key, string having, int limit, bool failingFirst = false) =>
            Query(
                c,
                $"""
                SELECT {key}, SUM(r.message_count), SUM({Pass})
                {Rows}
                GROUP BY {key} {having}
                ORDER BY {(failingFirst ? $"SUM(r.message_count) - SUM({Pass})" : "SUM(r.message_count)")} DESC, {key} LIMIT @top
                """,
                r => new SourceTally(r.GetString(0), Long(r, 1), Long(r, 2))
            );
    }

    private static async Task<List<T>> Query<T>(
        DbConnection connection,
        string sql,
        Func<DbDataReader, T> read,
        string domain,
        DateTimeOffset from,
        DateTimeOffset to,
        int top,
        CancellationToken cancellationToken
    )
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        ReportDatabase.Add(command, "domain", domain);
        ReportDatabase.Add(command, "from", from.ToUnixTimeSeconds());
        ReportDatabase.Add(command, "to", to.ToUnixTimeSeconds());
        ReportDatabase.Add(command, "top", (long)top);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var list = new List<T>();
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(read(reader));
        }

        return list;
    }

    /// <summary>SUM over BIGINT is NUMERIC in PostgreSQL and INTEGER in SQLite; both convert.</summary>
    private static long Long(DbDataReader reader, int column) =>
        Convert.ToInt64(reader.GetValue(column), System.Globalization.CultureInfo.InvariantCulture);
}
