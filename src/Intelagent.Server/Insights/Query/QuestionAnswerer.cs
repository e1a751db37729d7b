using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Problems;
using Intelagent.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Insights.Query;

/// <summary>
/// One question from end to end: check it, find whose data and which time zone, interpret it,
/// run it under the caller's permissions, and say it in words. A question that cannot be answered
/// is a 200 with an honest answer and suggestions; only a missing, empty or oversized question is
/// a problem (400, 422), and asking for what the caller may not read is a 403.
/// </summary>
public sealed class QuestionAnswerer(AppDb db, RequestContext request, IQuestionInterpreter interpreter, QueryExecutor executor, TimeProvider clock)
{
    public async Task<Result<QueryResponse>> AnswerAsync(QueryRequest? body, bool platform, CancellationToken cancellationToken)
    {
        var question = body?.Question?.Trim();
        if (string.IsNullOrEmpty(question)) return Error.Validation("question", "is required: ask something, for example \"Show me revenue growth last quarter\".");
        if (question.Length > QuestionParser.MaxLength)
            return Error.Unprocessable("question_too_long", $"A question has at most {QuestionParser.MaxLength} characters; this one has {question.Length}.");

        var now = clock.GetUtcNow();
        var zone = platform ? TimeZoneInfo.Utc : await ZoneAsync(cancellationToken);
        var scope = new QueryScope(platform ? null : request.OrganizationId, zone, now);
        var (parsed, interpreterName) = await interpreter.InterpretAsync(question, now, zone, cancellationToken);
        if (parsed.Query is not { } query)
            return new QueryResponse(question, false, parsed.CannotAnswer ?? "I cannot answer that.", null, QueryTable.Empty, null, parsed.Suggestions, parsed.Corrections, interpreterName);

        var outcome = await executor.ExecuteAsync(query, scope, cancellationToken);
        if (!outcome.IsSuccess)
        {
            var error = outcome.Error!;
            // Unsupported combinations are honest answers; permission and not-found stay problems, as on every other route.
            if (error.Status != 422) return error;
            return new QueryResponse(question, false, error.Detail, query, QueryTable.Empty, null, QueryDefaults.Suggestions, parsed.Corrections, interpreterName);
        }
        var result = outcome.Value!;
        return new QueryResponse(question, true, result.Answer, query, result.Table, result.Chart, null, parsed.Corrections.Count == 0 ? null : parsed.Corrections, interpreterName, result.Currency);
    }

    /// <summary>The organization's IANA time zone; UTC when unset or unknown to this machine.</summary>
    private async Task<TimeZoneInfo> ZoneAsync(CancellationToken cancellationToken)
    {
        var id = await db.Organizations.AsNoTracking().Where(o => o.Id == request.OrganizationId).Select(o => o.TimeZone).FirstOrDefaultAsync(cancellationToken);
        return id is not null && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : TimeZoneInfo.Utc;
    }
}
