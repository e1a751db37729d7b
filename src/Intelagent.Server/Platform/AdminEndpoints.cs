using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Email;
using Intelagent.Server.Platform.Http;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Platform;

public sealed record OutboxEmailResponse(string Id, string To, string Subject, string TextBody, string? Purpose, DateTimeOffset CreatedAt, DateTimeOffset? SentAt);

/// <summary>Operator routes of the kernel itself.</summary>
public static class AdminEndpoints
{
    public static IEndpointRouteBuilder MapPlatformAdmin(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/admin/outbox", OutboxAsync).RequirePermission(Permissions.PlatformOutboxRead).WithTags("Admin").WithName("ListEmailOutbox")
            .WithSummary("Emails queued by the platform, newest first (filter by recipient with ?to=)").Produces<Page<OutboxEmailResponse>>().WithProblems(400, 403);
        return app;
    }

    private static async Task<IResult> OutboxAsync(int? limit, string? cursor, string? to, AppDb db, CancellationToken cancellationToken)
    {
        var page = PageRequest.From(limit, cursor);
        if (!page.IsSuccess) return page.Error!.ToResult();
        IQueryable<EmailMessage> query = db.EmailMessages.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(to)) query = query.Where(m => m.To.ToLower() == to.Trim().ToLower());
        return TypedResults.Ok(await query.OrderByDescending(m => m.Id).ToPageAsync(page.Value!, (q, after) => q.Where(m => string.Compare(m.Id, after) < 0),
            m => m.Id, m => new OutboxEmailResponse(m.Id, m.To, m.Subject, m.TextBody, m.Purpose, m.CreatedAt, m.SentAt), cancellationToken));
    }
}
