using System.Collections.Concurrent;
using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Problems;
using StackExchange.Redis;

namespace Intelagent.Server.Realtime.Presence;

/// <summary>
/// This node's side of presence. Every live hub or socket.io connection is online in each
/// organization its user belongs to, and in the documents it joined explicitly; this node refreshes
/// those entries every sweep, so they outlive the timeout only while the connection (and the node)
/// lives. HTTP heartbeats of a document editor are entries this node does not refresh: they expire
/// unless the editor beats again. A change of a scope's set of users is published once, whichever
/// node or tab caused it. See docs/decisions/022-presence.md.
/// </summary>
public sealed class PresenceTracker(IPresenceStore store, PresenceNotifier notifier, PresenceDocuments documents, PresenceSettings settings, TimeProvider clock,
    ILogger<PresenceTracker> logger)
{
    /// <summary>A live connection on this node; <see cref="SetGroup"/> joins or leaves a transport group (the document's viewers).</summary>
    private sealed class Connection(string userId, Func<string, bool, Task> setGroup)
    {
        public string UserId { get; } = userId;
        public Func<string, bool, Task> SetGroup { get; } = setGroup;
        public HashSet<PresenceScope> Scopes { get; } = [];
        /// <summary>Organizations whose presence this connection watches (their group joined).</summary>
        public HashSet<string> Watching { get; } = [];
        public SemaphoreSlim Gate { get; } = new(1, 1);
        public bool Closed { get; set; }
    }

    private readonly ConcurrentDictionary<string, Connection> _local = new();
    private readonly SemaphoreSlim _sweeping = new(1, 1);

    public int LocalConnections => _local.Count;

    /// <summary>A connection opened: online in each of the user's organizations.</summary>
    public async Task ConnectAsync(string connectionId, string userId, IEnumerable<string> organizationIds, Func<string, bool, Task> setGroup)
    {
        var connection = new Connection(userId, setGroup);
        if (!_local.TryAdd(connectionId, connection)) return;
        await ChangeAsync(connectionId, connection, c =>
        {
            foreach (var organizationId in organizationIds) c.Scopes.Add(PresenceScope.Organization(organizationId));
            return c.Scopes.ToList();
        }, _ => []);
    }

    /// <summary>A connection closed: its entries go, and its user leaves the scopes where it was their last one.</summary>
    public async Task DisconnectAsync(string connectionId)
    {
        if (!_local.TryRemove(connectionId, out var connection)) return;
        await connection.Gate.WaitAsync();
        try
        {
            connection.Closed = true;
            foreach (var scope in connection.Scopes) await PublishAsync(await TryAsync(() => store.RemoveAsync(scope, connection.UserId, connectionId, clock.GetUtcNow())));
            connection.Scopes.Clear();
        }
        finally { connection.Gate.Release(); }
    }

    /// <summary>Joins a document the user may read (the hub's JoinDocument, the socket.io <c>document:join</c> event).</summary>
    public async Task<Result<PresenceResponse>> JoinDocumentAsync(string connectionId, string documentId, CancellationToken cancellationToken)
    {
        if (!_local.TryGetValue(connectionId, out var connection)) return Error.NotFound("connection");
        var organizationId = await documents.ReadableOrganizationAsync(connection.UserId, documentId, cancellationToken);
        if (organizationId is null) return Error.NotFound("document");
        var scope = PresenceScope.Document(organizationId, documentId);
        // The group first, so this connection hears its own arrival like the others.
        await connection.SetGroup(scope.Group, true);
        await ChangeAsync(connectionId, connection, c => c.Scopes.Add(scope) ? [scope] : [], _ => []);
        return await notifier.DescribeAsync(await ReadStoreAsync(scope, clock.GetUtcNow()), cancellationToken);
    }

    /// <summary>Starts sending the organization's <c>presence:updated</c> to this connection (a member who may list members); answers who is online.</summary>
    public async Task<Result<PresenceResponse>> WatchOrganizationAsync(string connectionId, string organizationId, CancellationToken cancellationToken)
    {
        if (!_local.TryGetValue(connectionId, out var connection)) return Error.NotFound("connection");
        var roles = await documents.OrganizationsAsync(connection.UserId, cancellationToken);
        if (!roles.TryGetValue(organizationId ?? "", out var role) || !RolePermissions.Grants(role, Permissions.MembersRead)) return Error.NotFound("organization");
        var scope = PresenceScope.Organization(organizationId!);
        await connection.Gate.WaitAsync(cancellationToken);
        try
        {
            if (connection.Closed) return Error.NotFound("connection");
            if (connection.Watching.Add(organizationId!)) await connection.SetGroup(scope.Group, true);
        }
        finally { connection.Gate.Release(); }
        return await notifier.DescribeAsync(await ReadStoreAsync(scope, clock.GetUtcNow()), cancellationToken);
    }

    public async Task LeaveDocumentAsync(string connectionId, string documentId)
    {
        if (!_local.TryGetValue(connectionId, out var connection)) return;
        await ChangeAsync(connectionId, connection, _ => [], c =>
        {
            var gone = c.Scopes.Where(s => s.DocumentId == documentId).ToList();
            foreach (var scope in gone) c.Scopes.Remove(scope);
            return gone;
        });
    }

    /// <summary>
    /// The user's memberships changed (joined, removed, role changed): their connections on this node
    /// enter and leave organizations, and leave the documents of organizations they no longer read.
    /// </summary>
    public async Task RefreshAccessAsync(string userId, CancellationToken cancellationToken)
    {
        var mine = _local.Where(c => c.Value.UserId == userId).ToList();
        if (mine.Count == 0) return;
        var roles = await documents.OrganizationsAsync(userId, cancellationToken);
        bool Allows(string organizationId, string permission) => roles.TryGetValue(organizationId, out var role) && RolePermissions.Grants(role, permission);
        foreach (var (connectionId, connection) in mine)
        {
            var unwatched = new List<string>();
            await ChangeAsync(connectionId, connection,
                c => roles.Keys.Select(PresenceScope.Organization).Where(c.Scopes.Add).ToList(),
                c =>
                {
                    var gone = c.Scopes.Where(s => !roles.ContainsKey(s.OrganizationId) || (s.DocumentId is not null && !Allows(s.OrganizationId, Permissions.DocumentsRead))).ToList();
                    foreach (var scope in gone) c.Scopes.Remove(scope);
                    unwatched.AddRange(c.Watching.Where(o => !Allows(o, Permissions.MembersRead)));
                    c.Watching.ExceptWith(unwatched);
                    return gone;
                });
            foreach (var organizationId in unwatched) await connection.SetGroup(PresenceScope.Organization(organizationId).Group, false);
        }
    }

    /// <summary>An HTTP heartbeat of a document editor: present for one timeout, unless it beats again.</summary>
    public async Task<PresenceResponse> BeatAsync(string organizationId, string documentId, string userId, string clientKey, CancellationToken cancellationToken)
    {
        var scope = PresenceScope.Document(organizationId, documentId);
        var now = clock.GetUtcNow();
        await PublishAsync(await TryAsync(() => store.AddAsync(scope, userId, clientKey, now + settings.Timeout, now)));
        return await notifier.DescribeAsync(await ReadStoreAsync(scope, now), cancellationToken);
    }

    public async Task LeaveByHeartbeatAsync(string organizationId, string documentId, string userId, string clientKey) =>
        await PublishAsync(await TryAsync(() => store.RemoveAsync(PresenceScope.Document(organizationId, documentId), userId, clientKey, clock.GetUtcNow())));

    public async Task<PresenceResponse> ReadAsync(PresenceScope scope, CancellationToken cancellationToken) =>
        await notifier.DescribeAsync(await ReadStoreAsync(scope, clock.GetUtcNow()), cancellationToken);

    /// <summary>
    /// Refreshes this node's live connections, then removes what expired everywhere (a dead node's
    /// connections, stopped heartbeats). Refreshing first means a sweep never removes a connection
    /// of its own node that is still open. Tests call it after advancing the clock.
    /// </summary>
    public async Task SweepAsync(CancellationToken cancellationToken = default)
    {
        await _sweeping.WaitAsync(cancellationToken);
        try
        {
            var now = clock.GetUtcNow();
            // Each connection's scopes are read under its gate: joins and leaves change them meanwhile.
            var entries = new List<(string Key, string UserId, PresenceScope scope)>();
            foreach (var (connectionId, connection) in _local)
            {
                await connection.Gate.WaitAsync(cancellationToken);
                try
                {
                    if (!connection.Closed) entries.AddRange(connection.Scopes.Select(scope => (connectionId, connection.UserId, scope)));
                }
                finally { connection.Gate.Release(); }
            }
            foreach (var batch in entries.Chunk(256))
            {
                var changed = await Task.WhenAll(batch.Select(e => TryAsync(() => store.AddAsync(e.scope, e.UserId, e.Key, now + settings.Timeout, now))));
                foreach (var snapshot in changed) await PublishAsync(snapshot);
            }
            foreach (var snapshot in await TryAsync<IReadOnlyList<PresenceSnapshot>>(async () => await store.RemoveExpiredAsync(now)) ?? []) await PublishAsync(snapshot);
        }
        finally { _sweeping.Release(); }
    }

    /// <summary>Adds and removes a connection's scopes under its gate, then publishes the changes.</summary>
    private async Task ChangeAsync(string connectionId, Connection connection, Func<Connection, IReadOnlyList<PresenceScope>> add, Func<Connection, IReadOnlyList<PresenceScope>> remove)
    {
        await connection.Gate.WaitAsync();
        try
        {
            if (connection.Closed) return;
            var now = clock.GetUtcNow();
            foreach (var scope in remove(connection))
            {
                if (scope.DocumentId is not null) await connection.SetGroup(scope.Group, false);
                await PublishAsync(await TryAsync(() => store.RemoveAsync(scope, connection.UserId, connectionId, now)));
            }
            foreach (var scope in add(connection))
                await PublishAsync(await TryAsync(() => store.AddAsync(scope, connection.UserId, connectionId, now + settings.Timeout, now)));
        }
        finally { connection.Gate.Release(); }
    }

    /// <summary>
    /// The store's view of a scope; while the store is out of reach, this node's own connections in it
    /// (version 0, so the next update from the store supersedes it) instead of an error.
    /// </summary>
    private async Task<PresenceSnapshot> ReadStoreAsync(PresenceScope scope, DateTimeOffset now)
    {
        if (await TryAsync<PresenceSnapshot>(async () => await store.ReadAsync(scope, now)) is { } snapshot) return snapshot;
        var users = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var connection in _local.Values)
        {
            await connection.Gate.WaitAsync();
            try
            {
                if (!connection.Closed && connection.Scopes.Contains(scope)) users.Add(connection.UserId);
            }
            finally { connection.Gate.Release(); }
        }
        return new PresenceSnapshot(scope, 0, users.ToList());
    }

    private Task PublishAsync(PresenceSnapshot? snapshot) => snapshot is null ? Task.CompletedTask : notifier.PublishAsync(snapshot);

    /// <summary>Presence is advisory: a Redis outage must not break connecting or editing; the next sweep repairs it.</summary>
    private async Task<T?> TryAsync<T>(Func<Task<T?>> work) where T : class
    {
        try { return await work(); }
        catch (Exception exception) when (exception is RedisException or TimeoutException or ObjectDisposedException)
        {
            logger.LogWarning(exception, "Presence store unreachable");
            return null;
        }
    }
}
