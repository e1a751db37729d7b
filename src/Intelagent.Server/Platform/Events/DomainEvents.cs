using Intelagent.Server.Platform.Tenancy;

namespace Intelagent.Server.Platform.Events;

/// <summary>
/// Something that happened, named in the past tense. Raised with <c>AppDb.Raise</c>, stored in the
/// outbox in the same transaction as the change, and handed to every <see cref="IDomainEventHandler{T}"/>
/// after commit, so none is lost if the process dies in between.
/// </summary>
public interface IDomainEvent
{
    /// <summary>The organization the event concerns, or null for platform events.</summary>
    string? OrganizationId { get; }
}

public interface IDomainEventHandler<in TEvent> where TEvent : IDomainEvent
{
    Task HandleAsync(TEvent domainEvent, EventEnvelope envelope, CancellationToken cancellationToken);
}

/// <summary>What the outbox knows about an event besides its payload.</summary>
public sealed record EventEnvelope(string Id, string Type, string? OrganizationId, DateTimeOffset OccurredAt, string? ActorUserId);

/// <summary>A stored event awaiting (or done with) dispatch.</summary>
[NotAudited]
public sealed class OutboxMessage
{
    public required string Id { get; init; }
    public required string Type { get; init; }
    public string? OrganizationId { get; init; }
    public string? ActorUserId { get; init; }
    public required string Payload { get; init; }
    public DateTimeOffset OccurredAt { get; init; }
    public DateTimeOffset? ProcessedAt { get; set; }
    public int Attempts { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset? NextAttemptAt { get; set; }
    public DateTimeOffset? LockedUntil { get; set; }
}
