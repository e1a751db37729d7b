using Microsoft.Data.Sqlite;

namespace Intelagent.Server.Platform.Cli.Backups;

/// <summary>
/// SQLite through its online backup API: the copy is consistent even while a server is writing
/// (SQLite restarts the copy when the source changes under it), unlike copying the file and its WAL.
/// A backup is itself a SQLite database in rollback-journal mode, one self-contained file.
/// </summary>
public sealed class SqliteBackup(string connectionString) : IDatabaseBackup
{
    private static readonly byte[] Magic = "SQLite format 3\0"u8.ToArray();

    private string DatabasePath => Path.GetFullPath(new SqliteConnectionStringBuilder(connectionString).DataSource);

    public string Description => "SQLite file " + DatabasePath;

    public async Task<DatabaseContents> ContentsAsync(CancellationToken cancellationToken)
    {
        // Opening a missing file would create it: a missing file is simply empty.
        if (!File.Exists(DatabasePath) || new FileInfo(DatabasePath).Length == 0) return new DatabaseContents(0, null, null);
        await using var connection = new SqliteConnection(Open(DatabasePath, SqliteOpenMode.ReadOnly));
        await connection.OpenAsync(cancellationToken);
        var tables = await DatabaseBackups.StringsAsync(connection, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'", cancellationToken);
        return await DatabaseBackups.ContentsAsync(connection, tables, cancellationToken);
    }

    public async Task BackupAsync(string path, CliConsole console, CancellationToken cancellationToken)
    {
        if (!File.Exists(DatabasePath)) throw new CliException($"there is no SQLite database at {DatabasePath}");
        var partial = path + ".partial";
        File.Delete(partial);
        console.Progress($"Copying {DatabasePath} with SQLite's online backup");
        await using (var source = new SqliteConnection(Open(DatabasePath, SqliteOpenMode.ReadWrite)))
        await using (var target = new SqliteConnection(Open(partial, SqliteOpenMode.ReadWriteCreate)))
        {
            await source.OpenAsync(cancellationToken);
            await target.OpenAsync(cancellationToken);
            source.BackupDatabase(target);
            // The copy takes the source's WAL mode from its header; a backup is better as one file.
            await DatabaseBackups.ScalarAsync(target, "PRAGMA journal_mode=DELETE", cancellationToken);
            console.Progress("Checking the copy");
            var check = await DatabaseBackups.ScalarAsync(target, "PRAGMA quick_check", cancellationToken) as string;
            if (check != "ok") throw new CliException($"the copy failed SQLite's integrity check: {check}");
        }
        File.Move(partial, path, overwrite: true);
    }

    public async Task<IReadOnlyList<string>> MigrationsInBackupAsync(string path, CancellationToken cancellationToken)
    {
        if (!DatabaseBackups.StartsWith(path, Magic))
            throw new CliException(DatabaseBackups.StartsWith(path, "PGDMP"u8) ? $"{path} is a PostgreSQL backup, but DATABASE_URL names a SQLite database" : $"{path} is not a SQLite backup");
        await using var connection = new SqliteConnection(Open(path, SqliteOpenMode.ReadOnly));
        await connection.OpenAsync(cancellationToken);
        var hasHistory = await DatabaseBackups.ScalarAsync(connection, $"SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '{DatabaseBackups.MigrationHistoryTable}'", cancellationToken);
        if (Convert.ToInt64(hasHistory, System.Globalization.CultureInfo.InvariantCulture) == 0) throw new CliException($"{path} is not an Intelagent backup: it has no migration history");
        return await DatabaseBackups.StringsAsync(connection, $"SELECT \"MigrationId\" FROM \"{DatabaseBackups.MigrationHistoryTable}\" ORDER BY \"MigrationId\"", cancellationToken);
    }

    public async Task RestoreAsync(string path, CliConsole console, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(DatabasePath)!);
        console.Progress($"Copying {path} into {DatabasePath} with SQLite's online backup");
        await using (var backup = new SqliteConnection(Open(path, SqliteOpenMode.ReadOnly)))
        await using (var target = new SqliteConnection(Open(DatabasePath, SqliteOpenMode.ReadWriteCreate)))
        {
            await backup.OpenAsync(cancellationToken);
            await target.OpenAsync(cancellationToken);
            // The backup API replaces every page of the target, in one transaction of the target.
            backup.BackupDatabase(target);
            await DatabaseBackups.ScalarAsync(target, "PRAGMA journal_mode=WAL", cancellationToken); // as the server runs it
        }
        SqliteConnection.ClearAllPools();
    }

    private static string Open(string path, SqliteOpenMode mode) =>
        new SqliteConnectionStringBuilder { DataSource = path, Mode = mode, Pooling = false }.ToString();
}
