using System.Net;
using System.Net.Http.Json;
using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Realtime;
using Intelagent.Server.Realtime.Activity;
using Intelagent.Server.Realtime.Stream;
using Intelagent.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Intelagent.Tests.Realtime;

public sealed class RealtimeTestsOnSqlite(SqliteApp app) : RealtimeTests<SqliteApp>(app);
public sealed class RealtimeTestsOnPostgres(PostgresApp app) : RealtimeTests<PostgresApp>(app);

/// <summary>
/// The hub, the event stream and its replay, the activity feed and live notifications. "Did not
/// receive" is proved without sleeping: a later event the client may see (a marker) arrives first,
/// and events reach each connection in id order.
/// </summary>
public abstract class RealtimeTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : TestApp
{
    private static RealtimeDraft Marker(string organizationId, string userId) =>
        RealtimeDraft.ForUser(organizationId, userId, RealtimeEventTypes.MetricsUpdated, new { marker = true });

    [Fact]
    public async Task TeamCreated_WhenMembersAreConnected_ShouldSendActivityToThem_AndNeverToAnotherOrganization()
    {
        var owner = await app.RegisterAsync();
        var viewer = await app.AddMemberAsync(owner, "viewer");
        var foreign = await app.RegisterAsync(organizationName: "Elsewhere");
        await app.DispatchEventsAsync();
        await using var ownerClient = await HubClient.ConnectAsync(app, owner.Token);
        await using var viewerClient = await HubClient.ConnectAsync(app, viewer.Token);
        await using var foreignClient = await HubClient.ConnectAsync(app, foreign.Token);

        var created = await app.WithToken(owner.Token).PostAsJsonAsync($"/api/organizations/{owner.OrganizationId}/teams", new { name = "Support" });
        await Api.ExpectAsync(created, HttpStatusCode.Created);
        var teamId = (await created.JsonAsync()).GetProperty("id").GetString();
        await app.DispatchEventsAsync();

        foreach (var client in new[] { ownerClient, viewerClient })
        {
            var received = await client.NextAsync();
            Assert.Equal("activity:new", received.Method);
            Assert.Equal("activity:new", received.Type);
            Assert.Equal(owner.OrganizationId, received.Body.GetProperty("organizationId").GetString());
            Assert.StartsWith("rte_", received.Id);
            Assert.Equal("team.created", received.Payload.GetProperty("action").GetString());
            Assert.Equal(owner.UserId, received.Payload.GetProperty("actor").GetProperty("id").GetString());
            Assert.Equal("Test User", received.Payload.GetProperty("actor").GetProperty("name").GetString());
            Assert.Equal(teamId, received.Payload.GetProperty("target").GetProperty("id").GetString());
            Assert.Equal("Support", received.Payload.GetProperty("target").GetProperty("name").GetString());
        }

        var feed = await (await app.WithToken(viewer.Token).GetAsync($"/api/organizations/{owner.OrganizationId}/activity")).JsonAsync();
        var newest = feed.GetProperty("items")[0];
        Assert.Equal("team.created", newest.GetProperty("action").GetString());
        Assert.Equal("team", newest.GetProperty("target").GetProperty("type").GetString());
        Assert.Equal("Support", newest.GetProperty("target").GetProperty("name").GetString());
        Assert.Equal(owner.UserId, newest.GetProperty("actor").GetProperty("id").GetString());
        Assert.Contains(feed.GetProperty("items").EnumerateArray(), i => i.GetProperty("action").GetString() == "member.joined");

        // The foreign user's next event is one of their own: the team change never reached them.
        var marker = await app.PublishAsync(Marker(foreign.OrganizationId, foreign.UserId));
        Assert.Equal(marker, (await foreignClient.NextAsync()).Id);
        Assert.True(foreignClient.IsIdle);
        var foreignFeed = await (await app.WithToken(foreign.Token).GetAsync($"/api/organizations/{owner.OrganizationId}/activity")).JsonAsync();
        Assert.Equal(404, foreignFeed.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task EventNeedingAPermission_WhenAViewerLacksIt_ShouldReachOnlyThoseWhoHoldIt()
    {
        var owner = await app.RegisterAsync();
        var admin = await app.AddMemberAsync(owner, "admin");
        var viewer = await app.AddMemberAsync(owner, "viewer");
        await app.DispatchEventsAsync();
        await using var adminClient = await HubClient.ConnectAsync(app, admin.Token);
        await using var viewerClient = await HubClient.ConnectAsync(app, viewer.Token);

        var alert = await app.PublishAsync(RealtimeDraft.ForOrganization(owner.OrganizationId, RealtimeEventTypes.SecurityAlert, Permissions.AuditRead, new { severity = "high" }));
        var warning = await app.PublishAsync(RealtimeDraft.ForOrganization(owner.OrganizationId, RealtimeEventTypes.UsageWarning, Permissions.UsageRead, new { percent = 80 }));

        Assert.Equal(alert, (await adminClient.NextAsync()).Id);
        Assert.Equal(warning, (await adminClient.NextAsync()).Id);
        Assert.Equal(warning, (await viewerClient.NextAsync()).Id);
        Assert.True(viewerClient.IsIdle);

        // Replay applies the same rule.
        await using var late = await HubClient.ConnectAsync(app, viewer.Token);
        var resumed = await late.ResumeAsync(PreviousId(alert));
        Assert.Equal(1, resumed.Replayed);
        Assert.Equal(warning, (await late.NextAsync()).Id);
    }

    [Fact]
    public async Task Reconnect_WithTheLastEventId_ShouldReceiveExactlyTheMissedEventsInOrder()
    {
        var owner = await app.RegisterAsync();
        var foreign = await app.RegisterAsync(organizationName: "Elsewhere");
        await app.DispatchEventsAsync();
        string seen;
        await using (var first = await HubClient.ConnectAsync(app, owner.Token))
        {
            seen = await app.PublishAsync(RealtimeDraft.ForOrganization(owner.OrganizationId, RealtimeEventTypes.MetricsUpdated, Permissions.UsageRead, new { n = 0 }));
            Assert.Equal(seen, (await first.NextAsync()).Id);
        }
        var missed = new List<string>();
        for (var n = 1; n <= 5; n++)
        {
            missed.Add(await app.PublishAsync(RealtimeDraft.ForOrganization(owner.OrganizationId, RealtimeEventTypes.MetricsUpdated, Permissions.UsageRead, new { n })));
            await app.PublishAsync(Marker(foreign.OrganizationId, foreign.UserId)); // interleaved, for someone else
        }
        missed.Add(await app.PublishAsync(RealtimeDraft.ForUser(owner.OrganizationId, owner.UserId, RealtimeEventTypes.NotificationNew, new { title = "for you" })));

        await using var resumed = await HubClient.ConnectAsync(app, owner.Token);
        var result = await resumed.ResumeAsync(seen);
        Assert.Equal(new ResumeResult(6, missed[^1], true), result);
        var received = new List<Received>();
        for (var i = 0; i < 6; i++) received.Add(await resumed.NextAsync());
        Assert.Equal(missed, received.Select(r => r.Id));
        Assert.Equal([1, 2, 3, 4, 5], received.Take(5).Select(r => r.Payload.GetProperty("n").GetInt32()));
        Assert.True(resumed.IsIdle);

        // The same through the query string on connect, from the middle of the run.
        await using var fromQuery = await HubClient.ConnectAsync(app, owner.Token, lastEventId: missed[3]);
        Assert.Equal(missed[4], (await fromQuery.NextAsync()).Id);
        Assert.Equal(missed[5], (await fromQuery.NextAsync()).Id);
    }

    [Fact]
    public async Task Replay_WhenTheLastIdIsOlderThanTheWindow_ShouldSayItIsIncomplete_AndThePurgeRemovesOldEvents()
    {
        var owner = await app.RegisterAsync();
        await app.DispatchEventsAsync();
        var old = await app.PublishAsync(RealtimeDraft.ForUser(owner.OrganizationId, owner.UserId, RealtimeEventTypes.MetricsUpdated, new { n = 1 }));
        app.Clock.Advance(TimeSpan.FromMinutes(16));
        var recent = await app.PublishAsync(RealtimeDraft.ForUser(owner.OrganizationId, owner.UserId, RealtimeEventTypes.MetricsUpdated, new { n = 2 }));

        await using (var scope = app.Services.CreateAsyncScope())
            Assert.True(await scope.ServiceProvider.GetRequiredService<RealtimeReplay>().PurgeAcrossTenantsAsync(CancellationToken.None) >= 1);
        var remaining = await app.WithDbAsync(db => db.Set<RealtimeEvent>().Where(e => e.OrganizationId == owner.OrganizationId).Select(e => e.Id).ToListAsync(), owner.OrganizationId);
        Assert.Equal([recent], remaining);

        await using var client = await HubClient.ConnectAsync(app, owner.Token);
        Assert.Equal(new ResumeResult(1, recent, false), await client.ResumeAsync(old));
        Assert.Equal(recent, (await client.NextAsync()).Id);
        Assert.False((await client.ResumeAsync("not-an-id")).Complete);
    }

    [Fact]
    public async Task Notification_WhenWrittenForAUser_ShouldReachThemLive_UnlessTheyMutedItsType()
    {
        var owner = await app.RegisterAsync();
        var member = await app.AddMemberAsync(owner, "member");
        await app.DispatchEventsAsync();
        await using var memberClient = await HubClient.ConnectAsync(app, member.Token);
        var ownerClient = app.WithToken(owner.Token);

        await Api.ExpectAsync(await ownerClient.PatchAsJsonAsync($"/api/organizations/{owner.OrganizationId}/members/{member.UserId}", new { role = "manager" }), HttpStatusCode.OK);
        await app.DispatchEventsAsync();
        var received = await memberClient.NextAsync();
        if (received.Method == "activity:new") received = await memberClient.NextAsync(); // the role change is also activity
        Assert.Equal("notification:new", received.Method);
        Assert.Equal("member.role_changed", received.Payload.GetProperty("type").GetString());
        Assert.Equal("Your role is now manager", received.Payload.GetProperty("title").GetString());
        var stored = await app.WithDbAsync(db => db.Notifications.SingleAsync(n => n.UserId == member.UserId), owner.OrganizationId);
        Assert.Equal(stored.Id, received.Payload.GetProperty("id").GetString());

        var put = await app.WithToken(member.Token).PutAsJsonAsync("/api/notifications/preferences", new { mutedTypes = new[] { "member.role_changed" } });
        await Api.ExpectAsync(put, HttpStatusCode.OK);
        var preferences = await (await app.WithToken(member.Token).GetAsync("/api/notifications/preferences")).JsonAsync();
        Assert.Equal("member.role_changed", preferences.GetProperty("mutedTypes")[0].GetString());

        await Api.ExpectAsync(await ownerClient.PatchAsJsonAsync($"/api/organizations/{owner.OrganizationId}/members/{member.UserId}", new { role = "member" }), HttpStatusCode.OK);
        await app.DispatchEventsAsync();
        var marker = await app.PublishAsync(Marker(owner.OrganizationId, member.UserId));
        var next = new List<Received> { await memberClient.NextAsync() };
        while (next[^1].Id != marker) next.Add(await memberClient.NextAsync());
        Assert.DoesNotContain(next, r => r.Method == "notification:new");
        Assert.Equal(1, await app.WithDbAsync(db => db.Notifications.CountAsync(n => n.UserId == member.UserId), owner.OrganizationId));
    }

    [Fact]
    public async Task PutPreferences_WithABadType_ShouldAnswer400()
    {
        var owner = await app.RegisterAsync();
        var response = await app.WithToken(owner.Token).PutAsJsonAsync("/api/notifications/preferences", new { mutedTypes = new[] { "Not A Type!" } });
        await Api.ExpectProblemAsync(response, HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task RemovedMember_WhileConnected_ShouldStopReceivingTheOrganizationsEvents()
    {
        var owner = await app.RegisterAsync();
        var member = await app.AddMemberAsync(owner, "member");
        await app.DispatchEventsAsync();
        await using var memberClient = await HubClient.ConnectAsync(app, member.Token);
        await Api.ExpectAsync(await app.WithToken(owner.Token).DeleteAsync($"/api/organizations/{owner.OrganizationId}/members/{member.UserId}"), HttpStatusCode.NoContent);
        await app.DispatchEventsAsync();

        await app.PublishAsync(RealtimeDraft.ForOrganization(owner.OrganizationId, RealtimeEventTypes.MetricsUpdated, null, new { secret = true }));
        var feedEntries = await app.WithDbAsync(db => db.Set<ActivityEntry>().CountAsync(a => a.Action == "member.removed"), owner.OrganizationId);
        Assert.Equal(1, feedEntries);
        // The user's own group still reaches them: a marker sent after the organization's event.
        var after = await app.PublishAsync(RealtimeDraft.ForUser(owner.OrganizationId, member.UserId, RealtimeEventTypes.MetricsUpdated, new { }));
        var received = new List<Received> { await memberClient.NextAsync() };
        while (received[^1].Id != after) received.Add(await memberClient.NextAsync());
        Assert.DoesNotContain(received, r => r.Payload.TryGetProperty("secret", out _));
    }

    /// <summary>An id just before the given one (same time, zero randomness), to resume "from before" an event.</summary>
    private static string PreviousId(string id) => id[..(4 + 10)] + new string('0', 16);
}
