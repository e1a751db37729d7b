using System.Net;
using System.Net.Http.Json;
using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Realtime.Stream;
using Intelagent.Tests.Infrastructure;
using Npgsql;

namespace Intelagent.Tests.Realtime;

/// <summary>One node of a cluster: the whole server on a database another fixture created, with extra settings.</summary>
public sealed class NodeApp(string databaseUrl, IReadOnlyList<(string Key, string Value)> settings) : TestApp
{
    public override string Name => "node";

    protected override Task<string> CreateDatabaseAsync() => Task.FromResult(databaseUrl);

    protected override Task DropDatabaseAsync() => Task.CompletedTask;

    protected override IEnumerable<(string Key, string Value)> ExtraSettings => settings;
}

/// <summary>Two nodes for the realtime fan-out tests: Redis and a channel prefix of their own.</summary>
public sealed class TwoNodes : TwoNodesOnOneDatabase;

public sealed class ScaleOutTests(TwoNodes nodes) : IClassFixture<TwoNodes>
{
    [Fact]
    public async Task EventPublishedOnNodeA_ShouldReachAClientConnectedToNodeB()
    {
        var owner = await nodes.A.RegisterAsync();
        await nodes.A.DispatchEventsAsync();
        await using var onB = await HubClient.ConnectAsync(nodes.B, owner.Token);

        var id = await nodes.A.PublishAsync(RealtimeDraft.ForOrganization(owner.OrganizationId, RealtimeEventTypes.UsageWarning, Permissions.UsageRead, new { percent = 90 }));
        var received = await onB.NextAsync();
        Assert.Equal(id, received.Id);
        Assert.Equal(90, received.Payload.GetProperty("percent").GetInt32());

        // End to end: a team change made through node A reaches the member on node B.
        var created = await nodes.A.WithToken(owner.Token).PostAsJsonAsync($"/api/organizations/{owner.OrganizationId}/teams", new { name = "Scale" });
        await Api.ExpectAsync(created, HttpStatusCode.Created);
        await nodes.A.DispatchEventsAsync();
        var activity = await onB.NextAsync();
        Assert.Equal("activity:new", activity.Method);
        Assert.Equal("Scale", activity.Payload.GetProperty("target").GetProperty("name").GetString());
    }

    [Fact]
    public async Task EventPublishedOnNodeA_ShouldReachASocketIoClientConnectedToNodeB()
    {
        var owner = await nodes.A.RegisterAsync();
        var foreign = await nodes.A.RegisterAsync(organizationName: "Elsewhere");
        await nodes.A.DispatchEventsAsync();
        var (onB, answer) = await EngineIoWebSocket.ConnectAsync(nodes.B, owner.Token);
        await using var connection = onB;
        Assert.StartsWith("40{", answer);

        await nodes.A.PublishAsync(RealtimeDraft.ForOrganization(foreign.OrganizationId, RealtimeEventTypes.UsageWarning, null, new { foreign = true }));
        var id = await nodes.A.PublishAsync(RealtimeDraft.ForOrganization(owner.OrganizationId, RealtimeEventTypes.UsageWarning, Permissions.UsageRead, new { percent = 90 }));
        // The first event to arrive is the owner's: the other organization's, published before it, never came.
        var (name, data) = await onB.NextEventAsync();
        Assert.Equal(RealtimeEventTypes.UsageWarning, name);
        Assert.Equal(id, data.GetProperty("id").GetString());
        Assert.Equal(90, data.GetProperty("payload").GetProperty("percent").GetInt32());
    }

    [Fact]
    public async Task Reconnect_ToTheOtherNode_ShouldReplayWhatWasMissed_InCommitOrderAcrossNodes()
    {
        var owner = await nodes.A.RegisterAsync();
        await nodes.A.DispatchEventsAsync();
        // Node A's clock runs ahead of B's (within the tokens' 30 s skew): ids must still grow in commit order.
        nodes.A.Clock.Advance(TimeSpan.FromSeconds(20));
        try { await ResumeAcrossNodesAsync(owner); }
        finally { nodes.B.Clock.Advance(TimeSpan.FromSeconds(20)); }
    }

    private async Task ResumeAcrossNodesAsync(Account owner)
    {
        string seen;
        await using (var onA = await HubClient.ConnectAsync(nodes.A, owner.Token))
        {
            seen = await nodes.A.PublishAsync(RealtimeDraft.ForUser(owner.OrganizationId, owner.UserId, RealtimeEventTypes.MetricsUpdated, new { n = 0 }));
            Assert.Equal(seen, (await onA.NextAsync()).Id);
        }
        var missed = new List<string>();
        for (var n = 1; n <= 4; n++)
        {
            var node = n % 2 == 0 ? nodes.A : nodes.B;
            missed.Add(await node.PublishAsync(RealtimeDraft.ForUser(owner.OrganizationId, owner.UserId, RealtimeEventTypes.MetricsUpdated, new { n })));
        }
        Assert.Equal(missed.Order(StringComparer.Ordinal), missed);
        Assert.True(string.CompareOrdinal(missed[0], seen) > 0);

        await using var onB = await HubClient.ConnectAsync(nodes.B, owner.Token);
        var result = await onB.ResumeAsync(seen);
        Assert.Equal(4, result.Replayed);
        var received = new List<string>();
        for (var i = 0; i < 4; i++) received.Add((await onB.NextAsync()).Id);
        Assert.Equal(missed, received);
    }
}
