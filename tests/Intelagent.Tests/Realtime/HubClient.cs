using System.Text.Json;
using System.Threading.Channels;
using Intelagent.Server.Realtime.Stream;
using Intelagent.Tests.Infrastructure;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Intelagent.Tests.Realtime;

/// <summary>A received realtime event: the method name it came under and its body.</summary>
public sealed record Received(string Method, JsonElement Body)
{
    public string Id => Body.GetProperty("id").GetString()!;
    public string Type => Body.GetProperty("type").GetString()!;
    public JsonElement Payload => Body.GetProperty("payload");
}

/// <summary>A SignalR client of /hubs/events over the test server's WebSockets, recording what arrives in order.</summary>
public sealed class HubClient : IAsyncDisposable
{
    public static readonly string[] Types =
    [
        RealtimeEventTypes.ActivityNew, RealtimeEventTypes.NotificationNew, RealtimeEventTypes.SecurityAlert,
        RealtimeEventTypes.UsageWarning, RealtimeEventTypes.MetricsUpdated, RealtimeEventTypes.PaymentFailed,
    ];

    private readonly Channel<Received> _received = Channel.CreateUnbounded<Received>();

    public HubConnection Connection { get; }

    private HubClient(TestApp app, string token, string? lastEventId)
    {
        var url = $"http://localhost/hubs/events?access_token={Uri.EscapeDataString(token)}" + (lastEventId is null ? "" : $"&lastEventId={lastEventId}");
        Connection = new HubConnectionBuilder().WithUrl(url, options =>
        {
            options.Transports = HttpTransportType.WebSockets;
            options.SkipNegotiation = true;
            options.HttpMessageHandlerFactory = _ => app.Server.CreateHandler();
            options.WebSocketFactory = async (context, cancellationToken) =>
                await app.Server.CreateWebSocketClient().ConnectAsync(new UriBuilder(context.Uri) { Scheme = "ws" }.Uri, cancellationToken);
        }).Build();
        foreach (var type in Types)
            Connection.On<JsonElement>(type, body => _received.Writer.TryWrite(new Received(type, body)));
    }

    public static async Task<HubClient> ConnectAsync(TestApp app, string token, string? lastEventId = null)
    {
        var client = new HubClient(app, token, lastEventId);
        await client.Connection.StartAsync();
        // StartAsync returns after the handshake, while the server may still be joining groups in
        // OnConnectedAsync; an invocation is answered only after it, so this one marks "joined".
        await client.ResumeAsync(null);
        return client;
    }

    /// <summary>The next event, waiting at most ten seconds for it.</summary>
    public async Task<Received> NextAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try { return await _received.Reader.ReadAsync(timeout.Token); }
        catch (OperationCanceledException) { throw new Xunit.Sdk.XunitException("No realtime event arrived within 10 s."); }
    }

    /// <summary>Nothing is waiting now (used after a later marker event proved delivery has caught up).</summary>
    public bool IsIdle => !_received.Reader.TryPeek(out _);

    public Task<ResumeResult> ResumeAsync(string? lastEventId) => Connection.InvokeAsync<ResumeResult>("Resume", lastEventId);

    public ValueTask DisposeAsync() => Connection.DisposeAsync();
}

public static class RealtimeTestExtensions
{
    /// <summary>Publishes a realtime event directly, as a module's subscriber would, and returns its id.</summary>
    public static async Task<string> PublishAsync(this TestApp app, RealtimeDraft draft)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var publisher = scope.ServiceProvider.GetRequiredService<RealtimePublisher>();
        publisher.Stage(draft);
        return (await publisher.CommitAsync(CancellationToken.None)).Single();
    }
}
