using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Ids;

namespace Intelagent.Server.Platform.Email;

/// <summary>
/// Queues an email in the caller's unit of work: it is stored by the same SaveChanges as the change
/// that causes it, so an invitation without its email (or the reverse) cannot exist.
/// </summary>
public static class EmailOutbox
{
    public static void Queue(AppDb db, string to, string subject, string body, string purpose) =>
        db.EmailMessages.Add(new EmailMessage
        {
            Id = Id.New(IdPrefix.Email, db.Clock),
            To = to,
            Subject = subject,
            TextBody = body,
            Purpose = purpose,
            CreatedAt = db.Clock.GetUtcNow(),
        });
}

/// <summary>Absolute links for emails: <c>PUBLIC_URL</c> when set, else the request's own origin.</summary>
public sealed class PublicUrls(IConfiguration configuration, IHttpContextAccessor accessor)
{
    public string Link(string pathAndQuery)
    {
        var configured = configuration["PUBLIC_URL"];
        var origin = !string.IsNullOrEmpty(configured)
            ? configured.TrimEnd('/')
            : accessor.HttpContext is { } context ? $"{context.Request.Scheme}://{context.Request.Host}" : "http://127.0.0.1:5080";
        return origin + pathAndQuery;
    }
}
