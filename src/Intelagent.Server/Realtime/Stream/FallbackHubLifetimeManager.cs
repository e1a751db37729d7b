using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.AspNetCore.SignalR.StackExchangeRedis;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace Intelagent.Server.Realtime.Stream;

/// <summary>
/// The SignalR backplane's Redis connection, opened at start (not at the first client, as SignalR would)
/// so that whether Redis is up is known before anyone connects, by the fallback and the health check.
/// </summary>
public sealed class BackplaneConnection(ConfigurationOptions options) : IHostedService
{
    private readonly Lazy<Task<IConnectionMultiplexer>> _multiplexer = new(async () => await ConnectionMultiplexer.ConnectAsync(options));

    /// <summary>True while the connection exists and Redis is out of reach.</summary>
    public bool Down => _multiplexer is not { IsValueCreated: true, Value.IsCompletedSuccessfully: true } || !_multiplexer.Value.Result.IsConnected;

    /// <summary>Handed to SignalR's Redis manager (RedisOptions.ConnectionFactory), which owns and disposes it.</summary>
    public Task<IConnectionMultiplexer> ConnectAsync() => _multiplexer.Value;

    // AbortOnConnectFail is off (RealtimeRedisSettings): without Redis this returns after the connect timeout, disconnected.
    public Task StartAsync(CancellationToken cancellationToken) => _multiplexer.Value;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    internal sealed class HealthCheck(BackplaneConnection backplane) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) => Task.FromResult(backplane.Down
            ? HealthCheckResult.Degraded("Redis unreachable: realtime events reach this node's clients only (others catch up by replay)")
            : HealthCheckResult.Healthy("realtime fan-out across nodes through Redis"));
    }
}

/// <summary>
/// SignalR over the Redis backplane, falling back to this node alone while Redis is out of reach:
/// a connection is always tracked locally as well, so when Redis is down it still connects (the Redis
/// manager would fail its subscriptions with a 500) and a send reaches this node's connections instead
/// of nobody. Events are stored before they are sent, so clients on other nodes catch up by replay.
/// A connection made during the outage stays local until it reconnects (docs/decisions/027-ops-cluster.md).
/// </summary>
public sealed class FallbackHubLifetimeManager<THub>(RedisHubLifetimeManager<THub> redis, DefaultHubLifetimeManager<THub> local,
    BackplaneConnection backplane, ILogger<FallbackHubLifetimeManager<THub>> logger) : HubLifetimeManager<THub> where THub : Hub
{
    // Connections the Redis manager knows; asking it about any other would wait for a node to answer that never will.
    private readonly ConcurrentDictionary<string, bool> _onRedis = new();

    public override async Task OnConnectedAsync(HubConnectionContext connection)
    {
        await local.OnConnectedAsync(connection);
        if (backplane.Down) return;
        if (await TryAsync(() => redis.OnConnectedAsync(connection), "connect")) _onRedis[connection.ConnectionId] = true;
        else await TryAsync(() => redis.OnDisconnectedAsync(connection), "forget a connection");
    }

    public override async Task OnDisconnectedAsync(HubConnectionContext connection)
    {
        await local.OnDisconnectedAsync(connection);
        if (_onRedis.TryRemove(connection.ConnectionId, out _)) await TryAsync(() => redis.OnDisconnectedAsync(connection), "disconnect");
    }

    public override async Task AddToGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default)
    {
        await local.AddToGroupAsync(connectionId, groupName, cancellationToken);
        if (_onRedis.ContainsKey(connectionId)) await TryAsync(() => redis.AddToGroupAsync(connectionId, groupName, cancellationToken), "join a group");
    }

    public override async Task RemoveFromGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default)
    {
        await local.RemoveFromGroupAsync(connectionId, groupName, cancellationToken);
        if (_onRedis.ContainsKey(connectionId)) await TryAsync(() => redis.RemoveFromGroupAsync(connectionId, groupName, cancellationToken), "leave a group");
    }

    public override Task SendAllAsync(string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        SendAsync(() => redis.SendAllAsync(methodName, args, cancellationToken), () => local.SendAllAsync(methodName, args, cancellationToken));

    public override Task SendAllExceptAsync(string methodName, object?[] args, IReadOnlyList<string> excludedConnectionIds, CancellationToken cancellationToken = default) =>
        SendAsync(() => redis.SendAllExceptAsync(methodName, args, excludedConnectionIds, cancellationToken),
            () => local.SendAllExceptAsync(methodName, args, excludedConnectionIds, cancellationToken));

    public override Task SendConnectionAsync(string connectionId, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        SendAsync(() => redis.SendConnectionAsync(connectionId, methodName, args, cancellationToken), () => local.SendConnectionAsync(connectionId, methodName, args, cancellationToken));

    public override Task SendConnectionsAsync(IReadOnlyList<string> connectionIds, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        SendAsync(() => redis.SendConnectionsAsync(connectionIds, methodName, args, cancellationToken), () => local.SendConnectionsAsync(connectionIds, methodName, args, cancellationToken));

    public override Task SendGroupAsync(string groupName, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        SendAsync(() => redis.SendGroupAsync(groupName, methodName, args, cancellationToken), () => local.SendGroupAsync(groupName, methodName, args, cancellationToken));

    public override Task SendGroupsAsync(IReadOnlyList<string> groupNames, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        SendAsync(() => redis.SendGroupsAsync(groupNames, methodName, args, cancellationToken), () => local.SendGroupsAsync(groupNames, methodName, args, cancellationToken));

    public override Task SendGroupExceptAsync(string groupName, string methodName, object?[] args, IReadOnlyList<string> excludedConnectionIds, CancellationToken cancellationToken = default) =>
        SendAsync(() => redis.SendGroupExceptAsync(groupName, methodName, args, excludedConnectionIds, cancellationToken),
            () => local.SendGroupExceptAsync(groupName, methodName, args, excludedConnectionIds, cancellationToken));

    public override Task SendUserAsync(string userId, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        SendAsync(() => redis.SendUserAsync(userId, methodName, args, cancellationToken), () => local.SendUserAsync(userId, methodName, args, cancellationToken));

    public override Task SendUsersAsync(IReadOnlyList<string> userIds, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        SendAsync(() => redis.SendUsersAsync(userIds, methodName, args, cancellationToken), () => local.SendUsersAsync(userIds, methodName, args, cancellationToken));

    public override Task<T> InvokeConnectionAsync<T>(string connectionId, string methodName, object?[] args, CancellationToken cancellationToken) =>
        _onRedis.ContainsKey(connectionId) ? redis.InvokeConnectionAsync<T>(connectionId, methodName, args, cancellationToken)
            : local.InvokeConnectionAsync<T>(connectionId, methodName, args, cancellationToken);

    public override Task SetConnectionResultAsync(string connectionId, CompletionMessage result) =>
        _onRedis.ContainsKey(connectionId) ? redis.SetConnectionResultAsync(connectionId, result) : local.SetConnectionResultAsync(connectionId, result);

    public override bool TryGetReturnType(string invocationId, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Type? type) =>
        redis.TryGetReturnType(invocationId, out type) || local.TryGetReturnType(invocationId, out type);

    /// <summary>Through Redis (every node, this one included) when it is up; to this node's connections when it is not.</summary>
    private async Task SendAsync(Func<Task> throughRedis, Func<Task> onThisNode)
    {
        if (!backplane.Down && await TryAsync(throughRedis, "send")) return;
        await onThisNode();
    }

    private async Task<bool> TryAsync(Func<Task> operation, string what)
    {
        try
        {
            await operation();
            return true;
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException or ObjectDisposedException)
        {
            logger.LogWarning(exception, "Redis unreachable: could not {What} through the backplane; this node acts alone", what);
            return false;
        }
    }
}
