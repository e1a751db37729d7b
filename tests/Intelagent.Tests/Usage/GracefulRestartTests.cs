using System.Net;
using System.Net.Http.Json;
using Intelagent.Server.Usage;
using Intelagent.Tests.Infrastructure;
using Intelagent.Tests.Realtime;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Intelagent.Tests.Usage;

/// <summary>A graceful stop flushes every count; the next host on the same database starts from them.</summary>
public sealed class GracefulRestartTests
{
    private static readonly (string, string)[] Settings = UsageTestSettings.Enforced;

    [Fact]
    public async Task Restart_OnSqlite_ShouldLoseNoCount()
    {
        var path = Path.Combine(Path.GetTempPath(), $"intelagent-restart-{Guid.NewGuid():N}.db");
        try
        {
            await RestartAndCheckAsync("sqlite:" + path);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(path + suffix);
        }
    }

    [Fact]
    public async Task Restart_OnPostgres_ShouldLoseNoCount()
    {
        var database = "intelagent_test_" + Guid.NewGuid().ToString("N")[..16];
        await ExecuteAsync($"CREATE DATABASE \"{database}\"");
        try
        {
            await RestartAndCheckAsync(new UriBuilder(PostgresApp.AdminUrl) { Path = "/" + database }.Uri.ToString());
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await ExecuteAsync($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)");
        }
    }

    private static async Task RestartAndCheckAsync(string databaseUrl)
    {
        var first = new NodeApp(databaseUrl, Settings);
        await first.InitializeAsync();
        var owner = await first.RegisterAsync();
        var operatorClient = first.WithToken(await first.LoginAsync(TestApp.Operator.Email, TestApp.Operator.Password));
        await Api.ExpectAsync(await operatorClient.PutAsJsonAsync($"/api/admin/organizations/{owner.OrganizationId}/limits", new { apiCallsPerDay = 40 }), HttpStatusCode.OK);
        var client = first.WithToken(owner.Token, owner.OrganizationId);
        var calls = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => client.GetAsync("/api/usage/limits")));
        Assert.All(calls, c => Assert.Equal(HttpStatusCode.OK, c.StatusCode));
        // Usage:FlushSeconds is 0 in tests: nothing is written until the graceful stop flushes.
        await first.DisposeAsync();

        var second = new NodeApp(databaseUrl, Settings);
        await second.InitializeAsync();
        try
        {
            var flushed = await second.WithDbAsync(db => db.Set<UsageRollup>().IgnoreQueryFilters()
                .Where(r => r.OrganizationId == owner.OrganizationId && r.Metric == UsageMetric.ApiCalls && r.Granularity == UsageGranularity.Day).SumAsync(r => r.Value));
            Assert.Equal(40, flushed);
            // The new host's limiter starts from the flushed count: the quota is spent.
            var refused = await second.WithToken(owner.Token, owner.OrganizationId).GetAsync($"/api/organizations/{owner.OrganizationId}");
            await Api.ExpectProblemAsync(refused, HttpStatusCode.TooManyRequests, "daily_quota_exceeded");
        }
        finally
        {
            await second.DisposeAsync();
        }
    }

    private static async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(PostgresApp.ConnectionString(PostgresApp.AdminUrl));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
