using System.Net;
using System.Net.Http.Json;
using System.Text;
using Intelagent.Server.Insights.Kernel;
using Intelagent.Tests.Infrastructure;
using Intelagent.Tests.Security;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Tests.Insights;

public sealed class EventsTestsOnSqlite(SqliteApp app) : EventsTests<SqliteApp>(app);
public sealed class EventsTestsOnPostgres(PostgresApp app) : EventsTests<PostgresApp>(app);

public abstract class EventsTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : TestApp
{
    private DateTimeOffset Now => app.Clock.GetUtcNow();

    private object Email(string id, string type, string messageId, DateTimeOffset sentAt, string? variant = null, object? properties = null) =>
        new { id, type, occurredAt = sentAt.AddMinutes(5), messageId, sentAt, variant, properties };

    private Task<List<ProductEventRollup>> RollupsAsync(string organizationId) =>
        app.WithDbAsync(db => db.Set<ProductEventRollup>().IgnoreQueryFilters().Where(r => r.OrganizationId == organizationId).ToListAsync());

    private Task<List<ProductEvent>> EventsAsync(string organizationId) =>
        app.WithDbAsync(db => db.Set<ProductEvent>().IgnoreQueryFilters().Where(e => e.OrganizationId == organizationId).ToListAsync());

    [Fact]
    public async Task Report_WithAMixedBatch_ShouldStoreTheValidOnes_AndReportEachRejectedByIndex()
    {
        var owner = await app.RegisterAsync();
        var other = await app.RegisterAsync();
        // A Tuesday at 10:00 UTC, within the last week.
        var tuesday = Now.UtcDateTime.Date.AddDays(-7 - (((int)Now.UtcDateTime.DayOfWeek + 5) % 7)).AddHours(10);
        var sentAt = new DateTimeOffset(tuesday, TimeSpan.Zero);
        var events = new object?[]
        {
            new { id = "c1", type = "chatbot.conversation_resolved", occurredAt = Now.AddHours(-1), conversationId = "conv-1", variant = "faq-flow" },
            Email("m1", "email.sent", "msg-1", sentAt, "spring"),
            Email("m1-open", "email.opened", "msg-1", sentAt, "spring"),
            new { id = "l1", type = "lead.enriched", occurredAt = Now.AddDays(-2), leadId = "lead-1", properties = new { source = "clearbit" } },
            new { id = "x1", type = "custom.report_exported", occurredAt = Now.AddMinutes(-3), properties = new { format = "pdf", pages = 3 } },
            new { id = "bad-email", type = "email.opened", occurredAt = Now, messageId = "msg-2" },
            new { id = "bad-future", type = "lead.contacted", occurredAt = Now.AddDays(2), leadId = "lead-2" },
            new { id = "bad-type", type = "invoice.paid", occurredAt = Now },
            new { id = "bad-org", type = "custom.thing", occurredAt = Now, organizationId = other.OrganizationId },
            new { type = "chatbot.handed_off", occurredAt = Now },
            null,
        };

        var response = await app.WithToken(owner.Token).PostAsJsonAsync("/api/events", new { events });

        await Api.ExpectAsync(response, HttpStatusCode.OK);
        var body = await response.JsonAsync();
        Assert.Equal(5, body.GetProperty("accepted").GetInt32());
        Assert.Equal(6, body.GetProperty("rejectedCount").GetInt32());
        var rejected = body.GetProperty("rejected").EnumerateArray().ToDictionary(r => r.GetProperty("index").GetInt32(), r => string.Join(" ", r.GetProperty("reasons").EnumerateArray().Select(x => x.GetString())));
        Assert.Equal([5, 6, 7, 8, 9, 10], rejected.Keys.Order());
        Assert.Contains("sentAt", rejected[5]);
        Assert.Contains("future", rejected[6]);
        Assert.Contains("not a known product event type", rejected[7]);
        Assert.Contains("another organization", rejected[8]);
        Assert.Contains("id is required", rejected[9]);
        Assert.Contains("conversationId is required", rejected[9]);

        var stored = await EventsAsync(owner.OrganizationId);
        Assert.Equal(["c1", "l1", "m1", "m1-open", "x1"], stored.Select(e => e.EventId).Order());
        var open = stored.Single(e => e.EventId == "m1-open");
        Assert.Equal("msg-1", open.SubjectKey);
        Assert.Equal(sentAt, open.SentAt);
        Assert.Equal(new DateTimeOffset(sentAt.UtcDateTime.Date, TimeSpan.Zero), open.Day);
        Assert.Contains("\"pages\":3", stored.Single(e => e.EventId == "x1").PropertiesJson);
        var rollups = await RollupsAsync(owner.OrganizationId);
        Assert.Equal(1, rollups.Single(r => r.Type == "email.sent" && r.Dimension == "sent:2-10").Count);
        Assert.Equal(1, rollups.Single(r => r.Type == "email.opened" && r.Dimension == "variant:spring").Count);
        Assert.Equal(1, rollups.Single(r => r.Type == "chatbot.conversation_resolved" && r.Dimension == "").Count);
        Assert.Empty(await EventsAsync(other.OrganizationId));
    }

    [Fact]
    public async Task Report_WhenResent_ShouldReportDuplicates_AndCountTheRollupsOnce()
    {
        var owner = await app.RegisterAsync();
        var client = app.WithToken(owner.Token);
        var batch = new { events = Enumerable.Range(0, 20).Select(i => new { id = $"e{i}", type = "custom.clicked", occurredAt = Now.AddMinutes(-i) }).ToArray() };
        Assert.Equal(20, (await (await client.PostAsJsonAsync("/api/events", batch)).JsonAsync()).GetProperty("accepted").GetInt32());

        var again = new { events = batch.events.Append(new { id = "e20", type = "custom.clicked", occurredAt = Now }).Append(new { id = "e20", type = "custom.clicked", occurredAt = Now }).ToArray() };
        var body = await (await client.PostAsJsonAsync("/api/events", again)).JsonAsync();

        Assert.Equal(1, body.GetProperty("accepted").GetInt32());
        Assert.Equal(21, body.GetProperty("duplicateCount").GetInt32());
        Assert.Equal(21, (await EventsAsync(owner.OrganizationId)).Count);
        Assert.Equal(21, (await RollupsAsync(owner.OrganizationId)).Where(r => r.Dimension == "").Sum(r => r.Count));
    }

    [Fact]
    public async Task Report_ConcurrentlyWithTheSameEvents_ShouldStoreAndCountEachOnce()
    {
        var owner = await app.RegisterAsync();
        var events = Enumerable.Range(0, 200).Select(i => new { id = $"same-{i}", type = "chatbot.conversation_started", occurredAt = Now.AddMinutes(-i), conversationId = $"c{i}" }).ToArray();
        var tasks = Enumerable.Range(0, 6).Select(_ => app.WithToken(owner.Token).PostAsJsonAsync("/api/events", new { events })).ToList();
        var responses = await Task.WhenAll(tasks);

        foreach (var response in responses) await Api.ExpectAsync(response, HttpStatusCode.OK);
        var accepted = 0;
        foreach (var response in responses) accepted += (await response.JsonAsync()).GetProperty("accepted").GetInt32();
        Assert.Equal(200, accepted);
        Assert.Equal(200, (await EventsAsync(owner.OrganizationId)).Count);
        Assert.Equal(200, (await RollupsAsync(owner.OrganizationId)).Where(r => r.Dimension == "").Sum(r => r.Count));
    }

    [Fact]
    public async Task Report_WithNothingValid_ShouldBeProblems_AndStoreNothing()
    {
        var owner = await app.RegisterAsync();
        var client = app.WithToken(owner.Token);

        var none = await Api.ExpectProblemAsync(await client.PostAsJsonAsync("/api/events", new { events = new[] { new { id = "a", type = "nope", occurredAt = Now } } }), HttpStatusCode.UnprocessableEntity, "no_valid_events");
        Assert.True(none.GetProperty("errors").TryGetProperty("events[0]", out _));
        await Api.ExpectProblemAsync(await client.PostAsJsonAsync("/api/events", new { events = Array.Empty<object>() }), HttpStatusCode.BadRequest, "validation_failed");
        await Api.ExpectProblemAsync(await client.PostAsJsonAsync("/api/events", new { }), HttpStatusCode.BadRequest, "validation_failed");
        var oversized = Enumerable.Range(0, 1001).Select(i => new { id = $"e{i}", type = "custom.x", occurredAt = Now }).ToArray();
        await Api.ExpectProblemAsync(await client.PostAsJsonAsync("/api/events", new { events = oversized }), HttpStatusCode.BadRequest, "validation_failed");
        await Api.ExpectProblemAsync(await client.PostAsync("/api/events", new StringContent("{\"events\": [", Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest, "invalid_json");
        await Api.ExpectProblemAsync(await client.PostAsync("/api/events", new StringContent("{\"events\": [{\"id\": 5, \"occurredAt\": \"soon\"}]}", Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest);
        var huge = new { events = new[] { new { id = "big", type = "custom.big", occurredAt = Now, properties = new { text = new string('x', 9000) } } } };
        await Api.ExpectProblemAsync(await client.PostAsJsonAsync("/api/events", huge), HttpStatusCode.UnprocessableEntity, "no_valid_events");
        Assert.Empty(await EventsAsync(owner.OrganizationId));
    }

    [Fact]
    public async Task Report_WithAnApiKey_ShouldActForItsOrganization_AndNeedTheEventsScope()
    {
        var owner = await app.RegisterAsync();
        var other = await app.RegisterAsync();
        var key = await app.CreateKeyAsync(owner, ["events.report"]);
        var events = new object[]
        {
            new { id = "k1", type = "lead.contacted", occurredAt = Now, leadId = "lead-9" },
            new { id = "k2", type = "lead.responded", occurredAt = Now, leadId = "lead-9", organizationId = other.OrganizationId },
        };

        var body = await (await app.WithKey(key.Secret).PostAsJsonAsync("/api/events", new { events })).JsonAsync();

        Assert.Equal(1, body.GetProperty("accepted").GetInt32());
        Assert.Equal(1, body.GetProperty("rejected")[0].GetProperty("index").GetInt32());
        Assert.Single(await EventsAsync(owner.OrganizationId));
        Assert.Empty(await EventsAsync(other.OrganizationId));
        var readOnly = await app.CreateKeyAsync(owner, ["usage.read"]);
        await Api.ExpectProblemAsync(await app.WithKey(readOnly.Secret).PostAsJsonAsync("/api/events", new { events }), HttpStatusCode.Forbidden, "api_key_scope");
    }

    [Fact]
    public async Task ReportAcrossTenants_AsOperator_ShouldNeedTheOrganizationInEachEvent()
    {
        var owner = await app.RegisterAsync();
        var operatorToken = await app.LoginAsync(TestApp.Operator.Email, TestApp.Operator.Password);
        var events = new object[]
        {
            new { id = "o1", type = "chatbot.ticket_created", occurredAt = Now, conversationId = "c-1", organizationId = owner.OrganizationId },
            new { id = "o2", type = "chatbot.ticket_created", occurredAt = Now, conversationId = "c-2" },
            new { id = "o3", type = "chatbot.ticket_created", occurredAt = Now, conversationId = "c-3", organizationId = "org_01jzzzzzzzzzzzzzzzzzzzzzzz" },
        };

        var body = await (await app.WithToken(operatorToken).PostAsJsonAsync("/api/admin/events", new { events })).JsonAsync();

        Assert.Equal(1, body.GetProperty("accepted").GetInt32());
        Assert.Equal([1, 2], body.GetProperty("rejected").EnumerateArray().Select(r => r.GetProperty("index").GetInt32()));
        Assert.Equal("o1", (await EventsAsync(owner.OrganizationId)).Single().EventId);
        await Api.ExpectProblemAsync(await app.WithToken(owner.Token).PostAsJsonAsync("/api/admin/events", new { events }), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task DeletionRequest_ShouldErasePersonalDataFromTheEventsProperties()
    {
        var owner = await app.RegisterAsync();
        var lead = Api.UniqueEmail("lead");
        var events = new object[]
        {
            new { id = "p1", type = "lead.enriched", occurredAt = Now, leadId = lead, properties = new { email = lead, name = "Zoë Quartermaine", company = "Initech" } },
            new { id = "p2", type = "custom.note", occurredAt = Now, properties = new { note = "spoke to someone else" } },
        };
        await Api.ExpectAsync(await app.WithToken(owner.Token).PostAsJsonAsync("/api/events", new { events }), HttpStatusCode.OK);
        Assert.Contains("Zoë Quartermaine", (await EventsAsync(owner.OrganizationId)).Single(e => e.EventId == "p1").PropertiesJson);

        await Api.ExpectAsync(await app.WithToken(owner.Token).PostAsJsonAsync("/api/security/data-requests", new { type = "delete", subjectEmail = lead }), HttpStatusCode.Created);
        await app.DispatchEventsAsync();

        var stored = await EventsAsync(owner.OrganizationId);
        Assert.DoesNotContain(stored, e => e.PropertiesJson.Contains(lead, StringComparison.OrdinalIgnoreCase) || (e.SubjectKey ?? "").Contains(lead, StringComparison.OrdinalIgnoreCase));
        Assert.Equal(2, stored.Count);
        Assert.Contains("Initech", stored.Single(e => e.EventId == "p1").PropertiesJson);
    }
}
