using Intelagent.Server.Realtime.Stream;
using Microsoft.Extensions.Caching.Memory;
using StackExchange.Redis;

namespace Intelagent.Server.Platform.Tenancy;

/// <summary>
/// Drops a cached entry on this node and, with <c>REDIS_URL</c>, on every other node within
/// milliseconds (one Redis pub/sub channel), so that a revoked session or API key, a changed
/// membership, security policy or tier takes effect across the cluster at once instead of when each
/// node's copy expires. The caches' short lifetimes (15–30 s) stay as the fallback while Redis is
/// out of reach, and bound the race of a node that reads the old row just before the change commits.
/// </summary>
public sealed class CacheInvalidation(IMemoryCache cache, IConfiguration configuration, ILogger<CacheInvalidation> logger)
    : IHostedService, IAsyncDisposable
{
    // The realtime module's reading of REDIS_URL and its channel prefix: one Redis, one naming.
    private readonly RealtimeRedisSettings? _settings = RealtimeRedisSettings.From(configuration);
    private RedisChannel Channel => RedisChannel.Literal(_settings!.ChannelPrefix + ":cache-forget");
    private ConnectionMultiplexer? _redis;
    private int _subscribed;

    /// <summary>Removes the entry here and asks the other nodes to remove theirs (never waits for Redis, never throws for it).</summary>
    public void Forget(string key)
    {
        cache.Remove(key);
        if (_redis is not { IsConnected: true } redis) return;
        try
        {
            redis.GetSubscriber().Publish(Channel, key, CommandFlags.FireAndForget);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException or ObjectDisposedException)
        {
            logger.LogWarning(exception, "Redis unreachable: other nodes drop their cached copy of {Key} when it expires", key);
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_settings is null) return;
        // AbortOnConnectFail is off: without Redis this returns disconnected after the connect timeout.
        _redis = await ConnectionMultiplexer.ConnectAsync(_settings.Options.Clone());
        _redis.ConnectionRestored += (_, _) => _ = SubscribeAsync();
        if (_redis.IsConnected) await SubscribeAsync();
    }

    /// <summary>Subscribes once; a failed attempt is tried again when the connection is restored (the client then resubscribes by itself).</summary>
    private async Task SubscribeAsync()
    {
        if (_redis is null || Interlocked.CompareExchange(ref _subscribed, 1, 0) != 0) return;
        try
        {
            await _redis.GetSubscriber().SubscribeAsync(Channel, (_, key) =>
            {
                if (!key.IsNullOrEmpty) cache.Remove((string)key!);
            });
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            Interlocked.Exchange(ref _subscribed, 0);
            logger.LogWarning(exception, "Redis unreachable: cached entries on this node expire on their own until it returns");
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_redis is not null) await _redis.DisposeAsync();
    }
}
