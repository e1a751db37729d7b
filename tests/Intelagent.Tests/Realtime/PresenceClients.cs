using System.Net.Http.Json;
using System.Text.Json;
using System.Threading.Channels;
using Intelagent.Server.Realtime.Presence;
using Intelagent.Server.Realtime.Stream;
using Intelagent.Tests.Infrastructure;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Intelagent.Tests.Realtime;

/// <summary>A hub connection that records <c>presence:updated</c> (JSON or MessagePack), and calls the presence methods.</summary>
public sealed class PresenceHubClient : IAsyncDisposable
{
    private readonly Channel<RealtimeMessage> _presence = Channel.CreateUnbounded<RealtimeMessage>();
    private readonly Channel<RealtimeMessage> _events = Channel.CreateUnbounded<RealtimeMessage>();

    public HubConnection Connection { get; }

    private PresenceHubClient(TestApp app, string token, bool messagePack)
    {
        var builder = new HubConnectionBuilder().WithUrl($"http://localhost/hubs/events?access_token={Uri.EscapeDataString(token)}", options =>
        {
            options.Transports = HttpTransportType.WebSockets;
            options.SkipNegotiation = true;
            options.HttpMessageHandlerFactory = _ => app.Server.CreateHandler();
            options.WebSocketFactory = async (context, cancellationToken) =>
                await app.Server.CreateWebSocketClient().ConnectAsync(new UriBuilder(context.Uri) { Scheme = "ws" }.Uri, cancellationToken);
        });
        if (messagePack) builder.AddMessagePackProtocol(RealtimeMessagePack.Configure);
        Connection = builder.Build();
        Connection.On<RealtimeMessage>(PresenceNotifier.EventType, message => _presence.Writer.TryWrite(message));
        Connection.On<RealtimeMessage>(RealtimeEventTypes.UsageWarning, message => _events.Writer.TryWrite(message));
    }

    public static async Task<PresenceHubClient> ConnectAsync(TestApp app, string token, bool messagePack = false)
    {
        var client = new PresenceHubClient(app, token, messagePack);
        await client.Connection.StartAsync();
        // Answered only after OnConnectedAsync finished (groups joined, presence entered).
        await client.Connection.InvokeAsync<ResumeResult>("Resume", (string?)null);
        return client;
    }

    public Task<PresenceResponse> WatchAsync(string organizationId) => Connection.InvokeAsync<PresenceResponse>("WatchPresence", organizationId);

    public Task<PresenceResponse> JoinDocumentAsync(string documentId) => Connection.InvokeAsync<PresenceResponse>("JoinDocument", documentId);

    public Task LeaveDocumentAsync(string documentId) => Connection.InvokeAsync("LeaveDocument", documentId);

    /// <summary>The next presence:updated, its payload read as the API's response shape.</summary>
    public async Task<(RealtimeMessage Message, PresenceResponse Presence)> NextPresenceAsync()
    {
        var message = await ReadAsync(_presence);
        return (message, message.Payload.Deserialize<PresenceResponse>(JsonSerializerOptions.Web)!);
    }

    public Task<RealtimeMessage> NextUsageWarningAsync() => ReadAsync(_events);

    public bool PresenceIdle => !_presence.Reader.TryPeek(out _);

    private static async Task<RealtimeMessage> ReadAsync(Channel<RealtimeMessage> channel)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try { return await channel.Reader.ReadAsync(timeout.Token); }
        catch (OperationCanceledException) { throw new Xunit.Sdk.XunitException("No event arrived within 10 s."); }
    }

    public ValueTask DisposeAsync() => Connection.DisposeAsync();
}

public static class PresenceTestExtensions
{
    public static async Task<string> CreateDocumentAsync(this TestApp app, Account owner)
    {
        var project = await app.WithToken(owner.Token).PostAsJsonAsync($"/api/organizations/{owner.OrganizationId}/projects", new { name = "Presence " + Guid.NewGuid().ToString("N")[..6] });
        await Api.ExpectAsync(project, System.Net.HttpStatusCode.Created);
        var projectId = (await project.JsonAsync()).GetProperty("id").GetString();
        var document = await app.WithToken(owner.Token).PostAsJsonAsync($"/api/projects/{projectId}/documents", new { title = "Notes", content = "hello" });
        await Api.ExpectAsync(document, System.Net.HttpStatusCode.Created);
        return (await document.JsonAsync()).GetProperty("id").GetString()!;
    }

    public static async Task<PresenceResponse> PresenceAsync(this TestApp app, Account caller, string url)
    {
        var response = await app.WithToken(caller.Token, caller.OrganizationId).GetAsync(url);
        await Api.ExpectAsync(response, System.Net.HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync<PresenceResponse>(JsonSerializerOptions.Web))!;
    }

    /// <summary>Advances the clock past the presence timeout and runs the sweep (the hook the background loop also calls).</summary>
    public static async Task ExpirePresenceAsync(this TestApp app, TimeSpan? behind = null)
    {
        app.Clock.Advance(app.Services.GetRequiredService<PresenceSettings>().Timeout + TimeSpan.FromSeconds(1) + (behind ?? TimeSpan.Zero));
        await app.Services.GetRequiredService<PresenceTracker>().SweepAsync();
    }

    public static IReadOnlyList<string> UserIds(this PresenceResponse presence) => presence.Users.Select(u => u.UserId).ToList();
}
