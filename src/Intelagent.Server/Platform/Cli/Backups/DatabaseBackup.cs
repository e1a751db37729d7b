using System.Data.Common;
using Intelagent.Server.Platform.Data;

namespace Intelagent.Server.Platform.Cli.Backups;

/// <summary>How many rows a database holds, enough to tell an empty target from one a restore would overwrite.</summary>
public sealed record DatabaseContents(int TablesWithRows, long? Organizations, long? Users)
{
    public bool IsEmpty => TablesWithRows == 0;

    public override string ToString() => IsEmpty ? "empty"
        : $"{Organizations ?? 0} organizations, {Users ?? 0} users, {TablesWithRows} tables with rows";
}

/// <summary>Backing up and restoring one provider's database; the verbs around it are the same for both.</summary>
public interface IDatabaseBackup
{
    /// <summary>Names the database in messages ("SQLite file /srv/data/intelagent.db").</summary>
    string Description { get; }

    Task<DatabaseContents> ContentsAsync(CancellationToken cancellationToken);

    Task BackupAsync(string path, CliConsole console, CancellationToken cancellationToken);

    /// <summary>
    /// The schema migrations recorded inside a backup (its copy of EF Core's migration history), read
    /// without restoring it: what lets a restore refuse a backup from a newer schema.
    /// </summary>
    Task<IReadOnlyList<string>> MigrationsInBackupAsync(string path, CancellationToken cancellationToken);

    Task RestoreAsync(string path, CliConsole console, CancellationToken cancellationToken);
}

public static class DatabaseBackups
{
    public const string MigrationHistoryTable = "__EFMigrationsHistory";

    public static IDatabaseBackup For(DatabaseSettings settings, IConfiguration configuration) => settings.Provider switch
    {
        DatabaseProvider.Postgres => new PostgresBackup(settings.ConnectionString, configuration),
        _ => new SqliteBackup(settings.ConnectionString),
    };

    /// <summary>Reads a file's first bytes: a restore names the wrong kind of backup before it touches anything.</summary>
    public static bool StartsWith(string path, ReadOnlySpan<byte> magic)
    {
        using var file = File.OpenRead(path);
        Span<byte> head = stackalloc byte[magic.Length];
        return file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false) == head.Length && head.SequenceEqual(magic);
    }

    /// <summary>
    /// Counts over the given tables, leaving out EF Core's own bookkeeping. Every table is asked "any row?"
    /// rather than counted, so a large database answers quickly.
    /// </summary>
    public static async Task<DatabaseContents> ContentsAsync(DbConnection connection, IEnumerable<string> tables, CancellationToken cancellationToken)
    {
        int withRows = 0;
        long? organizations = null, users = null;
        foreach (var table in tables.Where(t => !t.StartsWith("__EFMigrations", StringComparison.Ordinal)))
        {
            var quoted = "\"" + table.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
            if (Convert.ToBoolean(await ScalarAsync(connection, $"SELECT EXISTS (SELECT 1 FROM {quoted})", cancellationToken), System.Globalization.CultureInfo.InvariantCulture)) withRows++;
            if (table == "Organizations") organizations = Convert.ToInt64(await ScalarAsync(connection, $"SELECT COUNT(*) FROM {quoted}", cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
            if (table == "Users") users = Convert.ToInt64(await ScalarAsync(connection, $"SELECT COUNT(*) FROM {quoted}", cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        }
        return new DatabaseContents(withRows, organizations, users);
    }

    public static async Task<object?> ScalarAsync(DbConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(cancellationToken);
    }

    public static async Task<List<string>> StringsAsync(DbConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var values = new List<string>();
        while (await reader.ReadAsync(cancellationToken)) values.Add(reader.GetString(0));
        return values;
    }
}
