using Intelagent.Server.Platform.Events;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Intelagent.Server.Platform.Data;

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

/// <summary>
/// What <c>DATABASE_URL</c> says: <c>postgresql://user:pass@host:port/db?sslmode=require</c> (or
/// <c>postgres://</c>) selects PostgreSQL; <c>sqlite:PATH</c> or nothing selects the embedded SQLite
/// file under the data folder.
/// </summary>
public sealed record DatabaseSettings(DatabaseProvider Provider, string ConnectionString)
{
    public static DatabaseSettings Parse(string? databaseUrl, string dataDirectory)
    {
        if (string.IsNullOrWhiteSpace(databaseUrl))
            return new(DatabaseProvider.Sqlite, $"Data Source={Path.Combine(dataDirectory, "intelagent.db")}");
        if (databaseUrl.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase))
            return new(DatabaseProvider.Sqlite, $"Data Source={databaseUrl["sqlite:".Length..]}");
        if (databaseUrl.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase) || databaseUrl.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase))
            return new(DatabaseProvider.Postgres, PostgresConnectionString(new Uri(databaseUrl)));
        throw new InvalidOperationException("DATABASE_URL must start with postgresql://, postgres:// or sqlite:");
    }

    private static string PostgresConnectionString(Uri uri)
    {
        var userInfo = uri.UserInfo.Split(':', 2);
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port,
            Database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/')),
            Username = Uri.UnescapeDataString(userInfo[0]),
            Password = userInfo.Length > 1 ? Uri.UnescapeDataString(userInfo[1]) : null,
        };
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = pair.Split('=', 2);
            var key = Uri.UnescapeDataString(parts[0]);
            var value = parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : "";
            if (key.Equals("sslmode", StringComparison.OrdinalIgnoreCase)) builder.SslMode = Enum.Parse<SslMode>(value.Replace("-", ""), ignoreCase: true);
            else builder[key] = value;
        }
        return builder.ConnectionString;
    }
}

public static class DatabaseSetup
{
    public static IServiceCollection AddDatabase(this IServiceCollection services, DatabaseSettings settings)
    {
        services.AddSingleton(settings);
        services.AddSingleton<OutboxSignal>();
        // Modules may register SaveChanges interceptors (the audit chain's "committed" signal).
        if (settings.Provider == DatabaseProvider.Postgres)
            services.AddDbContext<AppDb, PostgresAppDb>((sp, o) => o.UseNpgsql(settings.ConnectionString, npgsql => npgsql.EnableRetryOnFailure(0))
                .AddInterceptors(sp.GetServices<Microsoft.EntityFrameworkCore.Diagnostics.ISaveChangesInterceptor>()));
        else
            services.AddDbContext<AppDb, SqliteAppDb>((sp, o) => o.UseSqlite(settings.ConnectionString)
                .AddInterceptors(sp.GetServices<Microsoft.EntityFrameworkCore.Diagnostics.ISaveChangesInterceptor>()));
        return services;
    }

    /// <summary>
    /// Applies pending migrations, once even when several nodes start together. On PostgreSQL a
    /// session-level advisory lock on its own connection serialises the nodes (EF Core's own
    /// migration lock did not prevent two nodes applying the same migration in our concurrency test);
    /// SQLite is one node's file and relies on EF Core's lock table.
    /// </summary>
    public static async Task MigrateAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        var settings = services.GetRequiredService<DatabaseSettings>();
        if (settings.Provider == DatabaseProvider.Sqlite)
        {
            var path = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(settings.ConnectionString).DataSource;
            var folder = Path.GetDirectoryName(Path.GetFullPath(path));
            if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
        }
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDb>();
        await using var migrationLock = settings.Provider == DatabaseProvider.Postgres
            ? await PostgresMigrationLock.AcquireAsync(settings.ConnectionString, cancellationToken)
            : null;
        await db.Database.MigrateAsync(cancellationToken);
        if (settings.Provider == DatabaseProvider.Sqlite)
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
    }
}

/// <summary>A PostgreSQL advisory lock held on a connection of its own while migrations run.</summary>
internal sealed class PostgresMigrationLock(NpgsqlConnection connection) : IAsyncDisposable
{
    // An arbitrary constant that names "Intelagent schema migration" among advisory locks.
    private const long LockKey = 0x1A7E1A9E47;

    public static async Task<PostgresMigrationLock?> AcquireAsync(string connectionString, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
        }
        catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.InvalidCatalogName)
        {
            // The database does not exist yet: EF Core creates it; there is nothing to lock on.
            await connection.DisposeAsync();
            return null;
        }
        await using var command = new NpgsqlCommand($"SELECT pg_advisory_lock({LockKey})", connection);
        command.CommandTimeout = 0;
        await command.ExecuteNonQueryAsync(cancellationToken);
        return new PostgresMigrationLock(connection);
    }

    public async ValueTask DisposeAsync()
    {
        await using (var command = new NpgsqlCommand($"SELECT pg_advisory_unlock({LockKey})", connection))
            await command.ExecuteNonQueryAsync();
        await connection.DisposeAsync();
    }
}
