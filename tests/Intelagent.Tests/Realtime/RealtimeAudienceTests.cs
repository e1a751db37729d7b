using System.Net;
using System.Net.Http.Json;
using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Realtime.Stream;
using Intelagent.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Tests.Realtime;

public sealed class RealtimeAudienceTestsOnSqlite(SqliteApp app) : RealtimeAudienceTests<SqliteApp>(app);
public sealed class RealtimeAudienceTestsOnPostgres(PostgresApp app) : RealtimeAudienceTests<PostgresApp>(app);

/// <summary>Who is in which audience as roles change, operators, and the feed's paging.</summary>
public abstract class RealtimeAudienceTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : TestApp
{
    [Fact]
    public async Task PromotedViewer_WhileConnected_ShouldStartReceivingEventsOfTheNewPermission()
    {
        var owner = await app.RegisterAsync();
        var viewer = await app.AddMemberAsync(owner, "viewer");
        await app.DispatchEventsAsync();
        await using var client = await HubClient.ConnectAsync(app, viewer.Token);
        await Api.ExpectAsync(await app.WithToken(owner.Token).PatchAsJsonAsync($"/api/organizations/{owner.OrganizationId}/members/{viewer.UserId}", new { role = "admin" }), HttpStatusCode.OK);
        await app.DispatchEventsAsync();

        var alert = await app.PublishAsync(RealtimeDraft.ForOrganization(owner.OrganizationId, RealtimeEventTypes.SecurityAlert, Permissions.AuditRead, new { severity = "high" }));
        var received = new List<Received> { await client.NextAsync() };
        while (received[^1].Id != alert) received.Add(await client.NextAsync());
        Assert.Equal("security:alert", received[^1].Method);
    }

    [Fact]
    public async Task OperatorEvent_ShouldReachOperators_AndNotTheOrganizationsMembers()
    {
        var owner = await app.RegisterAsync();
        await app.DispatchEventsAsync();
        var operatorToken = await app.LoginAsync(TestApp.Operator.Email, TestApp.Operator.Password);
        await using var operatorClient = await HubClient.ConnectAsync(app, operatorToken);
        await using var ownerClient = await HubClient.ConnectAsync(app, owner.Token);

        var platform = await app.PublishAsync(RealtimeDraft.ForOperators(owner.OrganizationId, RealtimeEventTypes.PaymentFailed, new { amount = "10.00" }));
        var marker = await app.PublishAsync(RealtimeDraft.ForUser(owner.OrganizationId, owner.UserId, RealtimeEventTypes.MetricsUpdated, new { }));

        Assert.Equal(platform, (await operatorClient.NextAsync()).Id);
        Assert.Equal(marker, (await ownerClient.NextAsync()).Id);
        Assert.True(ownerClient.IsIdle);
    }

    [Fact]
    public async Task Hub_WithoutAToken_ShouldRefuseTheConnection()
    {
        var negotiate = await app.Anonymous().PostAsync("/hubs/events/negotiate?negotiateVersion=1", null);
        Assert.Equal(HttpStatusCode.Unauthorized, negotiate.StatusCode);
        var client = app.WithToken("not-a-token");
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsync("/hubs/events/negotiate?negotiateVersion=1", null)).StatusCode);
    }

    [Fact]
    public async Task Logout_WhileConnected_ShouldCloseTheHubConnection()
    {
        var owner = await app.RegisterAsync();
        await using var client = await HubClient.ConnectAsync(app, owner.Token);
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.Connection.Closed += _ => { closed.TrySetResult(); return Task.CompletedTask; };

        await Api.ExpectAsync(await app.WithToken(owner.Token).PostAsync("/api/auth/logout", null), HttpStatusCode.NoContent);
        app.Clock.Advance(RealtimeSessionSweep.Interval + TimeSpan.FromSeconds(1));
        await closed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(Microsoft.AspNetCore.SignalR.Client.HubConnectionState.Disconnected, client.Connection.State);
    }

    [Fact]
    public async Task ActivityFeed_ShouldPageNewestFirst_WithACursor()
    {
        var owner = await app.RegisterAsync();
        var client = app.WithToken(owner.Token);
        foreach (var name in new[] { "One", "Two", "Three" })
            await Api.ExpectAsync(await client.PostAsJsonAsync($"/api/organizations/{owner.OrganizationId}/teams", new { name }), HttpStatusCode.Created);
        await app.DispatchEventsAsync();

        var first = await (await client.GetAsync($"/api/organizations/{owner.OrganizationId}/activity?limit=2")).JsonAsync();
        Assert.Equal(["Three", "Two"], first.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("target").GetProperty("name").GetString()));
        var cursor = first.GetProperty("nextCursor").GetString();
        var second = await (await client.GetAsync($"/api/organizations/{owner.OrganizationId}/activity?limit=2&cursor={cursor}")).JsonAsync();
        Assert.Equal(["One"], second.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("target").GetProperty("name").GetString()));
        Assert.Equal(JsonValueKindNull, second.GetProperty("nextCursor").ValueKind);
        await Api.ExpectProblemAsync(await client.GetAsync($"/api/organizations/{owner.OrganizationId}/activity?limit=0"), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task RedeliveredDomainEvents_ShouldNotPublishTwice()
    {
        var owner = await app.RegisterAsync();
        var member = await app.AddMemberAsync(owner, "member");
        await Api.ExpectAsync(await app.WithToken(owner.Token).PatchAsJsonAsync($"/api/organizations/{owner.OrganizationId}/members/{member.UserId}", new { role = "manager" }), HttpStatusCode.OK);
        await app.DispatchEventsAsync();
        int Count(Intelagent.Server.Platform.Data.AppDb db, string type) =>
            db.Set<RealtimeEvent>().Count(e => e.Type == type && (e.AudienceId == member.UserId || e.Audience == RealtimeAudience.Organization));
        var before = await app.WithDbAsync(db => Task.FromResult((Count(db, "notification:new"), Count(db, "activity:new"))), owner.OrganizationId);
        Assert.Equal(1, before.Item1);

        // The outbox delivers at least once: hand the events behind both to their handlers again.
        await app.WithDbAsync(db => db.OutboxMessages.Where(m => m.OrganizationId == owner.OrganizationId && (m.Type == "NotificationCreated" || m.Type == "MemberInvited"))
            .ExecuteUpdateAsync(u => u.SetProperty(m => m.ProcessedAt, (DateTimeOffset?)null)));
        await app.DispatchEventsAsync();
        var after = await app.WithDbAsync(db => Task.FromResult((Count(db, "notification:new"), Count(db, "activity:new"))), owner.OrganizationId);
        Assert.Equal(before, after);
    }

    private const System.Text.Json.JsonValueKind JsonValueKindNull = System.Text.Json.JsonValueKind.Null;
}
