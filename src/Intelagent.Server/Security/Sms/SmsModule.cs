using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Http;
using Intelagent.Server.Security.DataRequests;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Security.Sms;

public sealed record OutboxSmsResponse(string Id, string To, string Body, string Purpose, DateTimeOffset CreatedAt);

/// <summary>
/// Text messages: the sender (Twilio with <c>TWILIO_*</c>, else the outbox) and the operators'
/// view of the outbox. SMS as a second factor lives in Identity/TwoFactor and sends through here.
/// </summary>
public static class SmsModule
{
    public const string HiddenBody = "(hidden outside Development: it may hold a sign-in code)";

    public static IServiceCollection AddSms(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddHttpClient(TwilioSmsSender.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(15));
        if (TwilioSettings.FromConfiguration(configuration) is { } twilio)
        {
            services.AddSingleton(twilio);
            services.AddSingleton<ISmsSender, TwilioSmsSender>();
        }
        else
        {
            services.AddSingleton<ISmsSender, OutboxSmsSender>();
            services.AddHostedService<OutboxSmsWarning>();
        }
        services.AddScoped<IPersonalDataHandler, SmsPersonalData>();
        return services;
    }

    public static IEndpointRouteBuilder MapSms(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/admin/sms-outbox", OutboxAsync).RequirePermission(Permissions.PlatformOutboxRead).WithTags("Admin").WithName("ListSmsOutbox")
            .WithSummary("Text messages kept by the default sender, newest first (?to=+1415...); bodies only in Development").Produces<Page<OutboxSmsResponse>>().WithProblems(400, 403);
        return app;
    }

    private static async Task<IResult> OutboxAsync(int? limit, string? cursor, string? to, AppDb db, IHostEnvironment environment, CancellationToken cancellationToken)
    {
        var page = PageRequest.From(limit, cursor);
        if (!page.IsSuccess) return page.Error!.ToResult();
        // The bodies are sign-in codes: outside Development an operator reading them could pass anyone's second factor.
        var showBodies = environment.IsDevelopment() || environment.IsEnvironment("Testing");
        IQueryable<SmsMessage> query = db.Set<SmsMessage>().AsNoTracking();
        if (!string.IsNullOrWhiteSpace(to)) query = query.Where(m => m.To == to.Trim());
        return TypedResults.Ok(await query.OrderByDescending(m => m.Id).ToPageAsync(page.Value!, (q, after) => q.Where(m => string.Compare(m.Id, after) < 0),
            m => m.Id, m => new OutboxSmsResponse(m.Id, m.To, showBodies ? m.Body : HiddenBody, m.Purpose, m.CreatedAt), cancellationToken));
    }
}

/// <summary>Says at start, outside Development, that text messages are not delivered anywhere.</summary>
internal sealed class OutboxSmsWarning(IHostEnvironment environment, ILogger<OutboxSmsWarning> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!environment.IsDevelopment() && !environment.IsEnvironment("Testing"))
            logger.LogWarning("TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM are not all set: text messages (SMS sign-in codes) stay in the outbox and reach nobody");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
