using System.Text;
using Intelagent.Server.Realtime.Stream;
using StackExchange.Redis;

namespace Intelagent.Server.Realtime.SocketIo;

/// <summary>
/// Delivers published events to the socket.io connections of every node. Without <c>REDIS_URL</c> it
/// delivers on this node. With it, the publishing node encodes the event once and publishes
/// <c>group\nframe</c> on a channel of its own (<c>{prefix}:socketio</c>); every node, itself included,
/// delivers the received frame to its sessions of that group (and to the portal's circuits,
/// <see cref="RealtimeLocalListeners"/>). The SignalR backplane is not reused:
/// its messages are SignalR invocations, which would have to be decoded and re-encoded per node.
/// </summary>
public sealed class SocketIoFanOut(SocketIoConnections connections, RealtimeLocalListeners listeners, RealtimeRedisSettings? redis,
    ILogger<SocketIoFanOut> logger)
    : IHostedService, IAsyncDisposable
{
    private ConnectionMultiplexer? _multiplexer;

    private RedisChannel Channel => RedisChannel.Literal(redis!.ChannelPrefix + ":socketio");

    public Task PublishAsync(RealtimeEvent e) => PublishAsync(RealtimeGroups.Of(e), e);

    /// <summary>Delivers an event to a group other than its audience's (presence goes to a document's viewers).</summary>
    public async Task PublishAsync(string group, RealtimeEvent e)
    {
        var frame = SocketIoFrames.Event(e);
        // While Redis is out of reach, at once to this node (not after the client's backlog timeout).
        if (_multiplexer is { IsConnected: true })
        {
            var message = new byte[Encoding.UTF8.GetByteCount(group) + 1 + frame.Length];
            var written = Encoding.UTF8.GetBytes(group, message);
            message[written] = (byte)'\n';
            frame.CopyTo(message, written + 1);
            try
            {
                await _multiplexer.GetSubscriber().PublishAsync(Channel, message);
                return;
            }
            catch (Exception exception) when (exception is RedisException or TimeoutException or ObjectDisposedException)
            {
                // Stored already: other nodes' clients get it by replay; this node's get it now.
                logger.LogWarning(exception, "Redis unreachable: socket.io event {EventId} delivered on this node only", e.Id);
            }
        }
        Deliver(group, frame);
    }

    private void Deliver(string group, byte[] frame)
    {
        connections.Deliver(group, frame);
        listeners.Deliver(group, frame);
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (redis is null) return;
        _multiplexer = await ConnectionMultiplexer.ConnectAsync(redis.Options.Clone());
        await _multiplexer.GetSubscriber().SubscribeAsync(Channel, (_, message) =>
        {
            var bytes = (byte[]?)message;
            if (bytes is null) return;
            var separator = Array.IndexOf(bytes, (byte)'\n');
            if (separator <= 0) return;
            Deliver(Encoding.UTF8.GetString(bytes, 0, separator), bytes[(separator + 1)..]);
        });
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_multiplexer is not null) await _multiplexer.DisposeAsync();
    }
}
