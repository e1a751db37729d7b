using Intelagent.Server.Realtime.Presence;
using Intelagent.Server.Realtime.SocketIo;
using StackExchange.Redis;

namespace Intelagent.Server.Realtime.Stream;

/// <summary>
/// Settings for running several nodes on one Redis (<c>REDIS_URL</c>): SignalR's Redis backplane
/// carries the events, and one channel of our own carries "this user's access changed" so every
/// node regroups its own connections of that user.
/// </summary>
public sealed record RealtimeRedisSettings(ConfigurationOptions Options, string ChannelPrefix)
{
    public static RealtimeRedisSettings? From(IConfiguration configuration)
    {
        var url = configuration["REDIS_URL"];
        if (string.IsNullOrWhiteSpace(url)) return null;
        var options = Parse(url);
        options.AbortOnConnectFail = false; // a lost Redis degrades fan-out; it must not stop the node
        // Backlog kept (not FailFast): the fan-out's subscriptions made while the connection is still
        // coming up must wait for it, or a node starting on a slow Redis fails to start.
        return new RealtimeRedisSettings(options, configuration["Realtime:ChannelPrefix"] ?? "intelagent");
    }

    /// <summary>Accepts <c>redis://[user:password@]host:port[/db]</c>, <c>rediss://...</c> (TLS), or a StackExchange.Redis configuration string.</summary>
    public static ConfigurationOptions Parse(string url)
    {
        if (!url.StartsWith("redis://", StringComparison.OrdinalIgnoreCase) && !url.StartsWith("rediss://", StringComparison.OrdinalIgnoreCase))
            return ConfigurationOptions.Parse(url);
        var uri = new Uri(url);
        var options = new ConfigurationOptions { Ssl = uri.Scheme.Equals("rediss", StringComparison.OrdinalIgnoreCase) };
        options.EndPoints.Add(uri.Host, uri.IsDefaultPort || uri.Port < 0 ? 6379 : uri.Port);
        if (uri.UserInfo.Length > 0)
        {
            var parts = uri.UserInfo.Split(':', 2);
            if (parts.Length == 2) { options.User = Uri.UnescapeDataString(parts[0]) is { Length: > 0 } user ? user : null; options.Password = Uri.UnescapeDataString(parts[1]); }
            else options.Password = Uri.UnescapeDataString(parts[0]);
        }
        if (int.TryParse(uri.AbsolutePath.Trim('/'), out var database)) options.DefaultDatabase = database;
        return options;
    }
}

/// <summary>Tells every node that a user's (or an organization's members') groups must be recomputed.</summary>
public sealed class RealtimeAccessBus(RealtimeConnections connections, SocketIoConnections socketIo, PresenceTracker presence, RealtimeLocalListeners listeners,
    RealtimeRedisSettings? redis,
    ILogger<RealtimeAccessBus> logger)
    : IHostedService, IAsyncDisposable
{
    private ConnectionMultiplexer? _multiplexer;

    private RedisChannel Channel => RedisChannel.Literal(redis!.ChannelPrefix + ":realtime-access");

    public async Task PublishAsync(string? userId, string organizationId, CancellationToken cancellationToken)
    {
        if (_multiplexer is { IsConnected: true })
        {
            try
            {
                await _multiplexer.GetSubscriber().PublishAsync(Channel, $"{userId}|{organizationId}");
                return;
            }
            catch (RedisException exception)
            {
                // Failing here would make the outbox retry every handler of the event; other nodes
                // catch up when the user reconnects, and this node regroups now.
                logger.LogWarning(exception, "Redis unreachable: access change applied on this node only");
            }
        }
        await connections.RefreshAsync(userId, organizationId, cancellationToken);
        await socketIo.RefreshAsync(userId, organizationId, cancellationToken);
        listeners.NotifyAccessChanged(userId, organizationId);
        if (userId is not null) await presence.RefreshAccessAsync(userId, cancellationToken);
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (redis is null) return;
        _multiplexer = await ConnectionMultiplexer.ConnectAsync(redis.Options.Clone());
        await _multiplexer.GetSubscriber().SubscribeAsync(Channel, (channel, message) =>
        {
            var parts = message.ToString().Split('|', 2);
            if (parts.Length != 2) return;
            _ = RefreshAsync(parts[0].Length > 0 ? parts[0] : null, parts[1]);
        });
    }

    private async Task RefreshAsync(string? userId, string organizationId)
    {
        try
        {
            await connections.RefreshAsync(userId, organizationId, CancellationToken.None);
            await socketIo.RefreshAsync(userId, organizationId, CancellationToken.None);
            listeners.NotifyAccessChanged(userId, organizationId);
            if (userId is not null) await presence.RefreshAccessAsync(userId, CancellationToken.None);
        }
        catch (Exception exception) { logger.LogWarning(exception, "Could not regroup connections after an access change"); }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_multiplexer is not null) await _multiplexer.DisposeAsync();
    }
}
