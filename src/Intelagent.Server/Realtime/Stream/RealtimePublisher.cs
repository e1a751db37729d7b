using System.Text.Json;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Ids;
using Intelagent.Server.Realtime.SocketIo;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Realtime.Stream;

/// <summary>
/// Stores realtime events with the rest of a unit of work and, after the commit, sends each to its
/// one SignalR group. Store-then-send is what makes replay complete: nothing reaches a client that a
/// reconnecting client could not ask for again. See docs/decisions/005-realtime-event-stream.md.
/// </summary>
public sealed class RealtimePublisher(AppDb db, RealtimeOrdering ordering, IHubContext<EventsHub> hub, SocketIoFanOut socketIo,
    ILogger<RealtimePublisher> logger)
{
    private readonly List<RealtimeDraft> _staged = [];

    /// <summary>Queues an event for the next <see cref="CommitAsync"/>.</summary>
    public void Stage(RealtimeDraft draft) => _staged.Add(draft);

    /// <summary>Saves the context's changes and the staged events in one transaction, then sends the events; returns their ids.</summary>
    public async Task<IReadOnlyList<string>> CommitAsync(CancellationToken cancellationToken)
    {
        if (_staged.Count == 0)
        {
            await db.SaveChangesAsync(cancellationToken);
            return [];
        }
        var drafts = _staged.ToList();
        _staged.Clear();
        await using var turn = await ordering.EnterAsync(db, cancellationToken);
        var keys = drafts.Select(d => d.SourceKey).OfType<string>().ToList();
        var published = keys.Count == 0 ? [] : await db.Set<RealtimeEvent>().IgnoreQueryFilters()
            .Where(e => keys.Contains(e.SourceKey!)).Select(e => e.SourceKey!).ToListAsync(cancellationToken);
        drafts.RemoveAll(d => d.SourceKey is not null && published.Contains(d.SourceKey));
        var rows = new List<RealtimeEvent>(drafts.Count);
        var previous = await LatestIdAcrossTenantsAsync(cancellationToken);
        foreach (var draft in drafts)
        {
            var id = NextId(previous);
            rows.Add(new RealtimeEvent
            {
                Id = id,
                OrganizationId = draft.OrganizationId,
                Type = draft.Type,
                Audience = draft.Audience,
                AudienceId = draft.AudienceId,
                Permission = draft.Permission,
                Payload = JsonSerializer.Serialize(draft.Payload, draft.Payload.GetType(), JsonSerializerOptions.Web),
                CreatedAt = db.Clock.GetUtcNow(),
                SourceKey = draft.SourceKey,
            });
            previous = id;
        }
        db.Set<RealtimeEvent>().AddRange(rows);
        await db.SaveChangesAsync(cancellationToken);
        foreach (var row in rows)
        {
            // One send per event to one group: SignalR serialises the message once per protocol for
            // the whole group (and once for the Redis backplane), not once per connection.
            try { await hub.Clients.Group(RealtimeGroups.Of(row)).SendAsync(row.Type, RealtimeMessage.From(row), CancellationToken.None); }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // Stored already: a client that missed it gets it by replay on reconnect.
                logger.LogWarning(exception, "Could not send realtime event {EventId}", row.Id);
            }
            // The socket.io endpoint's sessions of the same group, encoded once (see SocketIoFanOut);
            // it never throws for Redis trouble (it falls back to this node).
            await socketIo.PublishAsync(row);
        }
        return rows.Select(r => r.Id).ToList();
    }

    /// <summary>
    /// The next id: a fresh time-sortable id, or the successor of the latest stored id when this
    /// node's clock is behind it, so ids grow strictly in commit order across nodes.
    /// </summary>
    private string NextId(string? previous)
    {
        var candidate = Id.New(IdPrefix.RealtimeEvent, db.Clock);
        if (previous is null || string.CompareOrdinal(candidate, previous) > 0) return candidate;
        return IdPrefix.RealtimeEvent + "_" + Successor(Ulid.Parse(previous[(IdPrefix.RealtimeEvent.Length + 1)..])).ToString().ToLowerInvariant();
    }

    private static Ulid Successor(Ulid ulid)
    {
        var bytes = ulid.ToByteArray();
        for (var i = bytes.Length - 1; i >= 0 && ++bytes[i] == 0; i--) { }
        return new Ulid(bytes);
    }

    private Task<string?> LatestIdAcrossTenantsAsync(CancellationToken cancellationToken) =>
        db.Set<RealtimeEvent>().IgnoreQueryFilters().OrderByDescending(e => e.Id).Select(e => e.Id).FirstOrDefaultAsync(cancellationToken);
}
