using System.Net;
using System.Text.Json;
using Intelagent.Server.Usage;
using Intelagent.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Intelagent.Tests.Usage;

public sealed class AdminUsageTestsOnSqlite(SqliteApp app) : AdminUsageTests<SqliteApp>(app);
public sealed class AdminUsageTestsOnPostgres(PostgresApp app) : AdminUsageTests<PostgresApp>(app);

/// <summary>The operator's usage across all organizations and its top consumers.</summary>
public abstract class AdminUsageTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : TestApp
{
    private async Task<HttpClient> OperatorAsync() => app.WithToken(await app.LoginAsync(TestApp.Operator.Email, TestApp.Operator.Password));

    private async Task<Account> OrganizationWithCallsAsync(int calls)
    {
        var owner = await app.RegisterAsync();
        var client = app.WithToken(owner.Token, owner.OrganizationId);
        for (var i = 0; i < calls; i++) await Api.ExpectAsync(await client.GetAsync($"/api/organizations/{owner.OrganizationId}"), HttpStatusCode.OK);
        return owner;
    }

    [Fact]
    public async Task Top_ShouldRankOrganizationsByTodaysCalls_WithTheirLimits()
    {
        var busy = await OrganizationWithCallsAsync(40);
        var quiet = await OrganizationWithCallsAsync(25);
        await app.Services.GetRequiredService<UsageFlushService>().FlushAsync(CancellationToken.None);

        var response = await (await OperatorAsync()).GetAsync("/api/admin/usage/top?metric=api_calls&limit=100");
        await Api.ExpectAsync(response, HttpStatusCode.OK);
        var items = (await response.JsonAsync()).GetProperty("items").EnumerateArray().ToList();
        var ids = items.Select(i => i.GetProperty("organizationId").GetString()).ToList();
        Assert.True(ids.IndexOf(busy.OrganizationId) < ids.IndexOf(quiet.OrganizationId) && ids.IndexOf(quiet.OrganizationId) >= 0);
        var first = items.Single(i => i.GetProperty("organizationId").GetString() == busy.OrganizationId);
        Assert.Equal(40, first.GetProperty("used").GetInt64());
        Assert.Equal(1000, first.GetProperty("limit").GetInt64());
        Assert.Equal(0.04m, first.GetProperty("percent").GetDecimal());
        var counts = items.Select(i => i.GetProperty("used").GetInt64()).ToList();
        Assert.Equal(counts.OrderDescending(), counts);
    }

    [Theory]
    [InlineData("/api/admin/usage/top?metric=storage", "metric")]
    [InlineData("/api/admin/usage/top?limit=0", "limit")]
    [InlineData("/api/admin/usage?limit=500", "limit")]
    public async Task AdminUsage_WithInvalidQuery_ShouldBe400(string url, string field)
    {
        var problem = await Api.ExpectProblemAsync(await (await OperatorAsync()).GetAsync(url), HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task AcrossOrganizations_ShouldPageThroughEveryOrganizationWithItsMeters()
    {
        var owner = await OrganizationWithCallsAsync(7);
        await app.AddMemberAsync(owner, "member"); // a second seat, and an eighth call (the invitation)
        var second = await OrganizationWithCallsAsync(1);
        var client = await OperatorAsync();

        var seen = new Dictionary<string, JsonElement>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var response = await client.GetAsync("/api/admin/usage?limit=2" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)));
            await Api.ExpectAsync(response, HttpStatusCode.OK);
            var page = await response.JsonAsync();
            var items = page.GetProperty("items").EnumerateArray().ToList();
            Assert.InRange(items.Count, 1, 2);
            foreach (var item in items) Assert.True(seen.TryAdd(item.GetProperty("organizationId").GetString()!, item.Clone()));
            cursor = page.GetProperty("nextCursor").GetString();
            pages++;
        }
        while (cursor is not null && pages < 500);

        Assert.Contains(second.OrganizationId, seen.Keys);
        var usage = seen[owner.OrganizationId];
        Assert.Equal("free", usage.GetProperty("tier").GetString());
        Assert.Equal(8, usage.GetProperty("apiCallsToday").GetProperty("used").GetInt64()); // pending on this node, not flushed yet
        Assert.Equal(2, usage.GetProperty("seats").GetProperty("used").GetInt64());
        Assert.Equal(3, usage.GetProperty("seats").GetProperty("limit").GetInt64());
        Assert.Equal(0.6667m, usage.GetProperty("seats").GetProperty("percent").GetDecimal());
    }
}
