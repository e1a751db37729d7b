using System.Text.Json;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Ids;
using Intelagent.Server.Realtime.SocketIo;
using Intelagent.Server.Realtime.Stream;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Realtime.Presence;

/// <summary>
/// Describes presence with names and sends <c>presence:updated</c> to a scope's one group, on the hub
/// and the socket.io endpoint (across nodes through the backplane and the socket.io channel).
/// Presence events are live only, not stored for replay: each carries the whole list and a version,
/// so the latest one is all a client needs, and a reconnecting client reads the list over HTTP.
/// </summary>
public sealed class PresenceNotifier(IHubContext<EventsHub> hub, SocketIoFanOut socketIo, IServiceScopeFactory scopes, TimeProvider clock, ILogger<PresenceNotifier> logger)
{
    public const string EventType = "presence:updated";

    public async Task<PresenceResponse> DescribeAsync(PresenceSnapshot snapshot, CancellationToken cancellationToken)
    {
        var users = new List<PresentUser>(snapshot.UserIds.Count);
        if (snapshot.UserIds.Count > 0)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AppDb>();
            var ids = snapshot.UserIds.ToList();
            var names = await db.Users.IgnoreQueryFilters().AsNoTracking().Where(u => ids.Contains(u.Id))
                .ToDictionaryAsync(u => u.Id, u => u.Name, cancellationToken);
            users.AddRange(ids.Where(names.ContainsKey).Select(id => new PresentUser(id, names[id])));
        }
        return new PresenceResponse(snapshot.Scope.OrganizationId, snapshot.Scope.DocumentId, snapshot.Version, users);
    }

    public async Task PublishAsync(PresenceSnapshot snapshot)
    {
        try
        {
            var body = await DescribeAsync(snapshot, CancellationToken.None);
            // Not stored: an id of its own prefix, never a replay cursor (see docs/decisions/022-presence.md).
            var e = new RealtimeEvent
            {
                Id = Id.New(IdPrefix.Presence, clock),
                OrganizationId = snapshot.Scope.OrganizationId,
                Type = EventType,
                Payload = JsonSerializer.Serialize(body, JsonSerializerOptions.Web),
                CreatedAt = clock.GetUtcNow(),
            };
            await hub.Clients.Group(snapshot.Scope.Group).SendAsync(EventType, RealtimeMessage.From(e), CancellationToken.None);
            await socketIo.PublishAsync(snapshot.Scope.Group, e);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // Presence is advisory: the next change or a read of the list repairs a lost update.
            logger.LogWarning(exception, "Could not publish presence of {Scope}", snapshot.Scope.Key);
        }
    }
}
