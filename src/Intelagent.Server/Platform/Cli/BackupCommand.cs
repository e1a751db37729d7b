using System.CommandLine;
using Intelagent.Server.Platform.Cli.Backups;
using Intelagent.Server.Platform.Data;

namespace Intelagent.Server.Platform.Cli;

/// <summary>
/// <c>backup</c>: a consistent copy of DATABASE_URL's database, taken while the server runs: pg_dump's
/// custom format on PostgreSQL, SQLite's online backup on SQLite. The schema migration the backup was
/// taken at travels inside it (its copy of the migration history), so a restore can check it.
/// Secrets kept outside the database (JWT_SECRET, AUDIT_CHAIN_KEY or the data folder's key files)
/// are not in a backup, on purpose: keep them separately.
/// </summary>
public sealed class BackupCommand(string output) : ICliCommand
{
    public static Command Define(Action<ICliCommand> choose)
    {
        var output = new Option<string>("--output", "-o") { Description = "The backup file to write (replaced if it exists)", Required = true };
        var command = new Command("backup", "Back up the database (pg_dump or SQLite's online backup)") { output };
        command.SetAction(result => choose(new BackupCommand(result.GetValue(output)!)));
        return command;
    }

    public async Task RunAsync(IServiceProvider services, CliConsole console, CancellationToken cancellationToken)
    {
        var backup = DatabaseBackups.For(services.GetRequiredService<DatabaseSettings>(), services.GetRequiredService<IConfiguration>());
        var path = Path.GetFullPath(output);
        if (Directory.Exists(path)) throw new CliException($"{path} is a folder: name the backup file", CliExitCodes.BadArguments);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var contents = await backup.ContentsAsync(cancellationToken);
        console.Progress($"Backing up {backup.Description}: {contents}");
        await backup.BackupAsync(path, console, cancellationToken);
        var migrations = await backup.MigrationsInBackupAsync(path, cancellationToken);
        console.Progress($"Wrote {path} ({new FileInfo(path).Length:N0} bytes) at schema migration {migrations.LastOrDefault() ?? "(none)"}");
    }
}
