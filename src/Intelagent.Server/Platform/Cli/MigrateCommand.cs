using System.CommandLine;
using Intelagent.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Platform.Cli;

/// <summary><c>migrate</c>: applies the pending schema migrations for DATABASE_URL.</summary>
public sealed class MigrateCommand : ICliCommand
{
    public static Command Define(Action<ICliCommand> choose)
    {
        // Lenient, as before the other verbs existed: host arguments after it are passed through.
        var command = new Command("migrate", "Apply database migrations for DATABASE_URL and exit") { TreatUnmatchedTokensAsErrors = false };
        command.SetAction(_ => choose(new MigrateCommand()));
        return command;
    }

    public async Task RunAsync(IServiceProvider services, CliConsole console, CancellationToken cancellationToken)
    {
        var pending = await PendingAsync(services, cancellationToken);
        console.Progress(pending.Count == 0 ? "The schema is up to date." : $"Applying {pending.Count} migration(s): {string.Join(", ", pending)}");
        await DatabaseSetup.MigrateAsync(services, cancellationToken);
        console.Progress("Migrated: " + await LatestAppliedAsync(services, cancellationToken));
    }

    private static async Task<IReadOnlyList<string>> PendingAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDb>();
        try
        {
            return (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        }
        catch (Npgsql.PostgresException exception) when (exception.SqlState == Npgsql.PostgresErrorCodes.InvalidCatalogName)
        {
            return db.Database.GetMigrations().ToList(); // the database does not exist yet: migrate creates it
        }
    }

    public static async Task<string> LatestAppliedAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDb>();
        return (await db.Database.GetAppliedMigrationsAsync(cancellationToken)).LastOrDefault() ?? "(none)";
    }
}
