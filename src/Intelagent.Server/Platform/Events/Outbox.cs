using System.Collections.Frozen;
using System.Text.Json;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Ids;

namespace Intelagent.Server.Platform.Events;

/// <summary>Wakes the dispatcher right after a commit that stored events, so delivery does not wait for a poll.</summary>
public sealed class OutboxSignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Notify()
    {
        if (_signal.CurrentCount == 0)
        {
            try { _signal.Release(); } catch (SemaphoreFullException) { }
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);
}

/// <summary>Serialises pending domain events into outbox rows of the same SaveChanges.</summary>
internal static class OutboxWriter
{
    public static bool Store(AppDb db, List<IDomainEvent> events)
    {
        foreach (var domainEvent in events)
        {
            var type = domainEvent.GetType();
            db.OutboxMessages.Add(new OutboxMessage
            {
                Id = Id.New(IdPrefix.Event, db.Clock),
                Type = EventTypes.NameOf(type),
                OrganizationId = domainEvent.OrganizationId,
                ActorUserId = db.Request.UserId,
                Payload = JsonSerializer.Serialize(domainEvent, type, JsonSerializerOptions.Web),
                OccurredAt = db.Clock.GetUtcNow(),
            });
        }
        return events.Count > 0;
    }
}

/// <summary>The event types of this assembly by their stored name (the record's name).</summary>
public static class EventTypes
{
    private static readonly FrozenDictionary<string, Type> ByName = typeof(EventTypes).Assembly.GetTypes()
        .Where(t => !t.IsAbstract && typeof(IDomainEvent).IsAssignableFrom(t))
        .ToFrozenDictionary(t => t.Name);

    public static string NameOf(Type type) => type.Name;

    public static Type? Find(string name) => ByName.GetValueOrDefault(name);
}
