using System.Security.Cryptography;
using System.Text;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Problems;
using Intelagent.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Intelagent.Server.Platform.Http;

/// <summary>A remembered answer to a request sent with an <c>Idempotency-Key</c>.</summary>
[NotAudited]
public sealed class IdempotencyRecord
{
    /// <summary>SHA-256 of caller, method, path and key: the scope decisions.md asks for.</summary>
    public required string Id { get; init; }
    public required string RequestHash { get; init; }
    public int? StatusCode { get; set; }
    public byte[]? ResponseBody { get; set; }
    public string? ContentType { get; set; }
    public string? Location { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? CompletedAt { get; set; }
}

internal sealed class IdempotencyRecordConfiguration : IEntityTypeConfiguration<IdempotencyRecord>
{
    public void Configure(EntityTypeBuilder<IdempotencyRecord> builder)
    {
        builder.Property(e => e.Id).HasMaxLength(64);
        builder.Property(e => e.RequestHash).HasMaxLength(64);
        builder.Property(e => e.ContentType).HasMaxLength(100);
        builder.Property(e => e.Location).HasMaxLength(500);
        builder.HasIndex(e => e.CreatedAt);
    }
}

/// <summary>
/// <c>Idempotency-Key</c> on POST and PATCH (decisions, "Shapes"): the first request with a key runs
/// and its answer is kept for 24 hours; a retry with the same key and body gets the same answer
/// without running again; the same key with a different body is a 422 problem; a retry while the
/// first is still running is a 409. Keys are scoped to the caller, so two callers never collide.
/// Only requests that carry the header touch the database.
/// </summary>
public sealed class IdempotencyMiddleware(RequestDelegate next)
{
    public const string Header = "Idempotency-Key";
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);
    private const int MaxBodyBytes = 1 << 20;

    public async Task InvokeAsync(HttpContext context, RequestContext caller, AppDb db)
    {
        var request = context.Request;
        if (!request.Headers.TryGetValue(Header, out var keyValues) || !(HttpMethods.IsPost(request.Method) || HttpMethods.IsPatch(request.Method)))
        {
            await next(context);
            return;
        }
        var key = keyValues.ToString();
        if (key.Length is 0 or > 255)
        {
            await Problem.WriteAsync(context, 400, "invalid_idempotency_key", "Idempotency-Key must be 1 to 255 characters.");
            return;
        }

        request.EnableBuffering(MaxBodyBytes);
        var requestHash = Convert.ToHexStringLower(await SHA256.HashDataAsync(request.Body, context.RequestAborted));
        request.Body.Position = 0;
        var callerKey = caller.UserId ?? "anonymous:" + caller.Ip;
        var id = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{callerKey}\n{request.Method}\n{request.Path}\n{key}")));
        var now = db.Clock.GetUtcNow();

        var existing = await db.Set<IdempotencyRecord>().AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, context.RequestAborted);
        if (existing is not null && existing.CreatedAt + Lifetime <= now)
        {
            await db.Set<IdempotencyRecord>().Where(r => r.Id == id).ExecuteDeleteAsync(context.RequestAborted);
            existing = null;
        }
        if (existing is not null)
        {
            await AnswerFromRecordAsync(context, existing, requestHash);
            return;
        }

        var record = new IdempotencyRecord { Id = id, RequestHash = requestHash, CreatedAt = now };
        db.Set<IdempotencyRecord>().Add(record);
        try
        {
            await db.SaveChangesAsync(context.RequestAborted);
        }
        catch (DbUpdateException exception) when (UniqueViolation.Is(exception))
        {
            await Problem.WriteAsync(context, 409, "idempotency_in_progress", "A request with this Idempotency-Key is being processed; retry shortly.");
            return;
        }
        db.ChangeTracker.Clear();

        var original = context.Response.Body;
        await using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        try
        {
            await next(context);
        }
        catch
        {
            // The exception handler turns this into a problem; the key must not stay "in progress".
            await db.Set<IdempotencyRecord>().Where(r => r.Id == id).ExecuteDeleteAsync(CancellationToken.None);
            throw;
        }
        finally
        {
            context.Response.Body = original;
        }
        buffer.Position = 0;
        var status = context.Response.StatusCode;
        if (status >= 500)
        {
            // Our failure: forget the key so the client's retry runs again.
            await db.Set<IdempotencyRecord>().Where(r => r.Id == id).ExecuteDeleteAsync(CancellationToken.None);
        }
        else
        {
            var body = buffer.ToArray();
            var location = context.Response.Headers.Location.ToString();
            var contentType = context.Response.ContentType;
            await db.Set<IdempotencyRecord>().Where(r => r.Id == id).ExecuteUpdateAsync(s => s
                .SetProperty(r => r.StatusCode, status)
                .SetProperty(r => r.ResponseBody, body)
                .SetProperty(r => r.ContentType, contentType)
                .SetProperty(r => r.Location, location.Length > 0 ? location : null)
                .SetProperty(r => r.CompletedAt, db.Clock.GetUtcNow()), CancellationToken.None);
        }
        await buffer.CopyToAsync(original, context.RequestAborted);
    }

    private static async Task AnswerFromRecordAsync(HttpContext context, IdempotencyRecord record, string requestHash)
    {
        if (record.RequestHash != requestHash)
        {
            await Problem.WriteAsync(context, 422, "idempotency_key_reused", "This Idempotency-Key was used with a different request body.");
            return;
        }
        if (record.StatusCode is not { } status)
        {
            await Problem.WriteAsync(context, 409, "idempotency_in_progress", "A request with this Idempotency-Key is being processed; retry shortly.");
            return;
        }
        context.Response.StatusCode = status;
        context.Response.Headers["Idempotent-Replayed"] = "true";
        if (record.ContentType is not null) context.Response.ContentType = record.ContentType;
        if (record.Location is not null) context.Response.Headers.Location = record.Location;
        if (record.ResponseBody is { Length: > 0 } body) await context.Response.Body.WriteAsync(body, context.RequestAborted);
    }
}
