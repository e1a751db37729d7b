using System.Text.Json;

namespace Intelagent.Server.Realtime.Stream;

/// <summary>What a client receives, under the event's type as the SignalR method name (<c>activity:new</c>, ...).</summary>
public sealed record RealtimeMessage(string Id, string Type, string OrganizationId, DateTimeOffset Time, JsonElement Payload)
{
    public static RealtimeMessage From(RealtimeEvent e) =>
        new(e.Id, e.Type, e.OrganizationId, e.CreatedAt, JsonSerializer.Deserialize<JsonElement>(e.Payload));
}

/// <summary>An event to publish; the publisher gives it its id and time.</summary>
public sealed record RealtimeDraft(string OrganizationId, string Type, RealtimeAudience Audience, string? AudienceId, string? Permission, object Payload)
{
    /// <summary>The domain event (outbox id) this draft comes from, so a redelivery publishes nothing new.</summary>
    public string? SourceEventId { get; init; }

    public string? SourceKey => SourceEventId is null ? null : $"{SourceEventId}/{Type}/{Audience}/{AudienceId}/{Permission}";

    public static RealtimeDraft ForOrganization(string organizationId, string type, string? permission, object payload) =>
        new(organizationId, type, RealtimeAudience.Organization, null, permission, payload);

    public static RealtimeDraft ForUser(string organizationId, string userId, string type, object payload) =>
        new(organizationId, type, RealtimeAudience.User, userId, null, payload);

    public static RealtimeDraft ForTeam(string organizationId, string teamId, string type, object payload) =>
        new(organizationId, type, RealtimeAudience.Team, teamId, null, payload);

    public static RealtimeDraft ForOperators(string organizationId, string type, object payload) =>
        new(organizationId, type, RealtimeAudience.Operators, null, null, payload);
}

/// <summary>The spec's event names.</summary>
public static class RealtimeEventTypes
{
    public const string ActivityNew = "activity:new";
    public const string NotificationNew = "notification:new";
    public const string MetricsUpdated = "metrics:updated";
    public const string UsageWarning = "usage:warning";
    public const string SecurityAlert = "security:alert";
    /// <summary>Not in the spec: an alert was acknowledged, so open lists drop it (same audiences as security:alert).</summary>
    public const string SecurityAlertAcknowledged = "security:alert_acknowledged";
    public const string PaymentSucceeded = "payment:succeeded";
    public const string PaymentFailed = "payment:failed";
    public const string DocumentUpdated = "document:updated";
    public const string CursorUpdated = "cursor:updated";
}
