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
    private readonly List<Func<int>> _waitingToRejoin = [];

    /// <summary>True while the connection exists and Redis is out of reach.</summary>
    public bool Down => _multiplexer is not { IsValueCreated: true, Value.IsCompletedSuccessfully: true } || !_multiplexer.Value.Result.IsConnected;

    /// <summary>Raised when the connection to Redis comes back after a failure.</summary>
    public event Action? Restored;

    /// <summary>Handed to SignalR's Redis manager (RedisOptions.ConnectionFactory), which owns and disposes it.</summary>
    public Task<IConnectionMultiplexer> ConnectAsync() => _multiplexer.Value;

    /// <summary>How many connections still wait to be (re)registered on Redis after an outage, for the health check.</summary>
    internal void Report(Func<int> waitingToRejoin)
    {
        lock (_waitingToRejoin) _waitingToRejoin.Add(waitingToRejoin);
    }

    private int WaitingToRejoin()
    {
        lock (_waitingToRejoin) return _waitingToRejoin.Sum(count => count());
    }

    // AbortOnConnectFail is off (RealtimeRedisSettings): without Redis this returns after the connect timeout, disconnected.
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var multiplexer = await _multiplexer.Value;
        multiplexer.ConnectionRestored += (_, _) => Restored?.Invoke();
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    internal sealed class HealthCheck(BackplaneConnection backplane) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            if (backplane.Down)
                return Task.FromResult(HealthCheckResult.Degraded("Redis unreachable: realtime events reach this node's clients only (others catch up by replay)"));
            var waiting = backplane.WaitingToRejoin();
            return Task.FromResult(waiting > 0
                ? HealthCheckResult.Degraded($"Redis is back; {waiting} connection(s) made or regrouped during the outage are rejoining the backplane")
                : HealthCheckResult.Healthy("realtime fan-out across nodes through Redis"));
        }
    }
}

/// <summary>
/// SignalR over the Redis backplane, falling back to this node alone while Redis is out of reach:
/// a connection is always tracked locally as well, so when Redis is down it still connects (the Redis
/// manager would fail its subscriptions with a 500) and a send reaches this node's connections instead
/// of nobody. Events are stored before they are sent, so clients on other nodes catch up by replay.
/// During an outage nothing waits for Redis: a connection made then, and a group joined or left then,
/// is remembered and replayed on Redis when it returns, so those connections receive other nodes'
/// events again without reconnecting (docs/decisions/027-ops-cluster.md).
/// </summary>
public sealed class FallbackHubLifetimeManager<THub> : HubLifetimeManager<THub> where THub : Hub
{
    private readonly RedisHubLifetimeManager<THub> redis;
    private readonly DefaultHubLifetimeManager<THub> local;
    private readonly BackplaneConnection backplane;
    private readonly ILogger<FallbackHubLifetimeManager<THub>> logger;

    // Connections the Redis manager knows; asking it about any other would wait for a node to answer that never will.
    private readonly ConcurrentDictionary<string, bool> _onRedis = new();

    // What Redis has not heard of yet: connections made and group changes made while it was away.
    // Empty outside outages, so a connection costs nothing more in normal operation.
    private readonly ConcurrentDictionary<string, Rejoin> _rejoin = new();
    private readonly SemaphoreSlim _rejoinGate = new(1, 1);

    private sealed class Rejoin
    {
        /// <summary>Set while the connection itself is unknown to Redis.</summary>
        public HubConnectionContext? Unregistered { get; set; }
        public List<(string Group, bool Join)> Changes { get; } = [];
    }

    public FallbackHubLifetimeManager(RedisHubLifetimeManager<THub> redis, DefaultHubLifetimeManager<THub> local, BackplaneConnection backplane,
        ILogger<FallbackHubLifetimeManager<THub>> logger)
    {
        (this.redis, this.local, this.backplane, this.logger) = (redis, local, backplane, logger);
        backplane.Restored += () => _ = RejoinAsync();
        backplane.Report(() => _rejoin.Count);
    }

    public override async Task OnConnectedAsync(HubConnectionContext connection)
    {
        await local.OnConnectedAsync(connection);
        if (!backplane.Down)
        {
            if (await TryAsync(() => redis.OnConnectedAsync(connection), "connect"))
            {
                _onRedis[connection.ConnectionId] = true;
                return;
            }
            await TryAsync(() => redis.OnDisconnectedAsync(connection), "forget a connection");
        }
        await RememberAsync(connection.ConnectionId, r => r.Unregistered = connection, newConnection: true);
    }

    public override async Task OnDisconnectedAsync(HubConnectionContext connection)
    {
        await local.OnDisconnectedAsync(connection);
        if (_rejoin.ContainsKey(connection.ConnectionId))
        {
            await _rejoinGate.WaitAsync();
            try { _rejoin.TryRemove(connection.ConnectionId, out _); }
            finally { _rejoinGate.Release(); }
        }
        if (_onRedis.TryRemove(connection.ConnectionId, out _)) await TryAsync(() => redis.OnDisconnectedAsync(connection), "disconnect");
    }

    public override Task AddToGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default) =>
        ChangeGroupAsync(connectionId, groupName, join: true, cancellationToken);

    public override Task RemoveFromGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default) =>
        ChangeGroupAsync(connectionId, groupName, join: false, cancellationToken);

    private async Task ChangeGroupAsync(string connectionId, string groupName, bool join, CancellationToken cancellationToken)
    {
        await (join ? local.AddToGroupAsync(connectionId, groupName, cancellationToken) : local.RemoveFromGroupAsync(connectionId, groupName, cancellationToken));
        if (!backplane.Down && _onRedis.ContainsKey(connectionId) && !_rejoin.ContainsKey(connectionId)
            && await TryAsync(() => ChangeOnRedisAsync(connectionId, groupName, join, cancellationToken), join ? "join a group" : "leave a group"))
            return;
        await RememberAsync(connectionId, r => r.Changes.Add((groupName, join)), newConnection: false);
    }

    private Task ChangeOnRedisAsync(string connectionId, string groupName, bool join, CancellationToken cancellationToken) =>
        join ? redis.AddToGroupAsync(connectionId, groupName, cancellationToken) : redis.RemoveFromGroupAsync(connectionId, groupName, cancellationToken);

    /// <summary>Notes what Redis must hear when it returns (and tries at once if it already has).</summary>
    private async Task RememberAsync(string connectionId, Action<Rejoin> change, bool newConnection)
    {
        await _rejoinGate.WaitAsync();
        try
        {
            if (!_rejoin.TryGetValue(connectionId, out var rejoin))
            {
                if (!newConnection && !_onRedis.ContainsKey(connectionId)) return; // gone already
                _rejoin[connectionId] = rejoin = new Rejoin();
            }
            change(rejoin);
        }
        finally { _rejoinGate.Release(); }
        // Redis may have come back between the check and here, after the last rejoin ran.
        if (!backplane.Down) _ = RejoinAsync();
    }

    /// <summary>
    /// Registers on Redis the connections made during the outage and replays the group changes made
    /// meanwhile, in order (the Redis manager ignores a join it has already seen). Stops at the first
    /// failure; the next restored connection or change tries again.
    /// </summary>
    private async Task RejoinAsync()
    {
        if (_rejoin.IsEmpty) return;
        await _rejoinGate.WaitAsync();
        try
        {
            foreach (var (connectionId, rejoin) in _rejoin)
            {
                if (backplane.Down) return;
                if (rejoin.Unregistered is { } connection)
                {
                    if (!await TryAsync(() => redis.OnConnectedAsync(connection), "connect after an outage")) return;
                    _onRedis[connectionId] = true;
                    rejoin.Unregistered = null;
                }
                else if (!_onRedis.ContainsKey(connectionId))
                {
                    _rejoin.TryRemove(connectionId, out _);
                    continue;
                }
                while (rejoin.Changes.Count > 0)
                {
                    var (group, join) = rejoin.Changes[0];
                    if (!await TryAsync(() => ChangeOnRedisAsync(connectionId, group, join, CancellationToken.None), "regroup after an outage")) return;
                    rejoin.Changes.RemoveAt(0);
                }
                _rejoin.TryRemove(connectionId, out _);
            }
            if (_rejoin.IsEmpty) logger.LogInformation("Redis is back: this node's connections receive events from every node again");
        }
        catch (Exception exception) { logger.LogWarning(exception, "Could not rejoin the backplane after an outage; the next reconnect of Redis tries again"); }
        finally { _rejoinGate.Release(); }
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
