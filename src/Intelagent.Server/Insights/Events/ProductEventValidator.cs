using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using Intelagent.Server.Insights.Kernel;

namespace Intelagent.Server.Insights.Events;

/// <summary>An event that passed validation, normalised for storage.</summary>
public sealed record ValidProductEvent(
    int Index, string OrganizationId, string EventId, string Type, DateTimeOffset OccurredAt,
    string? SubjectKey, string? Variant, DateTimeOffset? SentAt, string PropertiesJson)
{
    public DateTimeOffset Day => new(OccurredAt.UtcDateTime.Date, TimeSpan.Zero);
}

/// <summary>
/// Checks one event against its type's rules and says every reason it fails at once. Times must not
/// lie ahead of the server's clock by more than <see cref="FutureTolerance"/> (clock skew of the
/// sender) nor further back than <see cref="MaximumAge"/> (a backfill beyond it is a mistake more
/// often than not, and retention would drop it soon anyway).
/// </summary>
public static partial class ProductEventValidator
{
    public const int MaxBatch = 1000;
    public const int MaxPropertiesBytes = 8 * 1024;
    public const int MaxPropertiesCount = 50;
    public static readonly TimeSpan FutureTolerance = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan MaximumAge = TimeSpan.FromDays(400);

    /// <summary>Text kept as sent (no \u escapes), so a data request finds a person's name in it.</summary>
    private static readonly JsonSerializerOptions StoredJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [GeneratedRegex("^custom\\.[a-z0-9][a-z0-9_.-]{0,71}$")]
    private static partial Regex CustomType();

    /// <param name="callerOrganizationId">The organization the caller acts for, or null for an operator, who must name one per event.</param>
    public static (ValidProductEvent? Event, List<string> Reasons) Validate(int index, ProductEventItem? item, string? callerOrganizationId, DateTimeOffset now)
    {
        var reasons = new List<string>();
        if (item is null) return (null, ["the event must be an object."]);
        Text(reasons, "id", item.Id, 100, required: true);
        var type = item.Type?.Trim();
        if (string.IsNullOrEmpty(type)) reasons.Add("type is required.");
        else if (!ProductEventTypes.Known.Contains(type) && !CustomType().IsMatch(type))
            reasons.Add($"type '{Clip(type)}' is not a known product event type (chatbot.*, email.*, lead.*, or custom.<name> in lower case).");

        if (item.OccurredAt is not { } occurredAt) reasons.Add("occurredAt is required.");
        else if (occurredAt > now + FutureTolerance) reasons.Add("occurredAt must not be in the future.");
        else if (occurredAt < now - MaximumAge) reasons.Add($"occurredAt must be within the last {MaximumAge.Days} days.");

        var organizationId = item.OrganizationId?.Trim();
        if (callerOrganizationId is null && string.IsNullOrEmpty(organizationId)) reasons.Add("organizationId is required when an operator reports events.");
        else if (callerOrganizationId is not null && !string.IsNullOrEmpty(organizationId) && organizationId != callerOrganizationId)
            reasons.Add("organizationId names another organization than the one this caller acts for.");

        var subject = SubjectOf(reasons, type, item);
        Text(reasons, "variant", item.Variant, 100, required: false);
        if (type is not null && ProductEventTypes.Known.Contains(type) && ProductEventTypes.ProductOf(type) == "email")
        {
            if (item.SentAt is not { } sentAt) reasons.Add("sentAt (the send time of the message) is required for email events.");
            else if (sentAt > now + FutureTolerance) reasons.Add("sentAt must not be in the future.");
            else if (item.OccurredAt is { } at && sentAt > at + FutureTolerance) reasons.Add("sentAt must not be later than occurredAt.");
        }

        var properties = item.Properties?.ToJsonString(StoredJson) ?? "{}";
        if (item.Properties is { Count: > MaxPropertiesCount }) reasons.Add($"properties may hold at most {MaxPropertiesCount} fields.");
        if (System.Text.Encoding.UTF8.GetByteCount(properties) > MaxPropertiesBytes) reasons.Add($"properties must be at most {MaxPropertiesBytes} bytes of JSON.");

        if (reasons.Count > 0) return (null, reasons);
        return (new ValidProductEvent(index, callerOrganizationId ?? organizationId!, item.Id!.Trim(), type!, item.OccurredAt!.Value.ToUniversalTime(),
            subject, string.IsNullOrWhiteSpace(item.Variant) ? null : item.Variant.Trim(),
            IsEmail(type!) ? item.SentAt!.Value.ToUniversalTime() : null, properties), reasons);
    }

    private static bool IsEmail(string type) => ProductEventTypes.Known.Contains(type) && ProductEventTypes.ProductOf(type) == "email";

    /// <summary>The field that ties the product's events together: required per product, free for custom events.</summary>
    private static string? SubjectOf(List<string> reasons, string? type, ProductEventItem item)
    {
        if (type is null || !ProductEventTypes.Known.Contains(type)) return null;
        var (field, value) = ProductEventTypes.ProductOf(type) switch
        {
            "chatbot" => ("conversationId", item.ConversationId),
            "email" => ("messageId", item.MessageId),
            _ => ("leadId", item.LeadId),
        };
        Text(reasons, field, value, 200, required: true);
        return value?.Trim();
    }

    private static void Text(List<string> reasons, string field, string? value, int max, bool required)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required || value is not null) reasons.Add($"{field} is required{(required ? "" : " when present")}.");
        }
        else if (value.Trim().Length > max) reasons.Add($"{field} must be at most {max} characters.");
    }

    private static string Clip(string value) => value.Length > 40 ? value[..40] + "…" : value;
}
