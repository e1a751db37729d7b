using System.Net;
using System.Net.Http.Json;
using Intelagent.Tests.Infrastructure;

namespace Intelagent.Tests.Realtime;

/// <summary>Two nodes for the presence tests: Redis keys and channels of their own.</summary>
public sealed class PresenceNodes : TwoNodesOnOneDatabase;

public sealed class PresenceScaleOutTests(PresenceNodes nodes) : IClassFixture<PresenceNodes>
{
    [Fact]
    public async Task TwoNodesOnOneRedis_ShouldAgreeOnPresence_AndExpireWhatANodeStoppedRefreshing()
    {
        var owner = await nodes.A.RegisterAsync();
        var member = await nodes.A.AddMemberAsync(owner, "member");
        await nodes.A.DispatchEventsAsync();
        var documentId = await nodes.A.CreateDocumentAsync(owner);
        await using var watcher = await PresenceHubClient.ConnectAsync(nodes.A, owner.Token);
        await watcher.WatchAsync(owner.OrganizationId);

        // One tab on each node: the member is online once, and both nodes say so.
        var onB = await PresenceHubClient.ConnectAsync(nodes.B, member.Token);
        var (_, online) = await watcher.NextPresenceAsync();
        Assert.Contains(member.UserId, online.UserIds());
        var (socketOnA, _) = await EngineIoWebSocket.ConnectAsync(nodes.A, member.Token);
        foreach (var node in new[] { nodes.A, nodes.B })
        {
            var listed = await node.PresenceAsync(owner, "/api/presence");
            Assert.Equal(new[] { owner.UserId, member.UserId }.Order(StringComparer.Ordinal), listed.UserIds());
            Assert.Equal(online.Version, listed.Version);
        }
        await onB.DisposeAsync();
        Assert.Contains(member.UserId, (await nodes.B.PresenceAsync(owner, "/api/presence")).UserIds());
        await socketOnA.DisposeAsync();
        Assert.Equal([owner.UserId], (await watcher.NextPresenceAsync()).Presence.UserIds());
        Assert.Equal([owner.UserId], (await nodes.B.PresenceAsync(owner, "/api/presence")).UserIds());

        // An editor's heartbeat through node B reaches the document's viewer on node A; when node B
        // stops refreshing it (as a node that died would), node A's sweep removes it after the timeout.
        await watcher.JoinDocumentAsync(documentId);
        await watcher.NextPresenceAsync();
        await Api.ExpectAsync(await nodes.B.WithToken(member.Token).PutAsJsonAsync($"/api/documents/{documentId}/presence", new { clientId = "b" }), HttpStatusCode.OK);
        Assert.Contains(member.UserId, (await watcher.NextPresenceAsync()).Presence.UserIds());
        Assert.Contains(member.UserId, (await nodes.A.PresenceAsync(owner, $"/api/documents/{documentId}/presence")).UserIds());

        // Each node's fake clock started when the node did: node A's must first catch up with B's.
        var behind = nodes.B.Clock.GetUtcNow() - nodes.A.Clock.GetUtcNow();
        await nodes.A.ExpirePresenceAsync(behind > TimeSpan.Zero ? behind : TimeSpan.Zero);
        Assert.Equal([owner.UserId], (await watcher.NextPresenceAsync()).Presence.UserIds());
        Assert.Equal([owner.UserId], (await nodes.B.PresenceAsync(owner, $"/api/documents/{documentId}/presence")).UserIds());
        // Node A's own live connection survived its sweep.
        Assert.Equal([owner.UserId], (await nodes.A.PresenceAsync(owner, "/api/presence")).UserIds());
    }
}
