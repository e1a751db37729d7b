using Intelagent.Server.Platform.Data;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.EntityFrameworkCore;
using MimeKit;

namespace Intelagent.Server.Platform.Email;

/// <summary>
/// Delivers queued emails over SMTP when <c>SMTP_URL</c> (<c>smtp://user:pass@host:port</c>, or
/// <c>smtps://</c> for implicit TLS) is set. Without it the outbox is where emails stay, readable by
/// operators at <c>/api/admin/outbox</c>.
/// </summary>
public sealed class EmailDeliveryService(IServiceScopeFactory scopes, IConfiguration configuration, TimeProvider clock, ILogger<EmailDeliveryService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var url = configuration["SMTP_URL"];
        if (string.IsNullOrEmpty(url))
        {
            logger.LogInformation("SMTP_URL is not set: emails stay in the outbox (GET /api/admin/outbox)");
            return;
        }
        var smtp = new Uri(url);
        var from = configuration["SMTP_FROM"] ?? "Intelagent <no-reply@intelagent.local>";
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(5), clock);
        do
        {
            try { await DeliverPendingAsync(smtp, from, stoppingToken); }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(exception, "Email delivery failed; will retry");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task DeliverPendingAsync(Uri smtp, string from, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDb>();
        var pending = await db.EmailMessages.Where(m => m.SentAt == null && m.Attempts < 10).OrderBy(m => m.Id).Take(50).ToListAsync(cancellationToken);
        if (pending.Count == 0) return;
        using var client = new SmtpClient();
        await client.ConnectAsync(smtp.Host, smtp.Port, smtp.Scheme == "smtps" ? SecureSocketOptions.SslOnConnect : SecureSocketOptions.StartTlsWhenAvailable, cancellationToken);
        if (smtp.UserInfo.Length > 0)
        {
            var parts = smtp.UserInfo.Split(':', 2);
            await client.AuthenticateAsync(Uri.UnescapeDataString(parts[0]), parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : "", cancellationToken);
        }
        foreach (var message in pending)
        {
            message.Attempts++;
            try
            {
                var mime = new MimeMessage();
                mime.From.Add(MailboxAddress.Parse(from));
                mime.To.Add(MailboxAddress.Parse(message.To));
                mime.Subject = message.Subject;
                mime.Body = new TextPart("plain") { Text = message.TextBody };
                await client.SendAsync(mime, cancellationToken);
                message.SentAt = clock.GetUtcNow();
            }
            catch (Exception exception) when (exception is SmtpCommandException or ParseException)
            {
                message.LastError = exception.Message;
            }
        }
        await client.DisconnectAsync(true, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
    }
}
