using System.Net;
using System.Net.Http.Json;
using Intelagent.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Tests.Platform;

public sealed class IdempotencyTestsOnSqlite(SqliteApp app) : IdempotencyTests<SqliteApp>(app);
public sealed class IdempotencyTestsOnPostgres(PostgresApp app) : IdempotencyTests<PostgresApp>(app);

public abstract class IdempotencyTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : TestApp
{
    private HttpRequestMessage CreateTeam(Account owner, string key, string name)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/organizations/{owner.OrganizationId}/teams") { Content = JsonContent.Create(new { name }) };
        request.Headers.Add("Idempotency-Key", key);
        return request;
    }

    [Fact]
    public async Task Retry_WithTheSameKeyAndBody_ShouldReplayTheFirstAnswerAndCreateOnce()
    {
        var owner = await app.RegisterAsync();
        var client = app.WithToken(owner.Token);

        var first = await client.SendAsync(CreateTeam(owner, "key-1", "Once"));
        var second = await client.SendAsync(CreateTeam(owner, "key-1", "Once"));

        await Api.ExpectAsync(first, HttpStatusCode.Created);
        await Api.ExpectAsync(second, HttpStatusCode.Created);
        Assert.Equal((await first.JsonAsync()).GetProperty("id").GetString(), (await second.JsonAsync()).GetProperty("id").GetString());
        Assert.Equal(first.Headers.Location, second.Headers.Location);
        Assert.True(second.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(1, await app.WithDbAsync(db => db.Teams.CountAsync(), owner.OrganizationId));
    }

    [Fact]
    public async Task SameKey_WithADifferentBody_ShouldBe422AndChangeNothing()
    {
        var owner = await app.RegisterAsync();
        var client = app.WithToken(owner.Token);
        await Api.ExpectAsync(await client.SendAsync(CreateTeam(owner, "key-2", "First")), HttpStatusCode.Created);

        await Api.ExpectProblemAsync(await client.SendAsync(CreateTeam(owner, "key-2", "Second")), HttpStatusCode.UnprocessableEntity, "idempotency_key_reused");

        Assert.Equal(["First"], await app.WithDbAsync(db => db.Teams.Select(t => t.Name).ToListAsync(), owner.OrganizationId));
    }

    [Fact]
    public async Task SameKey_FromAnotherCaller_ShouldNotCollide()
    {
        var first = await app.RegisterAsync();
        var second = await app.RegisterAsync();

        await Api.ExpectAsync(await app.WithToken(first.Token).SendAsync(CreateTeam(first, "shared-key", "Alpha")), HttpStatusCode.Created);
        await Api.ExpectAsync(await app.WithToken(second.Token).SendAsync(CreateTeam(second, "shared-key", "Alpha")), HttpStatusCode.Created);

        Assert.Equal(1, await app.WithDbAsync(db => db.Teams.CountAsync(), second.OrganizationId));
    }

    [Fact]
    public async Task Key_AfterTwentyFourHours_ShouldRunAgain()
    {
        var owner = await app.RegisterAsync();
        var client = app.WithToken(owner.Token);
        await Api.ExpectAsync(await client.SendAsync(CreateTeam(owner, "key-3", "Daily")), HttpStatusCode.Created);
        app.Clock.Advance(TimeSpan.FromHours(25));
        var token = await app.LoginAsync(owner.Email, owner.Password);

        var again = await app.WithToken(token).SendAsync(CreateTeam(owner, "key-3", "Daily"));

        await Api.ExpectProblemAsync(again, HttpStatusCode.Conflict, "team_name_taken");
    }
}
