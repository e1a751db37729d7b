using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Intelagent.Tests.Infrastructure;

namespace Intelagent.Tests.Realtime;

/// <summary>A raw Engine.IO v4 WebSocket client of /socket.io/ over the test server, speaking packets as text.</summary>
public sealed class EngineIoWebSocket : IAsyncDisposable
{
    private readonly WebSocket _socket;

    private EngineIoWebSocket(WebSocket socket) => _socket = socket;

    public static async Task<EngineIoWebSocket> OpenAsync(TestApp app, string query = "")
    {
        var socket = await app.Server.CreateWebSocketClient().ConnectAsync(new Uri("ws://localhost/socket.io/?EIO=4&transport=websocket" + query), CancellationToken.None);
        return new EngineIoWebSocket(socket);
    }

    /// <summary>Opens, reads the open packet and connects the default namespace with the token; returns the CONNECT answer.</summary>
    public static async Task<(EngineIoWebSocket Socket, string Answer)> ConnectAsync(TestApp app, string token)
    {
        var socket = await OpenAsync(app);
        Assert.StartsWith("0{", await socket.ReceiveAsync());
        await socket.SendAsync("40" + JsonSerializer.Serialize(new { token }));
        return (socket, await socket.ReceiveAsync() ?? "");
    }

    public Task SendAsync(string packet) => _socket.SendAsync(Encoding.UTF8.GetBytes(packet), WebSocketMessageType.Text, true, CancellationToken.None);

    /// <summary>One text message sent as several WebSocket frames of <paramref name="frameBytes"/> bytes each.</summary>
    public async Task SendFragmentedAsync(string packet, int frameBytes)
    {
        var bytes = Encoding.UTF8.GetBytes(packet);
        for (var offset = 0; offset < bytes.Length; offset += frameBytes)
        {
            var count = Math.Min(frameBytes, bytes.Length - offset);
            await _socket.SendAsync(bytes.AsMemory(offset, count), WebSocketMessageType.Text, offset + count == bytes.Length, CancellationToken.None);
        }
    }

    /// <summary>The next text packet (null when the server closed the socket), waiting at most ten seconds.</summary>
    public async Task<string?> ReceiveAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var buffer = new byte[64 * 1024];
        var length = 0;
        try
        {
            while (true)
            {
                var result = await _socket.ReceiveAsync(buffer.AsMemory(length), timeout.Token);
                if (result.MessageType == WebSocketMessageType.Close) return null;
                length += result.Count;
                if (result.EndOfMessage) return Encoding.UTF8.GetString(buffer, 0, length);
            }
        }
        catch (OperationCanceledException) { throw new Xunit.Sdk.XunitException("No socket.io packet arrived within 10 s."); }
        catch (WebSocketException) { return null; }
    }

    /// <summary>The next packet that is not a ping, as a Socket.IO EVENT: its name and data.</summary>
    public async Task<(string Name, JsonElement Data)> NextEventAsync()
    {
        while (true)
        {
            var packet = await ReceiveAsync() ?? throw new Xunit.Sdk.XunitException("The socket closed.");
            if (packet == "2") continue;
            return ParseEvent(packet);
        }
    }

    public static (string Name, JsonElement Data) ParseEvent(string packet)
    {
        Assert.StartsWith("42[", packet);
        var array = JsonDocument.Parse(packet[2..]).RootElement;
        return (array[0].GetString()!, array[1].Clone());
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_socket.State == WebSocketState.Open) await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        }
        catch (WebSocketException) { }
        _socket.Dispose();
    }
}
