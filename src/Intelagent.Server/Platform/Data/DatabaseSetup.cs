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
        if (settings.Provider == DatabaseProvider.Postgres)
            services.AddDbContext<AppDb, PostgresAppDb>(o => o.UseNpgsql(settings.ConnectionString, npgsql => npgsql.EnableRetryOnFailure(0)));
        else
            services.AddDbContext<AppDb, SqliteAppDb>(o => o.UseSqlite(settings.ConnectionString));
        return services;
    }

    /// <summary>
    /// Applies pending migrations. EF Core takes a database-wide migration lock (a lock table on
    /// SQLite, a table lock on PostgreSQL), so nodes starting together apply each migration once.
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
        if (settings.Provider == DatabaseProvider.Postgres)
        {
            // Npgsql's migration lock is released with each migration's transaction, so with more
            // than one pending migration nodes starting together can apply the same one twice. A
            // session-level advisory lock on the context's own connection spans the whole run.
            await db.Database.OpenConnectionAsync(cancellationToken);
            await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_lock(7305218241)", cancellationToken);
            try { await db.Database.MigrateAsync(cancellationToken); }
            finally
            {
                await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_unlock(7305218241)", CancellationToken.None);
                await db.Database.CloseConnectionAsync();
            }
            return;
        }
        await db.Database.MigrateAsync(cancellationToken);
        if (settings.Provider == DatabaseProvider.Sqlite)
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
    }
}
