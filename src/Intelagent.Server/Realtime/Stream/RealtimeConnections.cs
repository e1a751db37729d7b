using System.Collections.Concurrent;
using Intelagent.Server.Platform.Data;
using Microsoft.AspNetCore.SignalR;

namespace Intelagent.Server.Realtime.Stream;

/// <summary>
/// This node's hub connections and the groups each joined, so that a change of membership, role or
/// team moves the user's live connections between groups at once (a removed member stops receiving
/// the organization's events without reconnecting).
/// </summary>
public sealed class RealtimeConnections(IHubContext<EventsHub> hub, IServiceScopeFactory scopes, ILogger<RealtimeConnections> logger)
{
    private sealed record Entry(string UserId, bool IsOperator, IReadOnlySet<string> Groups);

    private readonly ConcurrentDictionary<string, Entry> _connections = new();

    public async Task JoinAsync(string connectionId, RealtimeAccess access, CancellationToken cancellationToken)
    {
        var groups = access.Groups();
        foreach (var group in groups) await hub.Groups.AddToGroupAsync(connectionId, group, cancellationToken);
        _connections[connectionId] = new Entry(access.UserId, access.IsOperator, groups);
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
