using Intelagent.Server.Platform.Tenancy;

namespace Intelagent.Server.Platform.Email;

/// <summary>
/// An email in the outbox. Queued in the same transaction as the change that causes it (an
/// invitation, a reset), delivered by <see cref="EmailDeliveryService"/> over SMTP when
/// <c>SMTP_URL</c> is set; otherwise it stays here for operators to read.
/// </summary>
[NotAudited]
public sealed class EmailMessage
{
    public required string Id { get; init; }
    public required string To { get; init; }
    public required string Subject { get; init; }
    public required string TextBody { get; init; }
    public string? Purpose { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? SentAt { get; set; }
    public int Attempts { get; set; }
    public string? LastError { get; set; }
}
