using System.Net;
using System.Net.Http.Json;
using Intelagent.Server.Organizations;
using Intelagent.Server.Platform.Events;
using Intelagent.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Intelagent.Tests.Platform;

public sealed class PlatformTestsOnSqlite(SqliteApp app) : PlatformTests<SqliteApp>(app);
public sealed class PlatformTestsOnPostgres(PostgresApp app) : PlatformTests<PostgresApp>(app);

public abstract class PlatformTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : TestApp
{
    [Fact]
    public async Task HealthAndDocs_ShouldAnswer()
    {
        var client = app.Anonymous();
        await Api.ExpectAsync(await client.GetAsync("/health/live"), HttpStatusCode.OK);
        var ready = await client.GetAsync("/health/ready");
        await Api.ExpectAsync(ready, HttpStatusCode.OK);
        Assert.Equal("Healthy", (await ready.JsonAsync()).GetProperty("status").GetString());
        var openApi = await (await client.GetAsync("/openapi/v1.json")).JsonAsync();
        var paths = openApi.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/api/organizations/{id}", out _));
        Assert.True(paths.TryGetProperty("/api/teams/{id}", out _));
        var docs = await client.GetAsync("/docs");
        if (docs.StatusCode == HttpStatusCode.Redirect) docs = await client.GetAsync(docs.Headers.Location);
        await Api.ExpectAsync(docs, HttpStatusCode.OK);
        Assert.Contains("scalar", await docs.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task UnknownRoute_ShouldBe404Problem()
    {
        var response = await app.Anonymous().GetAsync("/api/does-not-exist");
        await Api.ExpectProblemAsync(response, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Problem_ForAClientAcceptingOnlyHtml_ShouldStillCarryItsCodeAndTraceId()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/does-not-exist");
        request.Headers.TryAddWithoutValidation("Accept", "text/html");
        await Api.ExpectProblemAsync(await app.Anonymous().SendAsync(request), HttpStatusCode.NotFound, "not_found");

        var unauthorized = new HttpRequestMessage(HttpMethod.Get, "/api/auth/me");
        unauthorized.Headers.TryAddWithoutValidation("Accept", "text/html");
        await Api.ExpectProblemAsync(await app.Anonymous().SendAsync(unauthorized), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Change_ShouldStoreItsEventInTheSameTransaction_AndDispatchItOnce()
    {
        var owner = await app.RegisterAsync();
        await app.WithToken(owner.Token).PostAsJsonAsync($"/api/organizations/{owner.OrganizationId}/teams", new { name = "Events" });

        var stored = await app.WithDbAsync(db => db.OutboxMessages.Where(m => m.OrganizationId == owner.OrganizationId && m.Type == nameof(TeamChanged)).ToListAsync());
        Assert.Single(stored);
        await app.DispatchEventsAsync();
        var processed = await app.WithDbAsync(db => db.OutboxMessages.Where(m => m.Id == stored[0].Id).Select(m => new { m.ProcessedAt, m.Attempts }).SingleAsync());
        Assert.NotNull(processed.ProcessedAt);
        Assert.Equal(1, processed.Attempts);
    }

    [Fact]
    public async Task TwoNodesDispatchers_OverOneDatabase_ShouldDispatchEachMessageOnce()
    {
        var owners = new List<Account>();
        for (var i = 0; i < 3; i++) owners.Add(await app.RegisterAsync());
        foreach (var owner in owners)
            for (var t = 0; t < 8; t++)
                await Api.ExpectAsync(await app.WithToken(owner.Token).PostAsJsonAsync($"/api/organizations/{owner.OrganizationId}/teams", new { name = $"Team {t}" }), HttpStatusCode.Created);

        // Two dispatchers of their own (as on two nodes), racing each other and the host's own loop.
        OutboxDispatcher NodeDispatcher() => new(app.Services.GetRequiredService<IServiceScopeFactory>(), new OutboxSignal(), TimeProvider.System,
            app.Services.GetRequiredService<ILogger<OutboxDispatcher>>());
        var nodes = new[] { NodeDispatcher(), NodeDispatcher() };
        await Task.WhenAll(nodes.Select(async node => { while (await node.DispatchPendingAsync(CancellationToken.None) > 0) { } }));
        await app.DispatchEventsAsync();

        var ids = owners.Select(o => o.OrganizationId).ToList();
        var messages = await app.WithDbAsync(db => db.OutboxMessages.Where(m => ids.Contains(m.OrganizationId!) && m.Type == nameof(TeamChanged))
            .Select(m => new { m.Id, m.OrganizationId, m.ProcessedAt, m.Attempts }).ToListAsync());
        Assert.Equal(24, messages.Count);
        Assert.All(messages, m => Assert.NotNull(m.ProcessedAt));
        Assert.All(messages, m => Assert.Equal(1, m.Attempts));
        foreach (var owner in owners)
        {
            var activity = await app.WithDbAsync(db => db.Set<Intelagent.Server.Realtime.Activity.ActivityEntry>().Where(a => a.Action == "team.created")
                .Select(a => a.SourceEventId).ToListAsync(), owner.OrganizationId);
            Assert.Equal(8, activity.Count);
            Assert.Equal(8, activity.Distinct().Count());
        }
    }

    [Fact]
    public async Task OperatorTierChange_ShouldBeAuditedInTheTenantsTrail()
    {
        var owner = await app.RegisterAsync();
        var operatorToken = await app.LoginAsync(TestApp.Operator.Email, TestApp.Operator.Password);

        var response = await app.WithToken(operatorToken).PatchAsJsonAsync($"/api/admin/organizations/{owner.OrganizationId}/tier", new { subscriptionTier = "enterprise" });

        await Api.ExpectAsync(response, HttpStatusCode.OK);
        var entry = await app.WithDbAsync(db => db.AuditEntries.SingleAsync(a => a.OrganizationId == owner.OrganizationId && a.Action == "organization.updated"));
        Assert.True(entry.ActorIsOperator);
        Assert.Contains("enterprise", entry.Data);
        await Api.ExpectProblemAsync(await app.WithToken(owner.Token).PatchAsJsonAsync($"/api/admin/organizations/{owner.OrganizationId}/tier", new { subscriptionTier = "enterprise" }), HttpStatusCode.Forbidden, "operator_only");
    }
}

/// <summary>Several nodes starting together must apply each migration once (EF Core's migration lock).</summary>
public sealed class ConcurrentMigrationTests
{
    [Fact]
    public async Task ThreeNodesMigratingAFreshPostgresDatabaseAtOnce_ShouldAllSucceed()
    {
        var database = "intelagent_migrate_" + Guid.NewGuid().ToString("N")[..12];
        var admin = PostgresApp.ConnectionString(PostgresApp.AdminUrl);
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await new NpgsqlCommand($"CREATE DATABASE \"{database}\"", connection).ExecuteNonQueryAsync();
        }
        try
        {
            var url = new UriBuilder(PostgresApp.AdminUrl) { Path = "/" + database }.Uri.ToString();
            var nodes = Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
            {
                var services = new Microsoft.Extensions.DependencyInjection.ServiceCollection();
                services.AddLogging();
                services.AddSingleton(TimeProvider.System);
                services.AddScoped<Intelagent.Server.Platform.Tenancy.RequestContext>();
                Intelagent.Server.Platform.Data.DatabaseSetup.AddDatabase(services, Intelagent.Server.Platform.Data.DatabaseSettings.Parse(url, "/tmp"));
                await using var provider = services.BuildServiceProvider();
                await Intelagent.Server.Platform.Data.DatabaseSetup.MigrateAsync(provider);
            })).ToArray();
            await Task.WhenAll(nodes);

            await using var check = new NpgsqlConnection(PostgresApp.ConnectionString(url));
            await check.OpenAsync();
            var applied = (long)(await new NpgsqlCommand("SELECT count(*) FROM \"__EFMigrationsHistory\"", check).ExecuteScalarAsync())!;
            var known = typeof(Intelagent.Server.Platform.Data.PostgresAppDb).Assembly.GetTypes()
                .Count(t => t.GetCustomAttributes(typeof(Microsoft.EntityFrameworkCore.Infrastructure.DbContextAttribute), false)
                    .OfType<Microsoft.EntityFrameworkCore.Infrastructure.DbContextAttribute>().Any(a => a.ContextType == typeof(Intelagent.Server.Platform.Data.PostgresAppDb))
                    && t.IsSubclassOf(typeof(Microsoft.EntityFrameworkCore.Migrations.Migration)));
            Assert.True(known >= 2);
            Assert.Equal(known, applied);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(admin);
            await connection.OpenAsync();
            await new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", connection).ExecuteNonQueryAsync();
        }
    }
}
