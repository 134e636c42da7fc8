using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace MailDns.Operator.Reports;

/// <summary>
/// Where reports are kept: a SQLite file (the default, under the data directory) or a PostgreSQL database. The
/// location is given as a path or as a PostgreSQL connection string (keywords or a postgresql:// URI); it may hold a
/// password, so it is never printed: <see cref="Description"/> names the place without credentials.
/// </summary>
public sealed class ReportDatabase
{
    private readonly string connectionString;

    /// <summary>The SQLite file's directory (<see cref="CreateLocation"/>); null for PostgreSQL.</summary>
    private readonly string? directory;

    private ReportDatabase(bool postgres, string connectionString, string description, bool hasPassword = false, string? directory = null)
    {
        this.directory = directory;
        IsPostgres = postgres;
        HasPassword = hasPassword;
        this.connectionString = connectionString;
        Description = description;
    }

    /// <summary>The environment variable a PostgreSQL connection string comes from (a Secret, in a deployment).</summary>
    public const string EnvironmentVariable = "MAILDNS_REPORT_DB";

    public bool IsPostgres { get; }

    /// <summary>Whether the location carries a password (the operator refuses one in its arguments).</summary>
    public bool HasPassword { get; }

    /// <summary>"SQLite file PATH" or "PostgreSQL database DB on HOST:PORT": safe for logs and messages.</summary>
    public string Description { get; }

    /// <summary>Reads a `--db` value; a malformed PostgreSQL location is an <see cref="ArgumentException"/> without it.</summary>
    public static ReportDatabase Parse(string location)
    {
        if (string.IsNullOrWhiteSpace(location))
        {
            throw new ArgumentException(
                "the report database location is empty: give a SQLite file path or a PostgreSQL connection string, "
                    + $"or set {EnvironmentVariable}"
            );
        }

        if (
            location.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
            || location.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
        )
        {
            return Postgres(FromUri(location));
        }

        if (location.Contains("host=", StringComparison.OrdinalIgnoreCase) && location.Contains('='))
        {
            NpgsqlConnectionStringBuilder builder;
            try
            {
                builder = new NpgsqlConnectionStringBuilder(location);
            }
            catch (ArgumentException)
            {
                throw new ArgumentException("the PostgreSQL connection string is not keyword=value pairs Npgsql understands");
            }

            return Postgres(builder);
        }

        var path = Path.GetFullPath(location);
        var sqlite = new SqliteConnectionStringBuilder { DataSource = path, DefaultTimeout = 60 }.ToString();
        return new ReportDatabase(false, sqlite, $"SQLite file {path}", directory: Path.GetDirectoryName(path));
    }

    private static ReportDatabase Postgres(NpgsqlConnectionStringBuilder builder) =>
        new(
            true,
            builder.ConnectionString,
            $"PostgreSQL database {builder.Database ?? "(default)"} on {builder.Host}:{builder.Port}",
            !string.IsNullOrEmpty(builder.Password)
        );

    private static NpgsqlConnectionStringBuilder FromUri(string location)
    {
        if (!Uri.TryCreate(location, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            throw new ArgumentException("the PostgreSQL URI is not postgresql://[user[:password]@]host[:port]/database");
        }

        var builder = new NpgsqlConnectionStringBuilder { Host = uri.Host, Port = uri.Port > 0 ? uri.Port : 5432 };
        if (uri.AbsolutePath.Trim('/') is { Length: > 0 } database)
        {
            builder.Database = Uri.UnescapeDataString(database);
        }

        if (uri.UserInfo.Split(':', 2) is [{ Length: > 0 } user, ..] parts)
        {
            builder.Username = Uri.UnescapeDataString(user);
            builder.Password = parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : null;
        }

        return builder;
    }

    public DbConnection Open()
    {
        var connection = Create();
        connection.Open();
        Prepare(connection);
        return connection;
    }

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = Create();
        await connection.OpenAsync(cancellationToken);
        Prepare(connection);
        return connection;
    }

    private DbConnection Create() => IsPostgres ? new NpgsqlConnection(connectionString) : new SqliteConnection(connectionString);

    /// <summary>
    /// What the database needs before its first connection: a SQLite file's directory (SQLite makes the file, not the
    /// directory, so a new --data-dir or --db path failed every open with "unable to open database file"); nothing for
    /// PostgreSQL.
    /// </summary>
    public void CreateLocation()
    {
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }
    }

    /// <summary>
    /// SQLite: write-ahead logging lets readers (the summaries) run beside the one writer; FULL sync makes a commit
    /// durable before a mail message is archived (NORMAL could lose it on power loss). PostgreSQL needs nothing.
    /// </summary>
    private void Prepare(DbConnection connection)
    {
        if (IsPostgres)
        {
            return;
        }

        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;";
        command.ExecuteNonQuery();
    }

    public static void Add(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }
}
