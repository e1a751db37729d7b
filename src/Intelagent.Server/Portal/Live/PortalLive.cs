using System.Text.Json;
using Intelagent.Server.Realtime.Stream;

namespace Intelagent.Server.Portal.Live;

/// <summary>
/// The realtime events of one circuit: what the signed-in person's hub connection would receive
/// (their organizations' groups as their roles allow, their teams, their own, the operators' group),
/// delivered in-process by <see cref="RealtimeLocalListeners"/> on whichever node holds the circuit.
/// Components subscribe to <see cref="Received"/> and must re-enter their renderer with
/// <c>InvokeAsync</c>: handlers run on the fan-out's thread, not the circuit's.
/// Events of every organization the person belongs to arrive; a page filters by
/// <see cref="RealtimeMessage.OrganizationId"/> when it shows one organization.
/// </summary>
public sealed class PortalLive(PortalSession portal, RealtimeLocalListeners listeners, ILogger<PortalLive> logger) : IDisposable
{
    private readonly HashSet<string> _watched = new(StringComparer.Ordinal);
    private RealtimeLocalListeners.Listener? _listener;
    private RealtimeAccess? _access;
    private Task? _starting;

    /// <summary>Raised for every event this circuit may see.</summary>
    public event Func<RealtimeMessage, Task>? Received;

    /// <summary>Starts listening once the person is signed in (the layouts call it; calling again does nothing).</summary>
    public Task StartAsync() => _starting ??= StartOnceAsync();

    private async Task StartOnceAsync()
    {
        _access = await portal.RealtimeAccessAsync();
        if (_access is null) return;
        _listener = listeners.Listen(_access.Groups(), DispatchAsync);
        listeners.AccessChanged += OnAccessChanged;
    }

    /// <summary>Adds a group beyond the person's own (a document's viewers: <c>doc:{id}</c>) until <see cref="Unwatch"/>.</summary>
    public void Watch(string group)
    {
        lock (_watched) _watched.Add(group);
        _listener?.AddGroup(group);
    }

    public void Unwatch(string group)
    {
        lock (_watched) _watched.Remove(group);
        _listener?.RemoveGroup(group);
    }

    private async Task DispatchAsync(RealtimeMessage message)
    {
        if (Received is not { } handlers) return;
        foreach (var handler in handlers.GetInvocationList().Cast<Func<RealtimeMessage, Task>>())
        {
            try { await handler(message); }
            catch (Exception exception) { logger.LogWarning(exception, "A portal component failed on realtime event {EventId}", message.Id); }
        }
    }

    private void OnAccessChanged(string? userId, string organizationId)
    {
        if (_access is null || (userId is not null && userId != _access.UserId) || (userId is null && !_access.Roles.ContainsKey(organizationId))) return;
        _ = RegroupAsync();
    }

    private async Task RegroupAsync()
    {
        try
        {
            _access = await portal.RealtimeAccessAsync();
            if (_access is null || _listener is null) return;
            List<string> watched;
            lock (_watched) watched = [.. _watched];
            _listener.SetGroups(_access.Groups().Concat(watched));
        }
        catch (Exception exception) { logger.LogWarning(exception, "Could not regroup a portal circuit after an access change"); }
    }

    public void Dispose()
    {
        listeners.AccessChanged -= OnAccessChanged;
        _listener?.Dispose();
    }
}

public static class RealtimeMessageReading
{
    /// <summary>The payload as the record its publisher serialized (web naming).</summary>
    public static T? PayloadAs<T>(this RealtimeMessage message) => message.Payload.Deserialize<T>(JsonSerializerOptions.Web);
}
