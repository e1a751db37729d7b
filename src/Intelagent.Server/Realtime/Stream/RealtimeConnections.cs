using System.Collections.Concurrent;
using Intelagent.Server.Identity;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Realtime.SocketIo;
using Microsoft.AspNetCore.SignalR;

namespace Intelagent.Server.Realtime.Stream;

/// <summary>
/// This node's hub connections and the groups each joined, so that a change of membership, role or
/// team moves the user's live connections between groups at once (a removed member stops receiving
/// the organization's events without reconnecting), and so that a connection does not outlive its session.
/// </summary>
public sealed class RealtimeConnections(IHubContext<EventsHub> hub, IServiceScopeFactory scopes, ILogger<RealtimeConnections> logger)
{
    private sealed record Entry(string UserId, bool IsOperator, string SessionId, HubCallerContext Context, IReadOnlySet<string> Groups);

    private readonly ConcurrentDictionary<string, Entry> _connections = new();

    /// <summary>Hub connections on this node (the connected-clients gauge).</summary>
    public int Count => _connections.Count;

    public async Task JoinAsync(HubCallerContext context, RealtimeAccess access, string sessionId, CancellationToken cancellationToken)
    {
        var groups = access.Groups();
        foreach (var group in groups) await hub.Groups.AddToGroupAsync(context.ConnectionId, group, cancellationToken);
        _connections[context.ConnectionId] = new Entry(access.UserId, access.IsOperator, sessionId, context, groups);
    }

    /// <summary>Closes the connections whose session ended (logout, revocation, expiry) since they connected.</summary>
    public async Task CloseEndedSessionsAsync(SessionCache sessions, CancellationToken cancellationToken)
    {
        foreach (var session in _connections.Values.GroupBy(e => e.SessionId))
        {
            if (await sessions.GetActiveAsync(session.Key, cancellationToken) is not null) continue;
            foreach (var entry in session) entry.Context.Abort();
        }
    }

    public void Leave(string connectionId) => _connections.TryRemove(connectionId, out _);

    /// <summary>Recomputes the groups of this node's connections of the user (or of every member of the organization).</summary>
    public async Task RefreshAsync(string? userId, string? organizationId, CancellationToken cancellationToken)
    {
        var affected = _connections.Where(c => (userId is not null && c.Value.UserId == userId)
            || (userId is null && organizationId is not null && c.Value.Groups.Contains(RealtimeGroups.Organization(organizationId)))).ToList();
        if (affected.Count == 0) return;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDb>();
        foreach (var user in affected.GroupBy(c => (c.Value.UserId, c.Value.IsOperator)))
        {
            var access = await RealtimeAccess.LoadAcrossTenantsAsync(db, user.Key.UserId, user.Key.IsOperator, cancellationToken);
            var groups = access.Groups();
            foreach (var (connectionId, entry) in user)
            {
                try
                {
                    foreach (var gone in entry.Groups.Except(groups)) await hub.Groups.RemoveFromGroupAsync(connectionId, gone, cancellationToken);
                    foreach (var added in groups.Except(entry.Groups)) await hub.Groups.AddToGroupAsync(connectionId, added, cancellationToken);
                    _connections.TryUpdate(connectionId, entry with { Groups = groups }, entry);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    logger.LogDebug(exception, "Connection {ConnectionId} went away while its groups changed", connectionId);
                }
            }
        }
    }
}

/// <summary>Every 30 seconds, closes this node's hub and socket.io connections whose session has ended.</summary>
public sealed class RealtimeSessionSweep(RealtimeConnections connections, SocketIoConnections socketIo, SessionCache sessions, TimeProvider clock, ILogger<RealtimeSessionSweep> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Interval, clock, stoppingToken);
                await connections.CloseEndedSessionsAsync(sessions, stoppingToken);
                await socketIo.CloseEndedSessionsAsync(sessions, clock.GetUtcNow(), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { return; }
            catch (Exception exception) { logger.LogWarning(exception, "Session sweep of hub connections failed"); }
        }
    }
}
