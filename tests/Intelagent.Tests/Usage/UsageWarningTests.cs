using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Intelagent.Server.Realtime;
using Intelagent.Server.Realtime.Stream;
using Intelagent.Server.Usage;
using Intelagent.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Intelagent.Tests.Usage;

public sealed class UsageWarningTestsOnSqlite(LimitedSqliteApp app) : UsageWarningTests<LimitedSqliteApp>(app);
public sealed class UsageWarningTestsOnPostgres(LimitedPostgresApp app) : UsageWarningTests<LimitedPostgresApp>(app);

/// <summary>Warnings at 80% and 100% of a quota, and members' own alerts, delivered once per period at flush time.</summary>
public abstract class UsageWarningTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : TestApp
{
    private async Task SetLimitsAsync(string organizationId, object limits)
    {
        var operatorClient = app.WithToken(await app.LoginAsync(TestApp.Operator.Email, TestApp.Operator.Password));
        await Api.ExpectAsync(await operatorClient.PutAsJsonAsync($"/api/admin/organizations/{organizationId}/limits", limits), HttpStatusCode.OK);
    }

    private async Task CallAsync(HttpClient client, string organizationId, int times)
    {
        for (var i = 0; i < times; i++) await Api.ExpectAsync(await client.GetAsync($"/api/organizations/{organizationId}"), HttpStatusCode.OK);
    }

    private async Task FlushAsync()
    {
        await app.Services.GetRequiredService<UsageFlushService>().FlushAsync(CancellationToken.None);
        await app.DispatchEventsAsync();
    }

    private Task<List<Notification>> NotificationsAsync(string organizationId, string type) => app.WithDbAsync(db => db.Notifications.IgnoreQueryFilters()
        .Where(n => n.OrganizationId == organizationId && n.Type == type).OrderBy(n => n.Id).ToListAsync());

    private Task<List<RealtimeEvent>> WarningEventsAsync(string organizationId) => app.WithDbAsync(db => db.Set<RealtimeEvent>().IgnoreQueryFilters()
        .Where(e => e.OrganizationId == organizationId && e.Type == RealtimeEventTypes.UsageWarning).OrderBy(e => e.Id).ToListAsync());

    [Fact]
    public async Task Flush_WhenAQuotaPasses80And100Percent_ShouldWarnAdminsOncePerThreshold()
    {
        var owner = await app.RegisterAsync();
        var admin = await app.AddMemberAsync(owner, "admin");
        var viewer = await app.AddMemberAsync(owner, "viewer");
        // The two invitations were calls of the owner: 2 of 20 so far. Seats are raised out of the way.
        await SetLimitsAsync(owner.OrganizationId, new { apiCallsPerDay = 20, seats = 10 });
        var client = app.WithToken(owner.Token, owner.OrganizationId);

        await CallAsync(client, owner.OrganizationId, 13);
        await FlushAsync();
        Assert.Empty(await NotificationsAsync(owner.OrganizationId, "usage.warning"));

        await CallAsync(client, owner.OrganizationId, 1);
        await FlushAsync();
        var warnings = await NotificationsAsync(owner.OrganizationId, "usage.warning");
        Assert.Equal(new[] { admin.UserId, owner.UserId }.Order(), warnings.Select(n => n.UserId).Order());
        Assert.All(warnings, n => Assert.Contains("80%", n.Title));
        Assert.DoesNotContain(warnings, n => n.UserId == viewer.UserId);
        var events = await WarningEventsAsync(owner.OrganizationId);
        var payload = JsonSerializer.Deserialize<JsonElement>(Assert.Single(events).Payload);
        Assert.Equal("api_calls", payload.GetProperty("metric").GetString());
        Assert.Equal(80, payload.GetProperty("threshold").GetInt32());
        Assert.Equal(16, payload.GetProperty("used").GetInt64());
        Assert.Equal(20, payload.GetProperty("limit").GetInt64());

        // Still above 80%: nothing new, whether this node checks again or another one does (a new scope, state in the database).
        await CallAsync(client, owner.OrganizationId, 1);
        await FlushAsync();
        await using (var scope = app.Services.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<Intelagent.Server.Platform.Tenancy.RequestContext>().SetTenant(owner.OrganizationId, null);
            await scope.ServiceProvider.GetRequiredService<UsageThresholds>().EvaluateAsync(owner.OrganizationId, CancellationToken.None);
        }
        Assert.Equal(2, (await NotificationsAsync(owner.OrganizationId, "usage.warning")).Count);
        Assert.Single(await WarningEventsAsync(owner.OrganizationId));

        await CallAsync(client, owner.OrganizationId, 3);
        await FlushAsync();
        warnings = await NotificationsAsync(owner.OrganizationId, "usage.warning");
        Assert.Equal(4, warnings.Count);
        Assert.Equal(2, warnings.Count(n => n.Title.StartsWith("Usage limit reached", StringComparison.Ordinal)));
        Assert.Equal(2, (await WarningEventsAsync(owner.OrganizationId)).Count);
        var notices = await app.WithDbAsync(db => db.Set<UsageNotice>().IgnoreQueryFilters().Where(n => n.OrganizationId == owner.OrganizationId)
            .Select(n => n.Key).OrderBy(k => k).ToListAsync());
        Assert.Equal(["warning:api_calls:100", "warning:api_calls:80"], notices);
    }

    [Fact]
    public async Task Flush_WhenALevelQuotaIsFull_ShouldWarnForSeats()
    {
        var owner = await app.RegisterAsync();
        await app.AddMemberAsync(owner, "member");
        await app.AddMemberAsync(owner, "member"); // 3 of the free tier's 3 seats
        await CallAsync(app.WithToken(owner.Token, owner.OrganizationId), owner.OrganizationId, 1);
        await FlushAsync();

        var warning = Assert.Single(await NotificationsAsync(owner.OrganizationId, "usage.warning"));
        Assert.Equal("Usage limit reached: seats", warning.Title);
        Assert.Equal(owner.UserId, warning.UserId);
    }

    [Fact]
    public async Task Alert_WhenItsThresholdIsReached_ShouldNotifyItsCreatorOncePerPeriod()
    {
        var owner = await app.RegisterAsync();
        var client = app.WithToken(owner.Token, owner.OrganizationId);
        var created = await client.PostAsJsonAsync("/api/usage/alerts", new { metric = "api_calls", kind = "absolute", threshold = 5 });
        await Api.ExpectAsync(created, HttpStatusCode.Created);
        var alert = await created.JsonAsync();
        var alertId = alert.GetProperty("id").GetString()!;
        Assert.StartsWith("ualrt_", alertId);
        Assert.Equal(owner.UserId, alert.GetProperty("createdByUserId").GetString());
        var percent = await client.PostAsJsonAsync("/api/usage/alerts", new { metric = "api_calls", kind = "percent", threshold = 50 });
        await Api.ExpectAsync(percent, HttpStatusCode.Created);

        await CallAsync(client, owner.OrganizationId, 3); // 5 calls with the two creations
        await FlushAsync();
        var delivered = Assert.Single(await NotificationsAsync(owner.OrganizationId, "usage.alert"));
        Assert.Equal(owner.UserId, delivered.UserId);
        Assert.Contains("API calls today", delivered.Title);

        await CallAsync(client, owner.OrganizationId, 2);
        await FlushAsync();
        Assert.Single(await NotificationsAsync(owner.OrganizationId, "usage.alert"));

        var list = await (await client.GetAsync("/api/usage/alerts")).JsonAsync();
        Assert.Equal(2, list.GetProperty("items").GetArrayLength());
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/usage/alerts/{alertId}")).StatusCode);
        await Api.ExpectProblemAsync(await client.DeleteAsync($"/api/usage/alerts/{alertId}"), HttpStatusCode.NotFound, "not_found");
        list = await (await client.GetAsync("/api/usage/alerts")).JsonAsync();
        Assert.Equal(percent.Headers.Location!.ToString().Split('/')[^1], Assert.Single(list.GetProperty("items").EnumerateArray()).GetProperty("id").GetString());
    }

    [Theory]
    [InlineData("calls", "absolute", 5, "metric")]
    [InlineData("api_calls", "ratio", 5, "kind")]
    [InlineData("api_calls", "absolute", 0, "threshold")]
    [InlineData("api_calls", "percent", 5000, "threshold")]
    public async Task CreateAlert_WithInvalidInput_ShouldBe400AndStoreNothing(string metric, string kind, decimal threshold, string field)
    {
        var owner = await app.RegisterAsync();
        var response = await app.WithToken(owner.Token).PostAsJsonAsync("/api/usage/alerts", new { metric, kind, threshold });
        var problem = await Api.ExpectProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _));
        Assert.Equal(0, await app.WithDbAsync(db => db.Set<UsageAlert>().IgnoreQueryFilters().CountAsync(a => a.OrganizationId == owner.OrganizationId)));
    }

    [Fact]
    public async Task OverageMode_PastTheDailyQuota_ShouldServeAndRecordTheOverageForBilling()
    {
        var owner = await app.RegisterAsync();
        await SetLimitsAsync(owner.OrganizationId, new { apiCallsPerDay = 3, overage = true });
        var client = app.WithToken(owner.Token, owner.OrganizationId);

        await CallAsync(client, owner.OrganizationId, 5);
        await FlushAsync();
        await CallAsync(client, owner.OrganizationId, 2);
        await FlushAsync();

        var overage = await app.WithDbAsync(db => db.Set<UsageOverage>().IgnoreQueryFilters().Where(o => o.OrganizationId == owner.OrganizationId).ToListAsync());
        var row = Assert.Single(overage);
        Assert.Equal("api_calls", row.Metric);
        Assert.Equal(4, row.Quantity);
        var limits = await (await client.GetAsync("/api/usage/limits")).JsonAsync();
        Assert.True(limits.GetProperty("overage").GetBoolean());
    }
}
