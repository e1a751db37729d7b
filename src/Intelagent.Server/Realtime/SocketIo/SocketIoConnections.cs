using System.Collections.Concurrent;
using Intelagent.Server.Identity;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Realtime.Stream;

namespace Intelagent.Server.Realtime.SocketIo;

/// <summary>A Socket.IO connection of the default namespace: whose it is and the groups it joined.</summary>
public sealed record SocketIoClient(string Sid, string UserId, bool IsOperator, string SessionId, DateTimeOffset TokenExpiresAt, IReadOnlySet<string> Groups);

/// <summary>
/// This node's Engine.IO sessions and, for the connected ones, the same groups the SignalR hub uses
/// (from <see cref="RealtimeAccess"/>), so an event goes to one group and is delivered by a dictionary
/// lookup, never by a per-connection filter.
/// </summary>
public sealed class SocketIoConnections(IServiceScopeFactory scopes, ILogger<SocketIoConnections> logger)
{
    private readonly ConcurrentDictionary<string, EngineIoSession> _sessions = new();
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, EngineIoSession>> _groups = new();
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, byte>> _joinedExplicitly = new();

    /// <summary>Raised with the session id when a connected client leaves (disconnect, close, ended session), for presence.</summary>
    public event Action<string>? ClientLeft;

    public int Count => _sessions.Count;

    /// <summary>Sessions past CONNECT (the connected-clients gauge; read per scrape, not per event).</summary>
    public int ConnectedCount => _sessions.Count(s => s.Value.Client is not null);

    public void Add(EngineIoSession session) => _sessions[session.Id] = session;

    public EngineIoSession? Find(string sid) => _sessions.GetValueOrDefault(sid);

    /// <summary>Called when a session closes.</summary>
    public void Remove(EngineIoSession session)
    {
        _sessions.TryRemove(session.Id, out _);
        Leave(session);
    }

    public void Join(EngineIoSession session, SocketIoClient client)
    {
        session.Client = client;
        foreach (var group in client.Groups) _groups.GetOrAdd(group, _ => new())[session.Id] = session;
        // A session closed while joining must not stay in a group.
        if (session.Closed.IsCancellationRequested) Leave(session);
    }

    public void Leave(EngineIoSession session)
    {
        if (session.Client is not { } client) return;
        foreach (var group in client.Groups)
            if (_groups.TryGetValue(group, out var members)) members.TryRemove(session.Id, out _);
        if (_joinedExplicitly.TryRemove(session.Id, out var joined))
            foreach (var group in joined.Keys) LeaveGroup(session, group);
        ClientLeft?.Invoke(session.Id);
    }

    /// <summary>Adds a connected session to a group its access does not imply (a document it joined); regrouping keeps it.</summary>
    public void JoinGroup(EngineIoSession session, string group)
    {
        if (session.Client is null) return;
        _joinedExplicitly.GetOrAdd(session.Id, _ => new())[group] = 0;
        _groups.GetOrAdd(group, _ => new())[session.Id] = session;
    }

    public void LeaveGroup(EngineIoSession session, string group)
    {
        if (_joinedExplicitly.TryGetValue(session.Id, out var joined)) joined.TryRemove(group, out _);
        if (_groups.TryGetValue(group, out var members)) members.TryRemove(session.Id, out _);
    }

    /// <summary>Queues an encoded event on every session of the group on this node.</summary>
    public void Deliver(string group, byte[] frame)
    {
        if (!_groups.TryGetValue(group, out var members)) return;
        foreach (var session in members.Values) session.Send(frame);
    }

    /// <summary>Regroups this node's connections of the user (or of every member of the organization), as <see cref="RealtimeConnections"/> does for the hub.</summary>
    public async Task RefreshAsync(string? userId, string? organizationId, CancellationToken cancellationToken)
    {
        var affected = _sessions.Values.Where(s => s.Client is { } c && ((userId is not null && c.UserId == userId)
            || (userId is null && organizationId is not null && c.Groups.Contains(RealtimeGroups.Organization(organizationId))))).ToList();
        if (affected.Count == 0) return;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDb>();
        foreach (var user in affected.GroupBy(s => (s.Client!.UserId, s.Client.IsOperator)))
        {
            var access = await RealtimeAccess.LoadAcrossTenantsAsync(db, user.Key.UserId, user.Key.IsOperator, cancellationToken);
            var groups = access.Groups();
            foreach (var session in user)
            {
                // Join the new groups before leaving the old ones: nothing in both is missed meanwhile.
                var previous = session.Client!.Groups;
                Join(session, session.Client with { Groups = groups });
                foreach (var gone in previous.Except(groups))
                    if (_groups.TryGetValue(gone, out var members)) members.TryRemove(session.Id, out _);
            }
        }
        logger.LogDebug("Regrouped {Count} socket.io connections", affected.Count);
    }

    /// <summary>
    /// Disconnects the connections whose session ended (logout, revocation, expiry) or whose token
    /// expired since they connected, as the hub does (CloseOnAuthenticationExpiration).
    /// </summary>
    public async Task CloseEndedSessionsAsync(SessionCache sessions, DateTimeOffset now, CancellationToken cancellationToken)
    {
        foreach (var bySession in _sessions.Values.Where(s => s.Client is not null).GroupBy(s => s.Client!.SessionId))
        {
            var active = await sessions.GetActiveAsync(bySession.Key, cancellationToken) is not null;
            foreach (var session in bySession.Where(s => !active || s.Client is { } c && c.TokenExpiresAt <= now))
            {
                session.Send(SocketIoFrames.Disconnect);
                Leave(session);
                session.Client = null;
            }
        }
    }
}
