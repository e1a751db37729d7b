using System.CommandLine;
using Intelagent.Server.Platform.Cli.Backups;
using Intelagent.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Platform.Cli;

/// <summary>
/// <c>restore</c>: puts a backup back into DATABASE_URL's database. Everything is checked before
/// anything is touched: the file is a backup of this provider, its schema is not newer than this
/// server knows, and the target is empty unless <c>--force</c> says to replace what is there. Stop the
/// server first: a running node would keep caches of the data being replaced.
/// </summary>
public sealed class RestoreCommand(string input, bool force) : ICliCommand
{
    public static Command Define(Action<ICliCommand> choose)
    {
        var input = new Option<string>("--input", "-i") { Description = "The backup file to restore", Required = true };
        var force = new Option<bool>("--force") { Description = "Replace a database that already holds data" };
        var command = new Command("restore", "Restore a backup into the database (refuses a non-empty one without --force)") { input, force };
        command.SetAction(result => choose(new RestoreCommand(result.GetValue(input)!, result.GetValue(force))));
        return command;
    }

    public async Task RunAsync(IServiceProvider services, CliConsole console, CancellationToken cancellationToken)
    {
        var path = Path.GetFullPath(input);
        if (!File.Exists(path)) throw new CliException($"there is no backup file at {path}");
        var backup = DatabaseBackups.For(services.GetRequiredService<DatabaseSettings>(), services.GetRequiredService<IConfiguration>());
        var inBackup = await backup.MigrationsInBackupAsync(path, cancellationToken);
        List<string> known;
        await using (var scope = services.CreateAsyncScope())
            known = scope.ServiceProvider.GetRequiredService<AppDb>().Database.GetMigrations().ToList();
        var unknown = inBackup.Except(known).ToList();
        if (unknown.Count > 0)
            throw new CliException($"the backup's schema ({inBackup[^1]}) is newer than this server's ({known.LastOrDefault()}): restore it with the version of the server that made it");
        console.Progress($"Backup {path}: schema migration {inBackup.LastOrDefault() ?? "(none)"}");

        var before = await backup.ContentsAsync(cancellationToken);
        if (!before.IsEmpty && !force)
            throw new CliException($"{backup.Description} is not empty ({before}): pass --force to replace it with the backup");
        console.Progress($"Restoring into {backup.Description} ({before})");
        await backup.RestoreAsync(path, console, cancellationToken);
        console.Progress($"Restored: {await backup.ContentsAsync(cancellationToken)}");
        var behind = known.Except(inBackup).Count();
        if (behind > 0) console.Progress($"The backup is {behind} migration(s) behind this server: the server applies them when it starts (or run `migrate`).");
    }
}
