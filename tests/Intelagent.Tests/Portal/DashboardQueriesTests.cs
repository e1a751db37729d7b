using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json;
using Intelagent.Server.Identity;
using Intelagent.Server.Insights.Store;
using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Tenancy;
using Intelagent.Server.Portal;
using Intelagent.Server.Portal.Customer.Home;
using Intelagent.Server.Realtime.Activity;
using Intelagent.Server.Security.Access;
using Intelagent.Server.Usage;
using Intelagent.Tests.Infrastructure;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Intelagent.Tests.Portal;

/// <summary>What the dashboard aggregates without a database: gauges, the top insights, the live feed's order.</summary>
public sealed class DashboardQueriesTests
{
    [Fact]
    public void Gauge_UnderTheLimit_ShouldFillItsShareWithTheLimitAtTheEnd()
    {
        var gauge = DashboardQueries.Gauge("bandwidth", "Bandwidth", new UsageMeter(2_500_000_000, 10_000_000_000, 0.25m), "bytes");

        Assert.Equal(25m, gauge.Percent);
        Assert.Equal(0.25, gauge.Scale, 9);
        Assert.Equal(1, gauge.LimitAt, 9);
        Assert.Equal("Bandwidth: 2.5 GB of 10 GB (25%)", gauge.Description);
    }

    [Fact]
    public void Gauge_OverTheLimit_ShouldSpanTheUsedAmountWithTheLimitMarkedInside()
    {
        var gauge = DashboardQueries.Gauge("api-calls", "API calls today", new UsageMeter(1_500, 1_000, 1.5m), "calls");

        Assert.Equal(150m, gauge.Percent);
        Assert.Equal(1, gauge.Scale, 9);
        Assert.Equal(2d / 3, gauge.LimitAt, 9);
    }

    [Fact]
    public void Gauge_Unlimited_ShouldHaveNoPercentAndSayNoLimit()
    {
        var gauge = DashboardQueries.Gauge("seats", "Seats", new UsageMeter(4, null, null), "seats");

        Assert.Null(gauge.Percent);
        Assert.Equal("unlimited", gauge.LimitText);
        Assert.Equal("Seats: 4, no limit", gauge.Description);
    }

    [Fact]
    public void TopInsights_ShouldPutHighImpactFirstThenTheMostConfident()
    {
        static InsightResponse Insight(string id, string impact, double confidence) => new(id, "optimization", id, "", confidence, impact, null,
            JsonSerializer.SerializeToElement(new { }), "test", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, true, null, null);

        var top = DashboardQueries.TopInsights([Insight("a", "low", 0.99), Insight("b", "high", 0.6), Insight("c", "medium", 0.9), Insight("d", "high", 0.95)], 3);

        Assert.Equal(["d", "b", "c"], top.Select(i => i.Id));
    }

    [Fact]
    public void Prepend_ShouldPutTheNewEntryFirstOnceAndKeepAtMostTheLimit()
    {
        static ActivityResponse Entry(string id) => new(id, "org", "team.created", new ActivityActor("u", "Olivia Owner"), new ActivityTarget("team", "t", "Support"), null, DateTimeOffset.UnixEpoch);
        List<ActivityResponse> feed = [Entry("act_03"), Entry("act_02"), Entry("act_01")];

        var next = DashboardQueries.Prepend(feed, Entry("act_04"), 3);
        var replayed = DashboardQueries.Prepend(next, Entry("act_04"), 3);

        Assert.Equal(["act_04", "act_03", "act_02"], next.Select(e => e.Id));
        Assert.Equal(next.Select(e => e.Id), replayed.Select(e => e.Id));
    }

    [Fact]
    public void Describe_ShouldNameTheActorTheChangeAndTheTarget()
    {
        var created = new ActivityResponse("act_1", "org", "team.created", new ActivityActor("u", "Olivia Owner"), new ActivityTarget("team", "t", "Support"), null, DateTimeOffset.UnixEpoch);
        var role = created with { Action = "member.role_changed", Target = new ActivityTarget("user", "u2", "Mike Member"), Details = JsonSerializer.SerializeToElement(new { oldRole = "viewer", newRole = "member" }) };

        Assert.Equal("Olivia Owner created the team Support", DashboardQueries.Describe(created));
        Assert.Equal("Olivia Owner changed Mike Member's role from viewer to member", DashboardQueries.Describe(role));
    }
}

public sealed class DashboardActivityTestsOnSqlite(SqliteApp app) : DashboardActivityTests<SqliteApp>(app);
public sealed class DashboardActivityTestsOnPostgres(PostgresApp app) : DashboardActivityTests<PostgresApp>(app);

/// <summary>The dashboard's first page of the feed is the API's, under the same permission and tenant.</summary>
public abstract class DashboardActivityTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : TestApp
{
    [Fact]
    public async Task LatestActivity_ForAViewer_ShouldBeTheApisNewestFirstAndOnlyTheirOrganizations()
    {
        var owner = await app.RegisterAsync();
        var viewer = await app.AddMemberAsync(owner, "viewer");
        var stranger = await app.RegisterAsync();
        var client = app.WithToken(owner.Token);
        foreach (var name in new[] { "One", "Two", "Three" })
            await Api.ExpectAsync(await client.PostAsJsonAsync($"/api/organizations/{owner.OrganizationId}/teams", new { name }), HttpStatusCode.Created);
        await Api.ExpectAsync(await app.WithToken(stranger.Token).PostAsJsonAsync($"/api/organizations/{stranger.OrganizationId}/teams", new { name = "Elsewhere" }), HttpStatusCode.Created);
        await app.DispatchEventsAsync();
        var portal = await SignedInAsync(viewer);

        var result = await portal.RunAsync(Permissions.ActivityRead, (services, cancellationToken) => DashboardQueries.LatestActivityAsync(services, 20, cancellationToken));

        Assert.True(result.IsSuccess, result.Error?.Detail);
        var api = await (await app.WithToken(viewer.Token).GetAsync($"/api/organizations/{owner.OrganizationId}/activity?limit=20")).JsonAsync();
        Assert.Equal(api.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()), result.Value!.Select(e => e.Id));
        Assert.Equal(["Three", "Two", "One"], result.Value!.Where(e => e.Action == "team.created").Select(e => e.Target.Name));
        Assert.All(result.Value!, e => Assert.Equal(owner.OrganizationId, e.OrganizationId));
    }

    private Task<PortalSession> SignedInAsync(Account account) => PortalSessions.SignedInAsync(app.Services, account.Token);
}
