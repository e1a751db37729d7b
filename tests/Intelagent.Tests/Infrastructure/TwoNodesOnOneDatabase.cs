using Intelagent.Tests.Realtime;
using Npgsql;

namespace Intelagent.Tests.Infrastructure;

/// <summary>
/// Two servers on one PostgreSQL database and the Redis ./test.sh provisions (TEST_REDIS_URL), as two
/// nodes behind a load balancer. A subclass adds the settings its tests need to <see cref="Settings"/>.
/// </summary>
public abstract class TwoNodesOnOneDatabase : IAsyncLifetime
{
    private readonly string _database = "intelagent_test_" + Guid.NewGuid().ToString("N")[..16];

    public NodeApp A { get; private set; } = null!;
    public NodeApp B { get; private set; } = null!;

    public string RedisUrl { get; } = Environment.GetEnvironmentVariable("TEST_REDIS_URL") is { Length: > 0 } url ? url
        : throw new InvalidOperationException("TEST_REDIS_URL is not set: run ./test.sh, which provisions Redis.");

    /// <summary>Keys and channels of their own keep these nodes apart from other tests on the same Redis.</summary>
    public string Prefix => "test-" + _database;

    protected virtual IEnumerable<(string Key, string Value)> Settings => [("REDIS_URL", RedisUrl), ("Realtime:ChannelPrefix", Prefix)];

    public async Task InitializeAsync()
    {
        await ExecuteAsync($"CREATE DATABASE \"{_database}\"");
        var databaseUrl = new UriBuilder(PostgresApp.AdminUrl) { Path = "/" + _database }.Uri.ToString();
        var settings = Settings.ToList();
        A = new NodeApp(databaseUrl, settings);
        await A.InitializeAsync();
        B = new NodeApp(databaseUrl, settings);
        await B.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await A.DisposeAsync();
        await B.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await ExecuteAsync($"DROP DATABASE IF EXISTS \"{_database}\" WITH (FORCE)");
    }

    private static async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(PostgresApp.ConnectionString(PostgresApp.AdminUrl));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
