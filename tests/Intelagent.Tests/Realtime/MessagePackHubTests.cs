using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Realtime.Stream;
using Intelagent.Tests.Infrastructure;

namespace Intelagent.Tests.Realtime;

/// <summary>The hub speaks MessagePack too: the .NET client with the MessagePack protocol receives events, payload and presence included.</summary>
public sealed class MessagePackHubTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Fact]
    public async Task ClientWithMessagePack_ShouldReceiveEvents_WithTheirPayloadAndTime()
    {
        var owner = await app.RegisterAsync();
        var member = await app.AddMemberAsync(owner, "member");
        await app.DispatchEventsAsync();
        await using var client = await PresenceHubClient.ConnectAsync(app, owner.Token, messagePack: true);

        var id = await app.PublishAsync(RealtimeDraft.ForOrganization(owner.OrganizationId, RealtimeEventTypes.UsageWarning, Permissions.UsageRead,
            new { percent = 90, metric = "apiCalls", nested = new { ratio = 0.9, flags = new[] { true, false } } }));
        var received = await client.NextUsageWarningAsync();
        Assert.Equal(id, received.Id);
        Assert.Equal(RealtimeEventTypes.UsageWarning, received.Type);
        Assert.Equal(owner.OrganizationId, received.OrganizationId);
        Assert.NotEqual(default, received.Time);
        Assert.Equal(90, received.Payload.GetProperty("percent").GetInt32());
        Assert.Equal("apiCalls", received.Payload.GetProperty("metric").GetString());
        Assert.Equal(0.9, received.Payload.GetProperty("nested").GetProperty("ratio").GetDouble());
        Assert.False(received.Payload.GetProperty("nested").GetProperty("flags")[1].GetBoolean());

        // Presence arrives over MessagePack as well.
        await client.WatchAsync(owner.OrganizationId);
        await using var memberTab = await PresenceHubClient.ConnectAsync(app, member.Token);
        Assert.Contains(member.UserId, (await client.NextPresenceAsync()).Presence.UserIds());
    }
}
