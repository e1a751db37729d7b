using Intelagent.Server.Realtime.Stream;
using StackExchange.Redis;

namespace Intelagent.Server.Realtime.Presence;

/// <summary>Registers presence (part of the Realtime module): in Redis with <c>REDIS_URL</c>, else in memory.</summary>
public static class PresenceSetup
{
    public static IServiceCollection AddPresence(this IServiceCollection services, IConfiguration configuration, RealtimeRedisSettings? redis)
    {
        services.AddSingleton(PresenceSettings.From(configuration));
        if (redis is null) services.AddSingleton<IPresenceStore, MemoryPresenceStore>();
        else
        {
            services.AddSingleton(new PresenceRedisConnection(redis));
            services.AddSingleton<IPresenceStore>(sp => new RedisPresenceStore(redis.ChannelPrefix, sp.GetRequiredService<PresenceRedisConnection>().DatabaseAsync));
        }
        services.AddSingleton<PresenceDocuments>();
        services.AddSingleton<PresenceNotifier>();
        services.AddSingleton<PresenceTracker>();
        services.AddHostedService<PresenceSweep>();
        return services;
    }

    public static IEndpointRouteBuilder MapPresence(this IEndpointRouteBuilder app) => app.MapPresenceEndpoints();
}

/// <summary>The presence store's Redis connection, opened on first use (a lost Redis degrades presence, it does not stop the node).</summary>
public sealed class PresenceRedisConnection(RealtimeRedisSettings redis) : IAsyncDisposable
{
    private readonly Lazy<Task<ConnectionMultiplexer>> _multiplexer = new(() => ConnectionMultiplexer.ConnectAsync(redis.Options.Clone()));

    /// <summary>
    /// The database, or at once a <see cref="RedisConnectionException"/> while Redis is out of reach:
    /// commands would otherwise sit in the client's backlog until their timeout and hold up connecting
    /// clients (presence is advisory; the sweep repairs it when Redis returns).
    /// </summary>
    public async Task<IDatabase> DatabaseAsync()
    {
        var multiplexer = await _multiplexer.Value;
        if (!multiplexer.IsConnected) throw new RedisConnectionException(ConnectionFailureType.UnableToConnect, CommandFlags.None, "Redis is out of reach: presence is not shared until it returns", null, CommandStatus.WaitingToBeSent);
        return multiplexer.GetDatabase();
    }

    public async ValueTask DisposeAsync()
    {
        if (_multiplexer.IsValueCreated) await (await _multiplexer.Value).DisposeAsync();
    }
}

/// <summary>Every <see cref="PresenceSettings.SweepInterval"/>: refreshes this node's connections and removes expired presence.</summary>
public sealed class PresenceSweep(PresenceTracker tracker, PresenceSettings settings, TimeProvider clock, ILogger<PresenceSweep> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(settings.SweepInterval, clock, stoppingToken);
                await tracker.SweepAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { return; }
            catch (Exception exception) { logger.LogWarning(exception, "Presence sweep failed"); }
        }
    }
}
