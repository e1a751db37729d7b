using System.Collections.Concurrent;
using System.Text.Json;

namespace Intelagent.Server.Realtime.Stream;

/// <summary>
/// In-process listeners of this node's share of the fan-out: the portal's circuits. They receive the
/// same frames, for the same groups, as the node's socket.io sessions (after the Redis hop when
/// <c>REDIS_URL</c> is set, so an event published on another node reaches them too). A frame is
/// decoded once per delivery, and only when some listener holds its group.
/// </summary>
public sealed class RealtimeLocalListeners(ILogger<RealtimeLocalListeners> logger)
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<Listener, byte>> _groups = new(StringComparer.Ordinal);

    /// <summary>Listens to the groups until the returned handle is disposed; <see cref="Listener.SetGroups"/> changes them.</summary>
    public Listener Listen(IEnumerable<string> groups, Func<RealtimeMessage, Task> handler)
    {
        var listener = new Listener(this, handler);
        listener.SetGroups(groups);
        return listener;
    }

    /// <summary>A user's (or, with no user, an organization's members') groups must be recomputed.</summary>
    public event Action<string?, string>? AccessChanged;

    public void NotifyAccessChanged(string? userId, string organizationId) => AccessChanged?.Invoke(userId, organizationId);

    public int Count => _groups.Values.SelectMany(g => g.Keys).Distinct().Count();

    /// <summary>Delivers a socket.io event frame (<c>42["type",{...}]</c>) to the group's listeners.</summary>
    public void Deliver(string group, ReadOnlyMemory<byte> frame)
    {
        if (!_groups.TryGetValue(group, out var listeners) || listeners.IsEmpty) return;
        RealtimeMessage? message;
        try
        {
            using var document = JsonDocument.Parse(frame[2..]);
            message = document.RootElement[1].Deserialize<RealtimeMessage>(JsonSerializerOptions.Web);
        }
        catch (Exception exception) when (exception is JsonException or IndexOutOfRangeException or InvalidOperationException)
        {
            logger.LogWarning(exception, "A realtime frame for group {Group} could not be read", group);
            return;
        }
        if (message is null) return;
        foreach (var listener in listeners.Keys) _ = InvokeAsync(listener, message);
    }

    private async Task InvokeAsync(Listener listener, RealtimeMessage message)
    {
        try { await listener.Handler(message); }
        catch (Exception exception) { logger.LogWarning(exception, "A portal listener failed on realtime event {EventId}", message.Id); }
    }

    private void Add(string group, Listener listener) => _groups.GetOrAdd(group, _ => new()).TryAdd(listener, 0);

    private void Remove(string group, Listener listener)
    {
        if (_groups.TryGetValue(group, out var listeners)) listeners.TryRemove(listener, out _);
    }

    /// <summary>One listener (one circuit): its groups and its handler.</summary>
    public sealed class Listener : IDisposable
    {
        private readonly RealtimeLocalListeners _owner;
        private readonly Lock _gate = new();
        private HashSet<string> _groups = [];

        internal Listener(RealtimeLocalListeners owner, Func<RealtimeMessage, Task> handler) => (_owner, Handler) = (owner, handler);

        internal Func<RealtimeMessage, Task> Handler { get; }

        /// <summary>Replaces the groups listened to (after a role, team or organization change).</summary>
        public void SetGroups(IEnumerable<string> groups)
        {
            lock (_gate)
            {
                var next = groups.ToHashSet(StringComparer.Ordinal);
                foreach (var group in _groups.Except(next)) _owner.Remove(group, this);
                foreach (var group in next.Except(_groups)) _owner.Add(group, this);
                _groups = next;
            }
        }

        public void AddGroup(string group)
        {
            lock (_gate)
                if (_groups.Add(group)) _owner.Add(group, this);
        }

        public void RemoveGroup(string group)
        {
            lock (_gate)
                if (_groups.Remove(group)) _owner.Remove(group, this);
        }

        public void Dispose() => SetGroups([]);
    }
}
