using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Intelagent.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;

namespace Intelagent.Tests.Realtime;

public sealed class PresenceTestsOnSqlite(SqliteApp app) : PresenceTests<SqliteApp>(app);
public sealed class PresenceTestsOnPostgres(PostgresApp app) : PresenceTests<PostgresApp>(app);

/// <summary>Presence on one node (in memory): several tabs count once, stale entries expire, nothing crosses organizations.</summary>
public abstract class PresenceTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : TestApp
{
    [Fact]
    public async Task TwoTabs_ShouldCountOnce_AndTheUserStaysOnlineUntilTheLastTabCloses()
    {
        var owner = await app.RegisterAsync();
        var member = await app.AddMemberAsync(owner, "member");
        await app.DispatchEventsAsync();
        await using var watcher = await PresenceHubClient.ConnectAsync(app, owner.Token);
        Assert.Equal([owner.UserId], (await watcher.WatchAsync(owner.OrganizationId)).UserIds());

        var firstTab = await PresenceHubClient.ConnectAsync(app, member.Token);
        var (arrived, online) = await watcher.NextPresenceAsync();
        Assert.Equal("presence:updated", arrived.Type);
        Assert.StartsWith("prs_", arrived.Id);
        Assert.Equal(owner.OrganizationId, arrived.OrganizationId);
        Assert.Equal(new[] { owner.UserId, member.UserId }.Order(StringComparer.Ordinal), online.UserIds());
        Assert.Contains(online.Users, u => u.UserId == member.UserId && u.Name == "member person");

        // The second tab speaks socket.io: still one member online, and no event.
        var (secondTab, answer) = await EngineIoWebSocket.ConnectAsync(app, member.Token);
        Assert.StartsWith("40{", answer);
        var listed = await app.PresenceAsync(owner, "/api/presence");
        Assert.Equal(1, listed.Users.Count(u => u.UserId == member.UserId));
        Assert.Equal(online.Version, listed.Version);

        await firstTab.DisposeAsync();
        Assert.Contains(member.UserId, (await app.PresenceAsync(owner, "/api/presence")).UserIds());
        await secondTab.DisposeAsync();

        // The next event is the member leaving: closing the first tab published nothing.
        var (_, offline) = await watcher.NextPresenceAsync();
        Assert.Equal([owner.UserId], offline.UserIds());
        Assert.True(offline.Version > online.Version);
        Assert.Equal([owner.UserId], (await app.PresenceAsync(owner, "/api/presence")).UserIds());
    }

    [Fact]
    public async Task DocumentHeartbeat_WhenItStops_ShouldExpireAfterTheTimeout_WhileLiveConnectionsStay()
    {
        var owner = await app.RegisterAsync();
        var member = await app.AddMemberAsync(owner, "viewer");
        await app.DispatchEventsAsync();
        var documentId = await app.CreateDocumentAsync(owner);
        await using var ownerTab = await PresenceHubClient.ConnectAsync(app, owner.Token);
        Assert.Equal([owner.UserId], (await ownerTab.JoinDocumentAsync(documentId)).UserIds());
        Assert.Equal([owner.UserId], (await ownerTab.NextPresenceAsync()).Presence.UserIds());

        var beat = await app.WithToken(member.Token).PutAsJsonAsync($"/api/documents/{documentId}/presence", new { clientId = "tab-1" });
        await Api.ExpectAsync(beat, HttpStatusCode.OK);
        Assert.Contains(member.UserId, (await beat.Content.ReadFromJsonAsync<Server.Realtime.Presence.PresenceResponse>(JsonSerializerOptions.Web))!.UserIds());
        var (_, joined) = await ownerTab.NextPresenceAsync();
        Assert.Equal(documentId, joined.DocumentId);
        Assert.Contains(member.UserId, joined.UserIds());
        // A second beat of the same tab changes nothing.
        await Api.ExpectAsync(await app.WithToken(member.Token).PutAsJsonAsync($"/api/documents/{documentId}/presence", new { clientId = "tab-1" }), HttpStatusCode.OK);

        await app.ExpirePresenceAsync();
        var (_, expired) = await ownerTab.NextPresenceAsync();
        Assert.Equal([owner.UserId], expired.UserIds());
        Assert.Equal([owner.UserId], (await app.PresenceAsync(owner, $"/api/documents/{documentId}/presence")).UserIds());
        Assert.Contains(owner.UserId, (await app.PresenceAsync(owner, "/api/presence")).UserIds());

        await ownerTab.LeaveDocumentAsync(documentId);
        Assert.Empty((await app.PresenceAsync(owner, $"/api/documents/{documentId}/presence")).Users);
    }

    [Fact]
    public async Task UserOfAnotherOrganization_ShouldNeverSeeThePresence()
    {
        var owner = await app.RegisterAsync();
        var foreign = await app.RegisterAsync(organizationName: "Elsewhere");
        var colleague = await app.AddMemberAsync(foreign, "member");
        await app.DispatchEventsAsync();
        var documentId = await app.CreateDocumentAsync(owner);
        await using var ownerTab = await PresenceHubClient.ConnectAsync(app, owner.Token);
        await ownerTab.JoinDocumentAsync(documentId);

        await using var spy = await PresenceHubClient.ConnectAsync(app, foreign.Token);
        await Assert.ThrowsAsync<HubException>(() => spy.JoinDocumentAsync(documentId));
        await Assert.ThrowsAsync<HubException>(() => spy.WatchAsync(owner.OrganizationId));
        await spy.WatchAsync(foreign.OrganizationId);
        await Api.ExpectProblemAsync(await app.WithToken(foreign.Token).GetAsync($"/api/documents/{documentId}/presence"), HttpStatusCode.NotFound);
        await Api.ExpectProblemAsync(await app.WithToken(foreign.Token).PutAsJsonAsync($"/api/documents/{documentId}/presence", new { }), HttpStatusCode.NotFound);
        await Api.ExpectAsync(await app.WithToken(foreign.Token, owner.OrganizationId).GetAsync("/api/presence"), HttpStatusCode.NotFound);

        // Changes in the owner's organization, then one in the spy's own: the first event the spy gets is its own organization's.
        var (socket, _) = await EngineIoWebSocket.ConnectAsync(app, (await app.AddMemberAsync(owner, "member")).Token);
        await using (socket) await socket.SendAsync("42" + JsonSerializer.Serialize(new object[] { "document:join", documentId }));
        await using var colleagueTab = await PresenceHubClient.ConnectAsync(app, colleague.Token);
        var (message, presence) = await spy.NextPresenceAsync();
        Assert.Equal(foreign.OrganizationId, message.OrganizationId);
        Assert.Equal(foreign.OrganizationId, presence.OrganizationId);
        Assert.Null(presence.DocumentId);
        Assert.Contains(colleague.UserId, presence.UserIds());
    }

    [Fact]
    public async Task SocketIoClient_ShouldJoinADocumentWithAnAcknowledgement_AndLeaveItByDisconnecting()
    {
        var owner = await app.RegisterAsync();
        var member = await app.AddMemberAsync(owner, "member");
        await app.DispatchEventsAsync();
        var documentId = await app.CreateDocumentAsync(owner);
        await using var ownerTab = await PresenceHubClient.ConnectAsync(app, owner.Token);
        await ownerTab.JoinDocumentAsync(documentId);
        await ownerTab.NextPresenceAsync();

        var (socket, _) = await EngineIoWebSocket.ConnectAsync(app, member.Token);
        await socket.SendAsync("427" + JsonSerializer.Serialize(new object[] { "document:join", new { documentId } }));
        string? packet;
        do packet = await socket.ReceiveAsync(); while (packet is not null && !packet.StartsWith("437", StringComparison.Ordinal));
        var ack = JsonDocument.Parse(packet![3..]).RootElement[0];
        Assert.Equal(documentId, ack.GetProperty("documentId").GetString());
        Assert.Equal(2, ack.GetProperty("users").GetArrayLength());
        Assert.Contains(member.UserId, (await ownerTab.NextPresenceAsync()).Presence.UserIds());

        await socket.DisposeAsync();
        Assert.Equal([owner.UserId], (await ownerTab.NextPresenceAsync()).Presence.UserIds());
    }
}
