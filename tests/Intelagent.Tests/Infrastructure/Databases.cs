using Npgsql;

namespace Intelagent.Tests.Infrastructure;

/// <summary>The embedded default: a SQLite file of its own.</summary>
public class SqliteApp : TestApp
{
    private string? _path;

    public override string Name => "sqlite";

    protected override Task<string> CreateDatabaseAsync()
    {
        _path = Path.Combine(Path.GetTempPath(), $"intelagent-test-{Guid.NewGuid():N}.db");
        return Task.FromResult("sqlite:" + _path);
    }

    protected override Task DropDatabaseAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" })
            if (File.Exists(_path + suffix)) File.Delete(_path + suffix);
        return Task.CompletedTask;
    }
}

/// <summary>
/// A real PostgreSQL: a throwaway database created from <c>TEST_DATABASE_URL</c> (an admin URL that
/// ./test.sh provisions), dropped afterwards.
/// </summary>
public class PostgresApp : TestApp
{
    private string? _database;

    public override string Name => "postgres";

    public static string AdminUrl => Environment.GetEnvironmentVariable("TEST_DATABASE_URL") is { Length: > 0 } url ? url
        : throw new InvalidOperationException("TEST_DATABASE_URL is not set: run ./test.sh, which provisions PostgreSQL, or point it at a server (postgresql://user:pass@host:port/postgres).");

    protected override async Task<string> CreateDatabaseAsync()
    {
        _database = "intelagent_test_" + Guid.NewGuid().ToString("N")[..16];
        await using var connection = new NpgsqlConnection(ConnectionString(AdminUrl));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{_database}\"", connection);
        await command.ExecuteNonQueryAsync();
        var uri = new UriBuilder(AdminUrl) { Path = "/" + _database };
        return uri.Uri.ToString();
    }

    protected override async Task DropDatabaseAsync()
    {
        if (_database is null) return;
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(ConnectionString(AdminUrl));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_database}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }

    public static string ConnectionString(string url) =>
        Intelagent.Server.Platform.Data.DatabaseSettings.Parse(url, Path.GetTempPath()).ConnectionString;
}
