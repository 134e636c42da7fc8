using System.Text;
using CsCheck;
using MailDns.Core.Reports;
using MailDns.Operator.Reports;
using MailDns.Testing;
using MailDns.Testing.Reports;
using Microsoft.Data.Sqlite;

namespace MailDns.Operator.Tests.Reports;

/// <summary>
/// Damaged reports (bytes flipped, cut, inserted, gzipped or not) through the whole importer into a real SQLite store:
/// no exception escapes, each report is stored, a duplicate or rejected, and nothing of a rejected report remains (a
/// stored report has exactly the rows it says it has).
/// </summary>
public sealed class ReportImportFuzzTests : IDisposable
{
    private static readonly DateTimeOffset Day = new(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    private static readonly byte[] Aggregate = Encoding.UTF8.GetBytes(
        ReportFiles.Aggregate(
            "google.com",
            "fuzz",
            "news.example.org",
            Day,
            [new TestRow("192.0.2.10", 900, true, false), new TestRow("198.51.100.7", 12, false, false, "s1")]
        )
    );

    private static readonly byte[] Tls = Encoding.UTF8.GetBytes(ReportFiles.Tls("google.com", "fuzz-tls", "news.example.org", Day, 90, 3));

    private static readonly byte[] Markup = "<>&\"{}[],:0"u8.ToArray().Append((byte)0xff).ToArray();

    /// <summary>One damage: flip a byte, cut the rest, or insert a byte (markup characters more often than chance).</summary>
    private static byte[] Damage(byte[] input, (int Position, int Kind, byte Value) change)
    {
        if (input.Length == 0)
        {
            return input;
        }

        var at = change.Position % input.Length;
        return change.Kind switch
        {
            0 => [.. input[..at], change.Value, .. input[(at + 1)..]],
            1 => input[..at],
            2 => [.. input[..at], Markup[change.Value % Markup.Length], .. input[at..]],
            _ => [.. input[..at], change.Value, .. input[at..]],
        };
    }

    private static readonly Gen<byte[]> Damaged = Gen.Select(
        Gen.OneOf(Gen.Const(Aggregate), Gen.Const(Tls)),
        Gen.Select(Gen.Int[0, int.MaxValue], Gen.Int[0, 3], Gen.Byte).Array[1, 4],
        Gen.Bool,
        (input, changes, gzip) =>
        {
            var damaged = changes.Aggregate(input, Damage);
            return gzip ? ReportFiles.Gzip(Encoding.Latin1.GetString(damaged)) : damaged;
        }
    );

    [Fact]
    public async Task No_damaged_report_crashes_the_importer_or_leaves_part_of_itself_in_the_store()
    {
        var store = new ReportStore(ReportDatabase.Parse(Path.Combine(dir.Path, "reports.db")));
        await store.MigrateAsync();
        var index = 0;

        Damaged.Sample(
            bytes =>
            {
                using var sink = store.BeginImport(Day.AddDays(1));
                var found = ReportReader.Read($"fuzz {index++}", new MemoryStream(bytes), new ReportLimits(1 << 20, 10_000), sink);
                return found.All(f => f.Outcome is ReportOutcome.Stored or ReportOutcome.Duplicate or ReportOutcome.Rejected)
                    && found.All(f => (f.Outcome == ReportOutcome.Rejected) == (f.Summary.Error is not null));
            },
            iter: 5_000
        );

        using var connection = new SqliteConnection($"Data Source={Path.Combine(dir.Path, "reports.db")}");
        connection.Open();
        using var orphans = connection.CreateCommand();
        orphans.CommandText = """
            SELECT COUNT(*) FROM reports p WHERE p.kind = 'aggregate'
              AND p.records <> (SELECT COUNT(*) FROM aggregate_rows r WHERE r.report_key = p.report_key)
            """;
        Assert.Equal(0L, (long)orphans.ExecuteScalar()!);
        using var loose = connection.CreateCommand();
        loose.CommandText =
            "SELECT COUNT(*) FROM aggregate_rows r WHERE NOT EXISTS (SELECT 1 FROM reports p WHERE p.report_key = r.report_key)";
        Assert.Equal(0L, (long)loose.ExecuteScalar()!);
    }
}
