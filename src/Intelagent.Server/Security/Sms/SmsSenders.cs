using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Ids;

namespace Intelagent.Server.Security.Sms;

/// <summary>The outcome of handing a text message to a sender; <see cref="Error"/> is set when it could not be sent.</summary>
public sealed record SmsSendResult(bool Sent, string? ProviderMessageId, string? Error);

/// <summary>
/// Sends a text message: Twilio when <c>TWILIO_ACCOUNT_SID</c>, <c>TWILIO_AUTH_TOKEN</c> and
/// <c>TWILIO_FROM</c> are set, otherwise the outbox in the database that operators read in
/// Development (<c>GET /api/admin/sms-outbox</c>). Called after the change that needs the message
/// has committed, so a failure to send leaves nothing half done: the caller answers 503.
/// </summary>
public interface ISmsSender
{
    /// <summary>A name for logs and the status answer: <c>twilio</c> or <c>outbox</c>.</summary>
    string Name { get; }

    Task<SmsSendResult> SendAsync(string to, string body, string purpose, CancellationToken cancellationToken);
}

/// <summary>The default: each message becomes a row of <c>SmsMessages</c> and goes no further.</summary>
public sealed class OutboxSmsSender(IServiceScopeFactory scopes) : ISmsSender
{
    public string Name => "outbox";

    public async Task<SmsSendResult> SendAsync(string to, string body, string purpose, CancellationToken cancellationToken)
    {
        // A scope of its own: the message is kept even when the caller's unit of work is not saved again.
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDb>();
        var message = new SmsMessage
        {
            Id = Id.New(IdPrefix.SmsMessage, db.Clock),
            To = to,
            Body = body,
            Purpose = purpose,
            CreatedAt = db.Clock.GetUtcNow(),
        };
        db.Set<SmsMessage>().Add(message);
        await db.SaveChangesAsync(cancellationToken);
        return new SmsSendResult(true, message.Id, null);
    }
}

/// <summary>Twilio's account and sender number, from the environment.</summary>
public sealed record TwilioSettings(string AccountSid, string AuthToken, string From)
{
    public static TwilioSettings? FromConfiguration(IConfiguration configuration) =>
        configuration["TWILIO_ACCOUNT_SID"] is { Length: > 0 } sid && configuration["TWILIO_AUTH_TOKEN"] is { Length: > 0 } token
            && configuration["TWILIO_FROM"] is { Length: > 0 } from
            ? new TwilioSettings(sid, token, from)
            : null;
}
