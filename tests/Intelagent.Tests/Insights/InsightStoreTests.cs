using System.Net;
using System.Net.Http.Json;
using Intelagent.Server.Insights.Events;
using Intelagent.Server.Insights.Kernel;
using Intelagent.Server.Insights.Store;
using Intelagent.Server.Realtime.Stream;
using Intelagent.Server.Usage;
using Intelagent.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Intelagent.Tests.Insights;

public sealed class InsightStoreTestsOnSqlite(SqliteApp app) : InsightStoreTests<SqliteApp>(app);
public sealed class InsightStoreTestsOnPostgres(PostgresApp app) : InsightStoreTests<PostgresApp>(app);

public abstract class InsightStoreTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : TestApp
{
    private DateTimeOffset Now => app.Clock.GetUtcNow();

    /// <summary>Chatbot: 60 conversations, 45 resolved of which 5 were handed off. Leads: 300 enriched (25% respond) and 300 not (8%).</summary>
    private async Task PlantAsync(Account owner)
    {
        var events = new List<object>();
        for (var i = 0; i < 60; i++)
        {
            events.Add(new { id = $"cs{i}", type = "chatbot.conversation_started", occurredAt = Now.AddDays(-3), conversationId = $"c{i}" });
            if (i < 45) events.Add(new { id = $"cr{i}", type = "chatbot.conversation_resolved", occurredAt = Now.AddDays(-3), conversationId = $"c{i}" });
            if (i < 5 || i >= 45) events.Add(new { id = $"ch{i}", type = "chatbot.handed_off", occurredAt = Now.AddDays(-3), conversationId = $"c{i}" });
        }
        for (var i = 0; i < 600; i++)
        {
            var enriched = i < 300;
            events.Add(new { id = $"lc{i}", type = "lead.contacted", occurredAt = Now.AddDays(-10), leadId = $"l{i}" });
            if (enriched) events.Add(new { id = $"le{i}", type = "lead.enriched", occurredAt = Now.AddDays(-11), leadId = $"l{i}" });
            if (enriched ? i % 4 == 0 : i % 12 == 0) events.Add(new { id = $"lr{i}", type = "lead.responded", occurredAt = Now.AddDays(-9), leadId = $"l{i}" });
        }
        var client = app.WithToken(owner.Token);
        foreach (var chunk in events.Chunk(1000))
            await Api.ExpectAsync(await client.PostAsJsonAsync("/api/events", new { events = chunk }), HttpStatusCode.OK);
    }

    [Fact]
    public async Task Run_OnPlantedEvents_ShouldStoreFindingsOnce_ListThemInTheSpecsShape_AndPublishThem()
    {
        var owner = await app.RegisterAsync();
        await PlantAsync(owner);
        var client = app.WithToken(owner.Token);

        var run = await client.PostAsync("/api/ai/insights/run", null);
        await Api.ExpectAsync(run, HttpStatusCode.OK);
        var first = await run.JsonAsync();
        Assert.True(first.GetProperty("new").GetInt32() >= 2);
        var list = (await (await client.GetAsync("/api/ai/insights?type=optimization")).JsonAsync()).GetProperty("items").EnumerateArray().ToList();
        var chatbot = list.Single(i => i.GetProperty("detector").GetString() == "chatbot.tickets_prevented");
        Assert.Equal("Chatbot prevented ~40 tickets, saving $600", chatbot.GetProperty("title").GetString());
        Assert.Equal(40, chatbot.GetProperty("dataPoints").GetProperty("resolvedWithoutHandOff").GetInt32());
        Assert.InRange(chatbot.GetProperty("confidence").GetDouble(), 0.5, 0.99);
        foreach (var field in new[] { "id", "type", "title", "description", "confidence", "impact", "recommendation", "dataPoints", "detectedAt" })
            Assert.True(chatbot.TryGetProperty(field, out _), field);
        var leads = list.Single(i => i.GetProperty("detector").GetString() == "lead.enrichment_response");
        Assert.Equal("Enriched leads respond 25% vs 8%", leads.GetProperty("title").GetString());
        Assert.True(leads.GetProperty("confidence").GetDouble() > 0.99);
        Assert.Empty((await (await client.GetAsync("/api/ai/insights?type=usage_anomaly")).JsonAsync()).GetProperty("items").EnumerateArray());
        await Api.ExpectProblemAsync(await client.GetAsync("/api/ai/insights?type=bogus"), HttpStatusCode.BadRequest, "validation_failed");

        var again = await (await client.PostAsync("/api/ai/insights/run", null)).JsonAsync();
        Assert.Equal(0, again.GetProperty("new").GetInt32());
        Assert.Equal(2, await app.WithDbAsync(db => db.Set<Insight>().IgnoreQueryFilters().CountAsync(i => i.OrganizationId == owner.OrganizationId)));

        await app.DispatchEventsAsync();
        var published = await app.WithDbAsync(db => db.Set<RealtimeEvent>().IgnoreQueryFilters()
            .Where(e => e.OrganizationId == owner.OrganizationId && e.Type == InsightPublisher.EventType).ToListAsync());
        Assert.Equal(2, published.Count);
        Assert.All(published, e => Assert.Equal("insights.read", e.Permission));
        var other = await app.RegisterAsync();
        Assert.Empty((await (await app.WithToken(other.Token).GetAsync("/api/ai/insights")).JsonAsync()).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task Run_WhenTheDataNoLongerSupportsAFinding_ShouldMarkItNoLongerCurrent()
    {
        var owner = await app.RegisterAsync();
        await PlantAsync(owner);
        var client = app.WithToken(owner.Token);
        await Api.ExpectAsync(await client.PostAsync("/api/ai/insights/run", null), HttpStatusCode.OK);
        await app.WithDbAsync(db => db.Set<ProductEvent>().IgnoreQueryFilters()
            .Where(e => e.OrganizationId == owner.OrganizationId && e.Type == ProductEventTypes.LeadResponded).ExecuteDeleteAsync());

        var run = await (await client.PostAsync("/api/ai/insights/run", null)).JsonAsync();

        Assert.Equal(1, run.GetProperty("noLongerCurrent").GetInt32());
        var current = (await (await client.GetAsync("/api/ai/insights")).JsonAsync()).GetProperty("items").EnumerateArray().ToList();
        Assert.DoesNotContain(current, i => i.GetProperty("detector").GetString() == "lead.enrichment_response");
        var all = (await (await client.GetAsync("/api/ai/insights?includePast=true")).JsonAsync()).GetProperty("items").EnumerateArray().ToList();
        Assert.False(all.Single(i => i.GetProperty("detector").GetString() == "lead.enrichment_response").GetProperty("current").GetBoolean());
    }

    [Fact]
    public async Task Run_WithAPlantedSendTimeEffect_UsageSpikeAndIdleSeat_ShouldFindEach()
    {
        var owner = await app.RegisterAsync();
        var idle = await app.AddMemberAsync(owner, "member");
        var organizationId = owner.OrganizationId;
        var random = new Random(7);
        var today = new DateTimeOffset(Now.UtcDateTime.Date, TimeSpan.Zero);
        var events = new List<ValidProductEvent>();
        for (var day = today.AddDays(-80); day < today.AddDays(-3); day = day.AddDays(1))
            for (var hour = 8; hour <= 17; hour++)
            {
                if (day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday) continue;
                var rate = day.DayOfWeek == DayOfWeek.Tuesday && hour == 10 ? 0.40 : 0.20;
                for (var n = 0; n < 30; n++)
                {
                    var sentAt = day.AddHours(hour).AddMinutes(n);
                    var message = $"m{sentAt.UtcTicks}";
                    events.Add(new ValidProductEvent(0, organizationId, message + "s", ProductEventTypes.EmailSent, sentAt, message, "newsletter", sentAt, "{}"));
                    if (random.NextDouble() < rate)
                        events.Add(new ValidProductEvent(0, organizationId, message + "o", ProductEventTypes.EmailOpened, sentAt.AddHours(1), message, "newsletter", sentAt, "{}"));
                }
            }
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var writer = scope.ServiceProvider.GetRequiredService<ProductEventWriter>();
            foreach (var chunk in events.Chunk(1000)) await writer.WriteAsync(chunk, CancellationToken.None);
        }
        await app.WithDbAsync(async db =>
        {
            for (var day = today.AddDays(-70); day < today; day = day.AddDays(1))
                db.Set<UsageRollup>().Add(new UsageRollup
                {
                    OrganizationId = organizationId,
                    Metric = UsageMetric.ApiCalls,
                    Granularity = UsageGranularity.Day,
                    PeriodStart = day,
                    Value = (day == today.AddDays(-2) ? 5 : 1) * (day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? 200 : 1000) + random.Next(0, 50),
                });
            await db.Memberships.IgnoreQueryFilters().Where(m => m.UserId == idle.UserId).ExecuteUpdateAsync(m => m.SetProperty(x => x.CreatedAt, Now.AddDays(-90)));
            await db.Sessions.Where(s => s.UserId == idle.UserId).ExecuteUpdateAsync(s => s.SetProperty(x => x.CreatedAt, Now.AddDays(-45)).SetProperty(x => x.LastActivityAt, Now.AddDays(-40)));
            return await db.SaveChangesAsync();
        });

        var run = await (await app.WithToken(owner.Token).PostAsync("/api/ai/insights/run", null)).JsonAsync();

        var insights = run.GetProperty("insights").EnumerateArray().ToDictionary(i => i.GetProperty("detector").GetString()!, i => i);
        Assert.StartsWith("Emails sent Tuesday 10am UTC get", insights["email.best_send_time"].GetProperty("title").GetString());
        Assert.StartsWith("API calls spiked", insights["usage.anomaly"].GetProperty("title").GetString());
        Assert.Equal("usage_anomaly", insights["usage.anomaly"].GetProperty("type").GetString());
        Assert.Equal("1 of 2 seats have been idle for 30+ days", insights["optimization.idle_seats"].GetProperty("title").GetString());

        var suggestions = await (await app.WithToken(owner.Token).GetAsync("/api/ai/suggestions")).JsonAsync();
        Assert.Equal(2, suggestions.GetProperty("bestSendTime").GetProperty("weekday").GetInt32());
        Assert.Equal("newsletter", suggestions.GetProperty("templates")[0].GetProperty("template").GetString());
        Assert.Equal(["chatbot", "lead"], suggestions.GetProperty("unusedFeatures").EnumerateArray().Select(f => f.GetProperty("product").GetString()));
    }

    [Fact]
    public async Task PlatformInsights_ShouldBeForOperatorsOnly()
    {
        var operatorClient = app.WithToken(await app.LoginAsync(TestApp.Operator.Email, TestApp.Operator.Password));
        await Api.ExpectAsync(await operatorClient.PostAsync("/api/admin/ai/insights/run", null), HttpStatusCode.OK);
        await Api.ExpectAsync(await operatorClient.GetAsync("/api/admin/ai/insights"), HttpStatusCode.OK);
        var owner = await app.RegisterAsync();
        await Api.ExpectProblemAsync(await app.WithToken(owner.Token).GetAsync("/api/admin/ai/insights"), HttpStatusCode.Forbidden);
    }
}
