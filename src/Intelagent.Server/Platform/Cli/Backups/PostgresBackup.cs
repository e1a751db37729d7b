using System.Globalization;
using Npgsql;

namespace Intelagent.Server.Platform.Cli.Backups;

/// <summary>
/// PostgreSQL through pg_dump's custom format (compressed, and restorable table by table) and
/// pg_restore. The restore runs in one transaction: it lands whole or not at all.
/// </summary>
public sealed class PostgresBackup(string connectionString, IConfiguration configuration) : IDatabaseBackup
{
    private static readonly byte[] Magic = "PGDMP"u8.ToArray();

    private readonly NpgsqlConnectionStringBuilder _settings = new(connectionString);

    public string Description => $"PostgreSQL database {_settings.Database} on {_settings.Host}:{_settings.Port}";

    public async Task<DatabaseContents> ContentsAsync(CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
        }
        catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.InvalidCatalogName)
        {
            return new DatabaseContents(0, null, null); // no database yet: the restore creates it
        }
        var tables = await DatabaseBackups.StringsAsync(connection,
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'", cancellationToken);
        return await DatabaseBackups.ContentsAsync(connection, tables, cancellationToken);
    }

    public async Task BackupAsync(string path, CliConsole console, CancellationToken cancellationToken)
    {
        var tool = PostgresTools.Find("pg_dump", configuration);
        var server = await ServerVersionAsync(cancellationToken);
        if (tool.Version.Major < server.Major)
            throw new CliException($"{tool.Path} is version {tool.Version.Major} but the server is {server.Major}: pg_dump must be at least as new as the server (install postgresql-client-{server.Major} or set PG_BIN_DIR)");
        var partial = path + ".partial";
        File.Delete(partial);
        console.Progress($"Dumping {Description} (server {server.Major}) with {tool.Path} ({tool.Version})");
        var tables = 0;
        await PostgresTools.RunAsync(tool, ["--format=custom", "--verbose", "--file=" + partial], Environment(), line =>
        {
            if (!line.Contains("dumping contents of table", StringComparison.Ordinal)) return;
            if (++tables % 25 == 0) console.Progress($"  {tables} tables dumped");
        }, cancellationToken);
        console.Progress($"  {tables} tables dumped");
        File.Move(partial, path, overwrite: true);
    }

    public async Task<IReadOnlyList<string>> MigrationsInBackupAsync(string path, CancellationToken cancellationToken)
    {
        if (!DatabaseBackups.StartsWith(path, Magic))
            throw new CliException(DatabaseBackups.StartsWith(path, "SQLite format 3\0"u8) ? $"{path} is a SQLite backup, but DATABASE_URL names a PostgreSQL database" : $"{path} is not a pg_dump custom-format backup");
        // The history table's rows, printed as a COPY block: one "MigrationId<TAB>ProductVersion" line each.
        var tool = PostgresTools.Find("pg_restore", configuration);
        var script = await PostgresTools.RunAsync(tool, ["--data-only", "--table=" + DatabaseBackups.MigrationHistoryTable, "--file=-", path], Environment(), _ => { }, cancellationToken);
        var lines = script.Split('\n');
        var copy = Array.FindIndex(lines, l => l.StartsWith("COPY ", StringComparison.Ordinal) && l.Contains(DatabaseBackups.MigrationHistoryTable, StringComparison.Ordinal));
        if (copy < 0) throw new CliException($"{path} is not an Intelagent backup: it has no migration history");
        return lines.Skip(copy + 1).TakeWhile(l => l != "\\.").Select(l => l.Split('\t')[0]).Where(id => id.Length > 0).Order(StringComparer.Ordinal).ToList();
    }

    public async Task RestoreAsync(string path, CliConsole console, CancellationToken cancellationToken)
    {
        var tool = PostgresTools.Find("pg_restore", configuration);
        await EnsureDatabaseAsync(console, cancellationToken);
        console.Progress($"Running {tool.Path} ({tool.Version})");
        var steps = 0;
        await PostgresTools.RunAsync(tool,
            ["--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error", "--verbose", "--dbname=" + _settings.Database, path],
            Environment(), line =>
            {
                if (!line.Contains("processing data for table", StringComparison.Ordinal)) return;
                if (++steps % 25 == 0) console.Progress($"  {steps} tables restored");
            }, cancellationToken);
        console.Progress($"  {steps} tables restored");
        NpgsqlConnection.ClearAllPools();
    }

    private async Task<Version> ServerVersionAsync(CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection.PostgreSqlVersion;
    }

    /// <summary>A dropped database is created again, as migrations would: pg_restore needs one to connect to.</summary>
    private async Task EnsureDatabaseAsync(CliConsole console, CancellationToken cancellationToken)
    {
        var maintenance = new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(maintenance.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", connection);
        exists.Parameters.AddWithValue("name", _settings.Database!);
        if (await exists.ExecuteScalarAsync(cancellationToken) is not null) return;
        console.Progress($"Creating database {_settings.Database}");
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{_settings.Database!.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", connection);
        await create.ExecuteNonQueryAsync(cancellationToken);
    }

    private Dictionary<string, string> Environment()
    {
        var environment = new Dictionary<string, string>
        {
            ["PGHOST"] = _settings.Host ?? "localhost",
            ["PGPORT"] = _settings.Port.ToString(CultureInfo.InvariantCulture),
            ["PGDATABASE"] = _settings.Database ?? "",
            ["PGUSER"] = _settings.Username ?? "",
            ["PGPASSWORD"] = _settings.Password ?? "",
            ["PGAPPNAME"] = "intelagent-cli",
            ["PGCONNECT_TIMEOUT"] = "15",
        };
        environment["PGSSLMODE"] = _settings.SslMode switch
        {
            SslMode.Disable => "disable",
            SslMode.Allow => "allow",
            SslMode.Require => "require",
            SslMode.VerifyCA => "verify-ca",
            SslMode.VerifyFull => "verify-full",
            _ => "prefer",
        };
        return environment;
    }
}
