using System.Globalization;
using System.Text.Json;
using Intelagent.Server.Platform.Auditing;
using Intelagent.Server.Platform.Http;
using Intelagent.Server.Platform.Problems;

namespace Intelagent.Server.Security.Audit;

/// <summary>One audit entry as the API shows it.</summary>
public sealed record AuditEntryResponse(
    string Id, string? OrganizationId, string? ActorUserId, string? ActorApiKeyId, bool ActorIsOperator,
    string Action, string? TargetType, string? TargetId, string Outcome, string? Ip, string? UserAgent,
    DateTimeOffset At, JsonElement? Data, long? Sequence, string? Hash)
{
    public static AuditEntryResponse From(AuditEntry e) => new(
        e.Id, e.OrganizationId, e.ActorUserId, e.ActorApiKeyId, e.ActorIsOperator, e.Action, e.TargetType, e.TargetId,
        e.Outcome, e.Ip, e.UserAgent, e.At, ParseData(e.Data), e.Sequence, e.Hash);

    private static JsonElement? ParseData(string? data)
    {
        if (data is null) return null;
        try
        {
            using var document = JsonDocument.Parse(data);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return JsonSerializer.SerializeToElement(data);
        }
    }
}

/// <summary>
/// The filters of the audit log and its export: actor (user id), action (exact, or a prefix when
/// it ends with <c>.</c> or <c>*</c>, such as <c>team.</c>), target type and id, outcome, and a
/// time range (<c>from</c> inclusive, <c>to</c> exclusive, ISO-8601).
/// </summary>
public sealed record AuditLogFilter(string? Actor, string? Action, string? TargetType, string? TargetId, string? Outcome, DateTimeOffset? From, DateTimeOffset? To)
{
    public static Result<AuditLogFilter> Parse(string? actor, string? action, string? targetType, string? targetId, string? outcome, string? from, string? to)
    {
        var validation = new Validation()
            .Length("actor", actor, 64).Length("action", action, 100).Length("targetType", targetType, 60).Length("targetId", targetId, 64)
            .When(outcome is not (null or AuditOutcome.Success or AuditOutcome.Failure), "outcome", "must be success or failure.");
        var start = Time("from", from, validation);
        var end = Time("to", to, validation);
        if (start is not null && end is not null && start >= end) validation.Add("to", "must be after from.");
        if (validation.Failed) return validation.ToError();
        return new AuditLogFilter(Blank(actor), Blank(action), Blank(targetType), Blank(targetId), outcome, start, end);
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static DateTimeOffset? Time(string field, string? value, Validation validation)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        string[] formats = ["yyyy-MM-dd", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mmK"];
        if (DateTimeOffset.TryParseExact(value.Trim(), formats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
            return parsed;
        validation.Add(field, "must be an ISO-8601 time such as 2026-11-26T09:00:00Z.");
        return null;
    }

    public IQueryable<AuditEntry> Apply(IQueryable<AuditEntry> query)
    {
        if (Actor is not null) query = query.Where(e => e.ActorUserId == Actor);
        if (Action is not null)
        {
            if (Action.EndsWith('.') || Action.EndsWith('*'))
            {
                var prefix = Action.TrimEnd('*');
                query = query.Where(e => e.Action.StartsWith(prefix));
            }
            else query = query.Where(e => e.Action == Action);
        }
        if (TargetType is not null) query = query.Where(e => e.TargetType == TargetType);
        if (TargetId is not null) query = query.Where(e => e.TargetId == TargetId);
        if (Outcome is not null) query = query.Where(e => e.Outcome == Outcome);
        if (From is { } from) query = query.Where(e => e.At >= from);
        if (To is { } to) query = query.Where(e => e.At < to);
        return query;
    }

    /// <summary>What the export records about itself in the trail.</summary>
    public object Describe(string format) => new { format, actor = Actor, action = Action, targetType = TargetType, targetId = TargetId, outcome = Outcome, from = From, to = To };
}
