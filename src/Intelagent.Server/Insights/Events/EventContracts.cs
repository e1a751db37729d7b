using System.Text.Json.Nodes;

namespace Intelagent.Server.Insights.Events;

/// <summary>
/// One product event as sent. The subject of the event travels in its product's own field
/// (<c>conversationId</c>, <c>messageId</c>, <c>leadId</c>); <c>organizationId</c> is required on the
/// operators' route and, when present on the organization route, must be the caller's organization.
/// </summary>
public sealed record ProductEventItem(
    string? Id,
    string? Type,
    DateTimeOffset? OccurredAt,
    string? OrganizationId = null,
    string? ConversationId = null,
    string? MessageId = null,
    DateTimeOffset? SentAt = null,
    string? LeadId = null,
    string? Variant = null,
    JsonObject? Properties = null);

public sealed record ReportProductEventsRequest(IReadOnlyList<ProductEventItem?>? Events);

/// <param name="Index">The position of the event in the batch.</param>
public sealed record RejectedProductEvent(int Index, string? Id, IReadOnlyList<string> Reasons);

public sealed record DuplicateProductEvent(int Index, string Id);

/// <summary>What happened to each event: stored, already known (a re-send), or refused with its reasons.</summary>
public sealed record ReportProductEventsResponse(
    int Accepted,
    int DuplicateCount,
    int RejectedCount,
    IReadOnlyList<DuplicateProductEvent> Duplicates,
    IReadOnlyList<RejectedProductEvent> Rejected);
