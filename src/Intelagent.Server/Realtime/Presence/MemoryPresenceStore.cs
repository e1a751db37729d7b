using System.Collections.Concurrent;

namespace Intelagent.Server.Realtime.Presence;

/// <summary>
/// Presence on one node (no <c>REDIS_URL</c>): per scope, each user's connections with their expiry.
/// A user is in a scope's set from their first connection's entry until their last one is removed
/// or expires, so several tabs count once and closing one of two changes nothing.
/// </summary>
public sealed class MemoryPresenceStore : IPresenceStore
{
    private sealed class ScopeState
    {
        public readonly Dictionary<string, Dictionary<string, DateTimeOffset>> Users = new(StringComparer.Ordinal);
        public long Version;
    }

    private readonly ConcurrentDictionary<string, ScopeState> _scopes = new();

    public Task<PresenceSnapshot?> AddAsync(PresenceScope scope, string userId, string connectionId, DateTimeOffset expiresAt, DateTimeOffset now)
    {
        var state = _scopes.GetOrAdd(scope.Key, _ => new ScopeState());
        lock (state)
        {
            var added = !state.Users.TryGetValue(userId, out var connections);
            if (added) state.Users[userId] = connections = new(StringComparer.Ordinal);
            connections![connectionId] = expiresAt;
            if (!added) return Task.FromResult<PresenceSnapshot?>(null);
            state.Version = Math.Max(state.Version + 1, now.ToUnixTimeMilliseconds());
            return Task.FromResult<PresenceSnapshot?>(Snapshot(scope, state, now));
        }
    }

    public Task<PresenceSnapshot?> RemoveAsync(PresenceScope scope, string userId, string connectionId, DateTimeOffset now)
    {
        if (!_scopes.TryGetValue(scope.Key, out var state)) return Task.FromResult<PresenceSnapshot?>(null);
        lock (state)
        {
            if (!state.Users.TryGetValue(userId, out var connections) || !connections.Remove(connectionId) || connections.Count > 0)
                return Task.FromResult<PresenceSnapshot?>(null);
            state.Users.Remove(userId);
            state.Version = Math.Max(state.Version + 1, now.ToUnixTimeMilliseconds());
            return Task.FromResult<PresenceSnapshot?>(Snapshot(scope, state, now));
        }
    }

    public Task<IReadOnlyList<PresenceSnapshot>> RemoveExpiredAsync(DateTimeOffset now)
    {
        var changed = new List<PresenceSnapshot>();
        foreach (var (key, state) in _scopes)
        {
            lock (state)
            {
                var before = state.Users.Count;
                foreach (var (userId, connections) in state.Users.ToList())
                {
                    foreach (var (connectionId, _) in connections.Where(c => c.Value <= now).ToList()) connections.Remove(connectionId);
                    if (connections.Count == 0) state.Users.Remove(userId);
                }
                if (state.Users.Count == before) continue;
                state.Version = Math.Max(state.Version + 1, now.ToUnixTimeMilliseconds());
                changed.Add(Snapshot(PresenceScope.Parse(key)!, state, now));
            }
        }
        return Task.FromResult<IReadOnlyList<PresenceSnapshot>>(changed);
    }

    public Task<PresenceSnapshot> ReadAsync(PresenceScope scope, DateTimeOffset now)
    {
        if (!_scopes.TryGetValue(scope.Key, out var state)) return Task.FromResult(new PresenceSnapshot(scope, 0, []));
        lock (state) return Task.FromResult(Snapshot(scope, state, now));
    }

    /// <summary>Users with a live entry (an expired one not yet swept does not count).</summary>
    private static PresenceSnapshot Snapshot(PresenceScope scope, ScopeState state, DateTimeOffset now) =>
        new(scope, state.Version, state.Users.Where(u => u.Value.Values.Any(e => e > now)).Select(u => u.Key).Order(StringComparer.Ordinal).ToList());
}
