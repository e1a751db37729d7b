using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Intelagent.Server.Realtime.SocketIo;
using Intelagent.Server.Realtime.Stream;
using Intelagent.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Intelagent.Tests.Realtime;

public sealed class SocketIoTestsOnSqlite(SqliteApp app) : SocketIoTests<SqliteApp>(app);
public sealed class SocketIoTestsOnPostgres(PostgresApp app) : SocketIoTests<PostgresApp>(app);

/// <summary>
/// The Engine.IO v4 / Socket.IO v5 endpoint at /socket.io/ spoken packet by packet, over WebSocket and
/// long-polling (the real npm client runs against the real server in Intelagent.BrowserTests).
/// </summary>
public abstract class SocketIoTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : TestApp
{
    private static RealtimeDraft Marker(string organizationId, string userId) =>
        RealtimeDraft.ForUser(organizationId, userId, RealtimeEventTypes.MetricsUpdated, new { marker = true });

    [Fact]
    public async Task TeamCreated_WhenConnectedOverWebSocket_ShouldSendActivityNew_AndNeverToAnotherOrganization()
    {
        var owner = await app.RegisterAsync();
        var foreign = await app.RegisterAsync(organizationName: "Elsewhere");
        await app.DispatchEventsAsync();
        var open = await EngineIoWebSocket.OpenAsync(app);
        await using var ownerSocket = open;
        using (var handshake = JsonDocument.Parse((await open.ReceiveAsync())![1..]))
        {
            Assert.False(string.IsNullOrEmpty(handshake.RootElement.GetProperty("sid").GetString()));
            Assert.Equal(0, handshake.RootElement.GetProperty("upgrades").GetArrayLength());
            Assert.Equal(25000, handshake.RootElement.GetProperty("pingInterval").GetInt32());
            Assert.Equal(20000, handshake.RootElement.GetProperty("pingTimeout").GetInt32());
            Assert.True(handshake.RootElement.GetProperty("maxPayload").GetInt32() > 0);
        }
        await open.SendAsync("40" + JsonSerializer.Serialize(new { token = owner.Token }));
        Assert.StartsWith("40{\"sid\":", await open.ReceiveAsync());
        var (foreignSocket, foreignAnswer) = await EngineIoWebSocket.ConnectAsync(app, foreign.Token);
        await using var foreignConnection = foreignSocket;
        Assert.StartsWith("40{", foreignAnswer);

        var created = await app.WithToken(owner.Token).PostAsJsonAsync($"/api/organizations/{owner.OrganizationId}/teams", new { name = "Support" });
        await Api.ExpectAsync(created, HttpStatusCode.Created);
        await app.DispatchEventsAsync();

        var (name, data) = await ownerSocket.NextEventAsync();
        Assert.Equal("activity:new", name);
        Assert.Equal("activity:new", data.GetProperty("type").GetString());
        Assert.StartsWith("rte_", data.GetProperty("id").GetString());
        Assert.Equal(owner.OrganizationId, data.GetProperty("organizationId").GetString());
        Assert.True(data.TryGetProperty("time", out _));
        Assert.Equal("team.created", data.GetProperty("payload").GetProperty("action").GetString());
        Assert.Equal("Support", data.GetProperty("payload").GetProperty("target").GetProperty("name").GetString());

        // The foreign user's next event is their own marker: the team change never reached them.
        var marker = await app.PublishAsync(Marker(foreign.OrganizationId, foreign.UserId));
        Assert.Equal(marker, (await foreignSocket.NextEventAsync()).Data.GetProperty("id").GetString());
    }

    [Theory]
    [InlineData("40")]
    [InlineData("40{\"token\":\"not-a-token\"}")]
    public async Task Connect_WithAMissingOrBadToken_ShouldAnswerConnectError(string connect)
    {
        await using var socket = await EngineIoWebSocket.OpenAsync(app);
        Assert.StartsWith("0{", await socket.ReceiveAsync());
        await socket.SendAsync(connect);
        var answer = await socket.ReceiveAsync();
        Assert.StartsWith("44{\"message\":", answer);
    }

    [Fact]
    public async Task Connect_ToAnotherNamespace_ShouldAnswerInvalidNamespace()
    {
        var owner = await app.RegisterAsync();
        await using var socket = await EngineIoWebSocket.OpenAsync(app, "&access_token=" + Uri.EscapeDataString(owner.Token));
        Assert.StartsWith("0{", await socket.ReceiveAsync());
        await socket.SendAsync("40/admin,");
        Assert.Equal("44/admin,{\"message\":\"Invalid namespace\"}", await socket.ReceiveAsync());
        // access_token in the query is accepted in place of auth.token.
        await socket.SendAsync("40");
        Assert.StartsWith("40{\"sid\":", await socket.ReceiveAsync());
    }

    [Fact]
    public async Task Messages_LargerThanAReadBuffer_OrInFragments_ShouldBeReadWhole_AndOneOverMaxPayloadShouldClose()
    {
        var owner = await app.RegisterAsync();
        var (socket, _) = await EngineIoWebSocket.ConnectAsync(app, owner.Token);
        await using var connection = socket;
        // The namespace comes back in the refusal: proof that all of the message was read, in one piece.
        var large = new string('n', 20_000);
        await socket.SendAsync($"40/{large},");
        Assert.Equal($"44/{large},{{\"message\":\"Invalid namespace\"}}", await socket.ReceiveAsync());
        var fragmented = new string('f', 9_000);
        await socket.SendFragmentedAsync($"40/{fragmented},", 1_000);
        Assert.Equal($"44/{fragmented},{{\"message\":\"Invalid namespace\"}}", await socket.ReceiveAsync());

        var maxPayload = app.Services.GetRequiredService<EngineIoSettings>().MaxPayload;
        await socket.SendFragmentedAsync("40/" + new string('x', maxPayload) + ",", 64_000);
        Assert.Null(await socket.ReceiveAsync());
    }

    [Fact]
    public async Task Heartbeat_WhenAnswered_ShouldKeepTheSession_AndWhenNotAnswered_ShouldClose()
    {
        var owner = await app.RegisterAsync();
        var (socket, _) = await EngineIoWebSocket.ConnectAsync(app, owner.Token);
        await using var connection = socket;
        var settings = app.Services.GetRequiredService<EngineIoSettings>();

        app.Clock.Advance(settings.PingInterval);
        Assert.Equal("2", await socket.ReceiveAsync());
        await socket.SendAsync("3");
        // The answer to this packet proves the pong before it was handled (packets are handled in order).
        await socket.SendAsync("40/admin,");
        Assert.StartsWith("44/admin,", await socket.ReceiveAsync());
        app.Clock.Advance(settings.PingTimeout);
        app.Clock.Advance(settings.PingInterval - settings.PingTimeout);
        Assert.Equal("2", await socket.ReceiveAsync());

        // No pong this time: after the timeout the server closes the socket.
        app.Clock.Advance(settings.PingTimeout);
        Assert.Null(await socket.ReceiveAsync());
    }

    [Fact]
    public async Task Polling_ShouldHandshake_Connect_AndDeliverEventsJoinedByTheRecordSeparator_WithReplayOfMissedEvents()
    {
        var owner = await app.RegisterAsync();
        await app.DispatchEventsAsync();
        var http = app.Anonymous();
        var open = await http.GetStringAsync("/socket.io/?EIO=4&transport=polling");
        Assert.StartsWith("0{", open);
        using var handshake = JsonDocument.Parse(open[1..]);
        Assert.Equal("websocket", handshake.RootElement.GetProperty("upgrades")[0].GetString());
        var url = "/socket.io/?EIO=4&transport=polling&sid=" + handshake.RootElement.GetProperty("sid").GetString();

        var first = await app.PublishAsync(Marker(owner.OrganizationId, owner.UserId));
        var missed = await app.PublishAsync(Marker(owner.OrganizationId, owner.UserId));
        var post = await http.PostAsync(url, new StringContent("40" + JsonSerializer.Serialize(new { token = owner.Token, lastEventId = first }), Encoding.UTF8, "text/plain"));
        Assert.Equal("ok", await post.Content.ReadAsStringAsync());
        var packets = (await http.GetStringAsync(url)).Split('\x1e');
        Assert.StartsWith("40{\"sid\":", packets[0]);
        Assert.Equal(2, packets.Length);
        Assert.Equal(missed, EngineIoWebSocket.ParseEvent(packets[1]).Data.GetProperty("id").GetString());

        var live = await app.PublishAsync(Marker(owner.OrganizationId, owner.UserId));
        var (name, data) = EngineIoWebSocket.ParseEvent(await http.GetStringAsync(url));
        Assert.Equal(RealtimeEventTypes.MetricsUpdated, name);
        Assert.Equal(live, data.GetProperty("id").GetString());
        Assert.True(data.GetProperty("payload").GetProperty("marker").GetBoolean());

        // Close: the session is gone, and a later request for it is refused as an unknown session.
        await http.PostAsync(url, new StringContent("1", Encoding.UTF8, "text/plain"));
        var gone = await http.GetAsync(url);
        Assert.Equal(HttpStatusCode.BadRequest, gone.StatusCode);
        Assert.Equal(1, (await gone.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task RemovedMember_WhileConnected_ShouldStopReceivingTheOrganizationsEvents()
    {
        var owner = await app.RegisterAsync();
        var member = await app.AddMemberAsync(owner, "member");
        await app.DispatchEventsAsync();
        var (socket, answer) = await EngineIoWebSocket.ConnectAsync(app, member.Token);
        await using var connection = socket;
        Assert.StartsWith("40{", answer);
        await Api.ExpectAsync(await app.WithToken(owner.Token).DeleteAsync($"/api/organizations/{owner.OrganizationId}/members/{member.UserId}"), HttpStatusCode.NoContent);
        await app.DispatchEventsAsync();

        await app.PublishAsync(RealtimeDraft.ForOrganization(owner.OrganizationId, RealtimeEventTypes.MetricsUpdated, null, new { secret = true }));
        // The user's own group still reaches them: a marker sent after the organization's event.
        var after = await app.PublishAsync(RealtimeDraft.ForUser(owner.OrganizationId, member.UserId, RealtimeEventTypes.MetricsUpdated, new { }));
        var received = new List<JsonElement> { (await socket.NextEventAsync()).Data };
        while (received[^1].GetProperty("id").GetString() != after) received.Add((await socket.NextEventAsync()).Data);
        Assert.DoesNotContain(received, r => r.GetProperty("payload").TryGetProperty("secret", out _));
    }

    [Fact]
    public async Task Logout_WhileConnected_ShouldDisconnectTheSocketIoClient()
    {
        var owner = await app.RegisterAsync();
        var (socket, _) = await EngineIoWebSocket.ConnectAsync(app, owner.Token);
        await using var connection = socket;

        await Api.ExpectAsync(await app.WithToken(owner.Token).PostAsync("/api/auth/logout", null), HttpStatusCode.NoContent);
        app.Clock.Advance(RealtimeSessionSweep.Interval + TimeSpan.FromSeconds(1));
        string? packet;
        do packet = await socket.ReceiveAsync(); while (packet == "2");
        Assert.Equal("41", packet);
    }

    [Fact]
    public async Task Handshake_WithAnotherProtocolVersion_ShouldBeRefused()
    {
        var response = await app.Anonymous().GetAsync("/socket.io/?EIO=3&transport=polling");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(5, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetInt32());
    }
}
