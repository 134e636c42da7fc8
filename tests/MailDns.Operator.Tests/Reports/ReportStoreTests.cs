using System.Text;
using MailDns.Core.Reports;
using MailDns.Operator.Reports;
using MailDns.Testing;
using MailDns.Testing.Reports;

namespace MailDns.Operator.Tests.Reports;

/// <summary>
/// The report store: the same statements against SQLite and a real PostgreSQL (Debian's package, on 127.0.0.1), so
/// every row here runs twice.
/// </summary>
public sealed class ReportStoreTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>, IDisposable
{
    private static readonly DateTimeOffset Day = new(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly TempDir dir = new();

    public static TheoryData<string> Databases => ["sqlite", "postgres"];

    private async Task<ReportStore> Store(string kind)
    {
        var store = new ReportStore(
            ReportDatabase.Parse(kind == "sqlite" ? Path.Combine(dir.Path, "reports.db") : postgres.Server.NewDatabase())
        );
        await store.MigrateAsync();
        await store.MigrateAsync(); // every replica migrates on start: twice is harmless
        return store;
    }

    private static IReadOnlyList<FoundReport> Import(ReportStore store, string name, string content, DateTimeOffset? received = null)
    {
        using var sink = store.BeginImport(received ?? Now);
        return ReportReader.Read(name, new MemoryStream(Encoding.UTF8.GetBytes(content)), sink: sink);
    }

    private static readonly TestRow[] Rows =
    [
        new("192.0.2.10", 900, DkimPass: true, SpfPass: false),
        new("192.0.2.11", 50, DkimPass: false, SpfPass: true, Selector: "rsa20260301"),
        new("198.51.100.7", 40, DkimPass: false, SpfPass: false, Selector: "s1", Disposition: "quarantine"),
        new("203.0.113.5", 10, DkimPass: false, SpfPass: false, Selector: "s1", Disposition: "reject"),
    ];

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task A_stored_report_gives_the_domain_its_pass_rates_sources_and_selectors(string kind)
    {
        var store = await Store(kind);
        var found = Import(store, "google.xml", ReportFiles.Aggregate("google.com", "g-1", "news.example.com", Day, Rows));
        Assert.Equal(ReportOutcome.Stored, Assert.Single(found).Outcome);

        var w = await store.WindowAsync("news.example.com", Now.AddDays(-14), Now, top: 3);

        Assert.Equal((1, 1000, 950, 900, 50), (w.Reports, w.Messages, w.DmarcPass, w.DkimAlignedPass, w.SpfAlignedPass));
        Assert.Equal(0.95, w.DmarcPassRate);
        Assert.Equal(["192.0.2.10", "192.0.2.11", "198.51.100.7"], w.Sources.Select(s => s.Key)); // cut to top 3
        Assert.Equal([("198.51.100.7", 40L), ("203.0.113.5", 10L)], w.FailingSources.Select(s => (s.Key, s.Failing)));
        Assert.Equal(
            [("ed20261101", 900L, 900L), ("rsa20260301", 50L, 0L), ("s1", 50L, 0L)],
            w.Selectors.Select(s => (s.Selector, s.Messages, s.Pass))
        );
        Assert.Equal(
            [("none", true, 950L), ("quarantine", false, 40L), ("reject", false, 10L)],
            w.Dispositions.Select(d => (d.Disposition, d.DmarcPass, d.Messages))
        );
        Assert.Equal("google.com", Assert.Single(w.Reporters).Key);
        Assert.Equal(Now, w.LastReceived);
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task The_same_report_delivered_twice_is_stored_once(string kind)
    {
        var store = await Store(kind);
        var xml = ReportFiles.Aggregate("google.com", "g-1", "news.example.com", Day, Rows);
        Assert.Equal(ReportOutcome.Stored, Assert.Single(Import(store, "a.xml", xml)).Outcome);
        Assert.Equal(ReportOutcome.Duplicate, Assert.Single(Import(store, "b.xml.gz", xml)).Outcome);

        var w = await store.WindowAsync("news.example.com", Now.AddDays(-14), Now);
        Assert.Equal((1, 1000), (w.Reports, w.Messages));
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Two_importers_racing_with_one_report_store_it_once(string kind)
    {
        var store = await Store(kind);
        var xml = ReportFiles.Aggregate("yahoo.com", "y-race", "news.example.com", Day, Rows);
        var outcomes = await Task.WhenAll(
            Enumerable.Range(0, 4).Select(i => Task.Run(() => Assert.Single(Import(store, $"copy{i}.xml", xml)).Outcome))
        );

        Assert.Equal(1, outcomes.Count(o => o == ReportOutcome.Stored));
        Assert.Equal(3, outcomes.Count(o => o == ReportOutcome.Duplicate));
        Assert.Equal(1000, (await store.WindowAsync("news.example.com", Now.AddDays(-14), Now)).Messages);
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task A_report_rejected_after_hundreds_of_rows_leaves_none_of_them(string kind)
    {
        var store = await Store(kind);
        var many = Enumerable.Range(0, 450).Select(i => new TestRow($"192.0.2.{i % 250}", 1, true, true)).ToList();
        var xml = ReportFiles.Aggregate("google.com", "g-broken", "news.example.com", Day, many);
        var broken = xml.Replace("</feedback>", "<record><row><count>many</count></row></record></feedback>");

        var found = Assert.Single(Import(store, "broken.xml", broken));

        Assert.Equal(ReportOutcome.Rejected, found.Outcome);
        Assert.Contains("count 'many' is not a whole number", found.Summary.Error);
        Assert.Equal(0, (await store.WindowAsync("news.example.com", Now.AddDays(-14), Now)).Messages);
        Assert.Equal(0, await Count(store, "aggregate_rows"));
        // The same report, mended and delivered again, is new: the rejection left no header behind either.
        Assert.Equal(ReportOutcome.Stored, Assert.Single(Import(store, "fixed.xml", xml)).Outcome);
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task The_window_counts_only_reports_whose_period_ended_inside_it(string kind)
    {
        var store = await Store(kind);
        Import(store, "old.xml", ReportFiles.Aggregate("google.com", "old", "news.example.com", Now.AddDays(-30), Rows));
        Import(store, "new.xml", ReportFiles.Aggregate("google.com", "new", "news.example.com", Now.AddDays(-3), Rows));
        Import(store, "other.xml", ReportFiles.Aggregate("google.com", "other", "other.example.com", Now.AddDays(-3), Rows));

        var week = await store.WindowAsync("news.example.com", Now.AddDays(-7), Now);
        var quarter = await store.WindowAsync("NEWS.example.com.", Now.AddDays(-90), Now);

        Assert.Equal((1, 1000), (week.Reports, week.Messages));
        Assert.Equal((2, 2000), (quarter.Reports, quarter.Messages));
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Retention_deletes_old_reports_with_their_rows_and_keeps_the_rest(string kind)
    {
        var store = await Store(kind);
        Import(store, "old.xml", ReportFiles.Aggregate("google.com", "old", "news.example.com", Now.AddDays(-200), Rows));
        Import(store, "tls-old.json", ReportFiles.Tls("google.com", "t-old", "news.example.com", Now.AddDays(-200), 10, 1));
        Import(store, "new.xml", ReportFiles.Aggregate("google.com", "new", "news.example.com", Now.AddDays(-3), Rows));

        var deleted = await store.DeleteEndedBeforeAsync(Now.AddDays(-180));

        Assert.Equal(2, deleted);
        Assert.Equal(Rows.Length, await Count(store, "aggregate_rows"));
        Assert.Equal(0, await Count(store, "tls_policies"));
        Assert.Equal(1, (await store.WindowAsync("news.example.com", Now.AddDays(-365), Now)).Reports);
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Tls_and_failure_reports_count_in_the_window_and_failure_reports_keep_no_personal_data(string kind)
    {
        var store = await Store(kind);
        Import(store, "tls.json", ReportFiles.Tls("google.com", "t-1", "news.example.com", Now.AddDays(-2), 5326, 303));
        var failure = ReportFiles.Failure("mail.ru", "news.example.com", "198.51.100.7", Now.AddDays(-1));
        var found = Assert.Single(Import(store, "failure.eml", Encoding.ASCII.GetString(ReportFiles.Bytes(failure))));
        Assert.Equal(
            (ReportKind.Failure, ReportOutcome.Stored, "news.example.com"),
            (found.Summary.Kind, found.Outcome, found.Summary.PolicyDomain)
        );

        var w = await store.WindowAsync("news.example.com", Now.AddDays(-7), Now);

        Assert.Equal((5326, 303, 1), (w.TlsSuccessfulSessions, w.TlsFailedSessions, w.FailureReports));
        var dump = await Dump(store);
        Assert.Contains("198.51.100.7", dump);
        Assert.DoesNotContain("victim@", dump);
        Assert.DoesNotContain("someone", dump);
        Assert.DoesNotContain("secret", dump);
    }

    /// <summary>`maildns operator --data-dir` with a directory that does not exist yet: found by hand, the report view and
    /// the rollout failed with SQLite's "unable to open database file" until something else made it.</summary>
    [Fact]
    public async Task A_sqlite_store_in_a_directory_that_does_not_exist_yet_makes_it()
    {
        var path = Path.Combine(dir.Path, "new", "data", "reports.db");
        var store = new ReportStore(ReportDatabase.Parse(path));

        await store.MigrateAsync();

        Assert.True(File.Exists(path));
    }

    [Fact]
    public void A_postgres_password_never_appears_in_what_the_store_says_about_itself()
    {
        var db = ReportDatabase.Parse("postgresql://maildns:hunter2%21@db.internal:6432/reports");
        Assert.Equal("PostgreSQL database reports on db.internal:6432", db.Description);
        var keywords = ReportDatabase.Parse("Host=db.internal;Username=maildns;Password=hunter2;Database=reports");
        Assert.DoesNotContain("hunter2", keywords.Description);
        var e = Assert.Throws<ArgumentException>(() => ReportDatabase.Parse("Host=db;Password=hunter2;Bogus Key=1"));
        Assert.DoesNotContain("hunter2", e.Message);
    }

    private static async Task<long> Count(ReportStore store, string table)
    {
        await using var connection = await store.Database.OpenAsync(default);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM {table}";
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Every text value in every table, to look for what must not be kept.</summary>
    private static async Task<string> Dump(ReportStore store)
    {
        var text = new StringBuilder();
        await using var connection = await store.Database.OpenAsync(default);
        foreach (var table in new[] { "reports", "aggregate_rows", "dkim_results", "tls_policies", "tls_failures", "failure_reports" })
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT * FROM {table}";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    text.Append(reader.GetValue(i)).Append('|');
                }
            }
        }

        return text.ToString();
    }

    public void Dispose() => dir.Dispose();
}

/// <summary>One PostgreSQL cluster for the class; each test makes its own database in it.</summary>
public sealed class PostgresFixture : IDisposable
{
    public PostgresServer Server { get; } = new();

    public void Dispose() => Server.Dispose();
}
