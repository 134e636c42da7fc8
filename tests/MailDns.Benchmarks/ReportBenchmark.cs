using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Xml;
using MailDns.Core.Reports;
using MailDns.Operator.Reports;
using MailDns.Testing;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace MailDns.Benchmarks;

/// <summary>
/// Reports: a generated aggregate report of N rows (RFC 9990 rows as Google writes them) parsed by the product, beside a
/// bare XmlReader pass over the same file in the same run (median of three each); the peak RSS of `maildns reports
/// parse` on that file, as its own process; and a report of M rows imported into SQLite and PostgreSQL, beside a bulk
/// insert of the same rows into the same table (one prepared INSERT in one transaction for SQLite, binary COPY for
/// PostgreSQL).
/// </summary>
public static class ReportBenchmark
{
    public static Dictionary<string, double> Run(int rows, int importRows) => RunAsync(rows, importRows).GetAwaiter().GetResult();

    private static async Task<Dictionary<string, double>> RunAsync(int rows, int importRows)
    {
        using var dir = new TempDir();
        var big = Path.Combine(dir.Path, "big.xml");
        Write(big, rows);
        var figures = new Dictionary<string, double>
        {
            ["reports_parse_rows"] = rows,
            ["reports_parse_file_megabytes"] = Math.Round(new FileInfo(big).Length / 1048576.0, 1),
        };

        var bare = Samples.Of(3, () => BareXmlReader(big)).Median;
        var product = Samples.Of(3, () => ProductParse(big, rows)).Median;
        figures["reports_parse_bare_xmlreader_rows_per_second"] = Math.Round(rows / bare);
        figures["reports_parse_rows_per_second"] = Math.Round(rows / product);
        figures["reports_parse_ratio_to_bare_xmlreader"] = Math.Round(bare / product, 3);
        figures["reports_parse_cli_peak_rss_megabytes"] = Math.Round(CliPeakRss(big), 1);

        var small = Path.Combine(dir.Path, "import.xml");
        Write(small, importRows);
        figures["reports_import_rows"] = importRows;
        var sqlite = ReportDatabase.Parse(Path.Combine(dir.Path, "reports.db"));
        await ImportFiguresAsync("sqlite", sqlite, small, importRows, figures);
        using var postgres = new PostgresServer();
        await ImportFiguresAsync("postgres", ReportDatabase.Parse(postgres.NewDatabase()), small, importRows, figures);
        return figures;
    }

    /// <summary>A report of <paramref name="rows"/> rows from 1,000 addresses, a tenth failing, written as it streams.</summary>
    private static void Write(string path, int rows)
    {
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16);
        writer.Write(
            """
            <?xml version="1.0" encoding="UTF-8" ?>
            <feedback xmlns="urn:ietf:params:xml:ns:dmarc-2.0"><version>1.0</version>
            <report_metadata><org_name>google.com</org_name><email>noreply-dmarc-support@google.com</email>
            <report_id>bench-1</report_id><date_range><begin>1796083200</begin><end>1796169599</end></date_range></report_metadata>
            <policy_published><domain>news.example.org</domain><p>none</p><np>reject</np><testing>n</testing></policy_published>

            """
        );
        for (var i = 0; i < rows; i++)
        {
            var pass = i % 10 != 0 ? "pass" : "fail";
            writer.Write(
                $"<record><row><source_ip>192.0.{i % 1000 / 250}.{i % 250}</source_ip><count>{1 + (i % 7)}</count>"
                    + $"<policy_evaluated><disposition>none</disposition><dkim>{pass}</dkim><spf>{pass}</spf></policy_evaluated></row>"
                    + "<identifiers><header_from>news.example.org</header_from></identifiers><auth_results><dkim><domain>news.example.org"
                    + $"</domain><selector>ed20261201</selector><result>{pass}</result></dkim><spf><domain>news.example.org</domain>"
                    + $"<result>{pass}</result></spf></auth_results></record>\n"
            );
        }

        writer.Write("</feedback>\n");
    }

    private static double BareXmlReader(string path)
    {
        var watch = Stopwatch.StartNew();
        using var reader = XmlReader.Create(
            path,
            new XmlReaderSettings { IgnoreWhitespace = true, DtdProcessing = DtdProcessing.Prohibit }
        );
        long nodes = 0;
        while (reader.Read())
        {
            if (reader.NodeType == XmlNodeType.Text)
            {
                nodes += reader.Value.Length > 0 ? 1 : 0; // the values are read, as the parser must read them
            }
        }

        return nodes > 0 ? watch.Elapsed.TotalSeconds : throw new InvalidOperationException("nothing read");
    }

    private static double ProductParse(string path, int rows)
    {
        var watch = Stopwatch.StartNew();
        var found = ReportReader.Read(path);
        if (found is not [{ Summary.Records: { } records }] || records != rows)
        {
            throw new InvalidOperationException($"the parse did not read {rows} rows: {found.FirstOrDefault()?.Summary.Error}");
        }

        return watch.Elapsed.TotalSeconds;
    }

    /// <summary>`maildns reports parse FILE` as a process: its peak resident set (VmHWM), polled until it exits.</summary>
    private static double CliPeakRss(string path)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (name, value) in OperatorProcess.ImageEnvironment)
        {
            info.Environment[name] = value;
        }

        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "maildns.dll"), "reports", "parse", path, "--output", "json" })
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var peak = 0.0;
        while (!process.WaitForExit(20))
        {
            try
            {
                var line = File.ReadLines($"/proc/{process.Id}/status")
                    .FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
                if (line is not null)
                {
                    peak = Math.Max(
                        peak,
                        double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024
                    );
                }
            }
            catch (IOException)
            {
                break; // it exited between the wait and the read
            }
        }

        if (process.ExitCode != 0 || output.Result.Length == 0)
        {
            throw new InvalidOperationException($"maildns reports parse failed ({process.ExitCode}): {process.StandardError.ReadToEnd()}");
        }

        return peak;
    }

    private static async Task ImportFiguresAsync(
        string name,
        ReportDatabase database,
        string path,
        int rows,
        Dictionary<string, double> figures
    )
    {
        var store = new ReportStore(database);
        await store.MigrateAsync();
        var watch = Stopwatch.StartNew();
        using (var sink = store.BeginImport(DateTimeOffset.UtcNow))
        {
            if (ReportReader.Read(path, sink: sink) is not [{ Outcome: ReportOutcome.Stored }])
            {
                throw new InvalidOperationException($"the {name} import did not store the report");
            }
        }

        var import = watch.Elapsed.TotalSeconds;
        await using var connection = await database.OpenAsync(CancellationToken.None);
        await using (var clear = connection.CreateCommand())
        {
            clear.CommandText = "DELETE FROM aggregate_rows";
            await clear.ExecuteNonQueryAsync();
        }

        watch.Restart();
        await BulkInsertAsync(connection, rows);
        var bulk = watch.Elapsed.TotalSeconds;
        figures[$"reports_import_{name}_rows_per_second"] = Math.Round(rows / import);
        figures[$"reports_import_{name}_bulk_insert_rows_per_second"] = Math.Round(rows / bulk);
    }

    /// <summary>The floor: the same number of rows into the same table, with nothing parsed and no child rows.</summary>
    private static async Task BulkInsertAsync(System.Data.Common.DbConnection connection, int rows)
    {
        if (connection is NpgsqlConnection postgres)
        {
            await using var copy = await postgres.BeginBinaryImportAsync(
                "COPY aggregate_rows (report_key, row_no, source_ip, message_count, disposition, dkim_aligned, spf_aligned) "
                    + "FROM STDIN (FORMAT BINARY)"
            );
            for (var i = 0; i < rows; i++)
            {
                await copy.StartRowAsync();
                await copy.WriteAsync("bulk");
                await copy.WriteAsync((long)i);
                await copy.WriteAsync($"192.0.2.{i % 250}");
                await copy.WriteAsync(1L + (i % 7));
                await copy.WriteAsync("none");
                await copy.WriteAsync(1);
                await copy.WriteAsync(1);
            }

            await copy.CompleteAsync();
            return;
        }

        var sqlite = (SqliteConnection)connection;
        await using var transaction = sqlite.BeginTransaction();
        await using var insert = sqlite.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText =
            "INSERT INTO aggregate_rows (report_key, row_no, source_ip, message_count, disposition, dkim_aligned, spf_aligned) "
            + "VALUES ('bulk', $n, $ip, $count, 'none', 1, 1)";
        var (n, ip, count) = (
            insert.Parameters.Add("$n", SqliteType.Integer),
            insert.Parameters.Add("$ip", SqliteType.Text),
            insert.Parameters.Add("$count", SqliteType.Integer)
        );
        insert.Prepare();
        for (var i = 0; i < rows; i++)
        {
            (n.Value, ip.Value, count.Value) = (i, $"192.0.2.{i % 250}", 1 + (i % 7));
            await insert.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
    }
}
