using Intelagent.Server.Insights.Kernel;
using Intelagent.Server.Insights.Store;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Tenancy;
using Intelagent.Server.Usage;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Insights.Events;

/// <summary>
/// Four months of product events for the demo organizations, with effects planted for the detectors
/// to find: Globex's emails sent Tuesdays at 10:00 UTC are opened half again as often; Acme's chatbot
/// resolves most conversations on its own and Acme's API calls spiked two days ago; Initech's
/// enriched leads respond about 23% of the time against 8%. Everything else is noise without effect.
/// </summary>
public static class DemoProductEvents
{
    private const int Days = 120;

    /// <summary>
    /// Seeds in the background once the server listens: tens of thousands of events take a while on
    /// SQLite, and the demo sign-ins must not wait for them. Insights appear when it is done.
    /// </summary>
    public static void SeedAfterStart(WebApplication app) => app.Lifetime.ApplicationStarted.Register(() => _ = Task.Run(async () =>
    {
        try
        {
            await SeedIfEmptyAsync(app.Services, app.Logger, app.Lifetime.ApplicationStopping);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            app.Logger.LogError(exception, "Seeding the demo product events failed");
        }
        catch (OperationCanceledException)
        {
            // The server stopped first.
        }
    }));

    public static async Task SeedIfEmptyAsync(IServiceProvider services, ILogger logger, CancellationToken cancellationToken = default)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDb>();
        var organizations = await db.Organizations.IgnoreQueryFilters()
            .Where(o => o.Name == "Acme Support Co" || o.Name == "Globex Marketing" || o.Name == "Initech Leads")
            .ToDictionaryAsync(o => o.Name, o => o.Id);
        if (organizations.Count == 0 || await db.Set<ProductEvent>().IgnoreQueryFilters().AnyAsync(e => organizations.Values.Contains(e.OrganizationId))) return;

        var today = new DateTimeOffset(db.Clock.GetUtcNow().UtcDateTime.Date, TimeSpan.Zero);
        var random = new Random(2026);
        var events = new List<ValidProductEvent>();
        if (organizations.TryGetValue("Globex Marketing", out var globex)) Emails(events, globex, today, random);
        if (organizations.TryGetValue("Acme Support Co", out var acme))
        {
            Conversations(events, acme, today, random);
            UsageWithSpike(db, acme, today, random);
        }
        if (organizations.TryGetValue("Initech Leads", out var initech)) Leads(events, initech, today, random);
        await db.SaveChangesAsync(cancellationToken);
        var writer = scope.ServiceProvider.GetRequiredService<ProductEventWriter>();
        foreach (var chunk in events.Chunk(ProductEventValidator.MaxBatch)) await writer.WriteAsync(chunk, cancellationToken);

        foreach (var organizationId in organizations.Values)
        {
            await using var runScope = services.CreateAsyncScope();
            runScope.ServiceProvider.GetRequiredService<RequestContext>().SetTenant(organizationId, null);
            await runScope.ServiceProvider.GetRequiredService<InsightRunner>().RunAsync(organizationId, cancellationToken);
        }
        logger.LogInformation("Seeded {Count} demo product events with planted effects, and ran the insight detectors", events.Count);
    }

    private static ValidProductEvent Event(string organizationId, string id, string type, DateTimeOffset at, string subject, string? variant = null, DateTimeOffset? sentAt = null) =>
        new(0, organizationId, id, type, at, subject, variant, sentAt, "{}");

    private static bool Weekend(DateTimeOffset day) => day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;

    private static void Emails(List<ValidProductEvent> events, string organizationId, DateTimeOffset today, Random random)
    {
        string[] templates = ["spring-sale", "product-update", "customer-story"];
        for (var day = today.AddDays(-Days); day < today; day = day.AddDays(1))
        {
            if (Weekend(day)) continue;
            for (var hour = 8; hour <= 17; hour++)
                for (var n = 0; n < 40; n++)
                {
                    var sentAt = day.AddHours(hour).AddSeconds(random.Next(3600));
                    var message = $"msg-{sentAt.UtcTicks}-{n}";
                    var template = templates[random.Next(templates.Length)];
                    var rate = day.DayOfWeek == DayOfWeek.Tuesday && hour == 10 ? 0.30 : 0.20;
                    events.Add(Event(organizationId, message + ":sent", ProductEventTypes.EmailSent, sentAt, message, template, sentAt));
                    if (random.NextDouble() < 0.02)
                    {
                        events.Add(Event(organizationId, message + ":bounced", ProductEventTypes.EmailBounced, sentAt.AddMinutes(1), message, template, sentAt));
                        continue;
                    }
                    if (random.NextDouble() >= rate) continue;
                    var openedAt = sentAt.AddMinutes(random.Next(5, 2880));
                    if (openedAt >= today) continue;
                    events.Add(Event(organizationId, message + ":opened", ProductEventTypes.EmailOpened, openedAt, message, template, sentAt));
                    if (random.NextDouble() < 0.3)
                        events.Add(Event(organizationId, message + ":clicked", ProductEventTypes.EmailClicked, openedAt.AddMinutes(1), message, template, sentAt));
                }
        }
    }

    private static void Conversations(List<ValidProductEvent> events, string organizationId, DateTimeOffset today, Random random)
    {
        for (var day = today.AddDays(-Days); day < today; day = day.AddDays(1))
            for (var n = 0; n < (Weekend(day) ? 15 : 40); n++)
            {
                var at = day.AddMinutes(random.Next(24 * 60));
                var conversation = $"conv-{at.UtcTicks}-{n}";
                events.Add(Event(organizationId, conversation + ":started", ProductEventTypes.ChatbotConversationStarted, at, conversation, "support-flow"));
                var handedOff = random.NextDouble() < 0.3;
                if (handedOff)
                {
                    events.Add(Event(organizationId, conversation + ":handed_off", ProductEventTypes.ChatbotHandedOff, at.AddMinutes(3), conversation, "support-flow"));
                    if (random.NextDouble() < 0.6)
                        events.Add(Event(organizationId, conversation + ":ticket", ProductEventTypes.ChatbotTicketCreated, at.AddMinutes(4), conversation, "support-flow"));
                }
                else if (random.NextDouble() < 0.85)
                    events.Add(Event(organizationId, conversation + ":resolved", ProductEventTypes.ChatbotConversationResolved, at.AddMinutes(5), conversation, "support-flow"));
            }
    }

    private static void Leads(List<ValidProductEvent> events, string organizationId, DateTimeOffset today, Random random)
    {
        for (var day = today.AddDays(-Days); day < today.AddDays(-3); day = day.AddDays(1))
            for (var n = 0; n < 10; n++)
            {
                var at = day.AddHours(9 + random.Next(8));
                var lead = $"lead-{at.UtcTicks}-{n}";
                var enriched = random.NextDouble() < 0.5;
                if (enriched) events.Add(Event(organizationId, lead + ":enriched", ProductEventTypes.LeadEnriched, at.AddMinutes(-30), lead, "enrichment-api"));
                events.Add(Event(organizationId, lead + ":contacted", ProductEventTypes.LeadContacted, at, lead));
                if (random.NextDouble() < (enriched ? 0.23 : 0.08))
                    events.Add(Event(organizationId, lead + ":responded", ProductEventTypes.LeadResponded, at.AddDays(2), lead));
            }
    }

    /// <summary>Daily API calls with a weekday profile and 8% noise, and a spike to three times the usual two days ago.</summary>
    private static void UsageWithSpike(AppDb db, string organizationId, DateTimeOffset today, Random random)
    {
        for (var day = today.AddDays(-Days); day < today; day = day.AddDays(1))
        {
            var level = Weekend(day) ? 2_500.0 : 9_000.0;
            var value = level * (1 + 0.08 * (random.NextDouble() * 2 - 1)) * (day == today.AddDays(-2) ? 3 : 1);
            db.Set<UsageRollup>().Add(new UsageRollup { OrganizationId = organizationId, Metric = UsageMetric.ApiCalls, Granularity = UsageGranularity.Day, PeriodStart = day, Value = (long)value });
        }
    }
}
