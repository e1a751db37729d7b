using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Intelagent.Server.Insights.Kernel;
using Intelagent.Server.Insights.Query;
using Intelagent.Server.Usage;
using Intelagent.Tests.Infrastructure;

namespace Intelagent.Tests.Insights;

public sealed class QueryEndpointTestsOnSqlite(SqliteApp app) : QueryEndpointTests<SqliteApp>(app);
public sealed class QueryEndpointTestsOnPostgres(PostgresApp app) : QueryEndpointTests<PostgresApp>(app);

/// <summary>POST /api/ai/query and its operator twin: answers from real rows, permissions per metric, honest refusals.</summary>
public abstract class QueryEndpointTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : TestApp
{
    private static async Task<JsonElement> AskAsync(HttpClient client, string question, string url = "/api/ai/query")
    {
        var response = await client.PostAsJsonAsync(url, new { question });
        await Api.ExpectAsync(response, HttpStatusCode.OK);
        return await response.JsonAsync();
    }

    private async Task<HttpClient> OperatorAsync() => app.WithToken(await app.LoginAsync(TestApp.Operator.Email, TestApp.Operator.Password));

    private static DateTimeOffset UtcDay(DateTimeOffset at, int daysBack) => new DateTimeOffset(at.UtcDateTime.Date, TimeSpan.Zero).AddDays(-daysBack);

    [Fact]
    public async Task Ask_WhenProductEventsWereRolledUp_ShouldCountThemAndCompareWithTheDayBefore()
    {
        var owner = await app.RegisterAsync();
        var now = app.Clock.GetUtcNow();
        await app.WithDbAsync(async db =>
        {
            db.Set<ProductEventRollup>().AddRange(
                new ProductEventRollup { OrganizationId = owner.OrganizationId, Day = UtcDay(now, 1), Type = ProductEventTypes.ChatbotConversationStarted, Dimension = "", Count = 40 },
                new ProductEventRollup { OrganizationId = owner.OrganizationId, Day = UtcDay(now, 2), Type = ProductEventTypes.ChatbotConversationStarted, Dimension = "", Count = 25 },
                new ProductEventRollup { OrganizationId = owner.OrganizationId, Day = UtcDay(now, 40), Type = ProductEventTypes.ChatbotConversationStarted, Dimension = "", Count = 1000 });
            return await db.SaveChangesAsync();
        });
        var client = app.WithToken(owner.Token);

        var answer = await AskAsync(client, "How many chatbot convresations in the past 30 days?");
        Assert.True(answer.GetProperty("understood").GetBoolean());
        Assert.Equal("conversations", answer.GetProperty("interpreted").GetProperty("metric").GetString());
        Assert.Equal("parser", answer.GetProperty("interpreter").GetString());
        Assert.Contains("65", answer.GetProperty("answer").GetString());
        Assert.Equal(65, answer.GetProperty("table").GetProperty("rows")[0][1].GetInt64());
        Assert.Contains(answer.GetProperty("corrections").EnumerateArray(), c => c.GetString() == "convresations → conversations");

        var yesterday = await AskAsync(client, "conversations yesterday compared to the previous period");
        Assert.Equal("comparison", yesterday.GetProperty("interpreted").GetProperty("intent").GetString());
        var rows = yesterday.GetProperty("table").GetProperty("rows");
        Assert.Equal((40m, 25m), (rows[0][1].GetDecimal(), rows[1][1].GetDecimal()));
        Assert.Contains("+60%", yesterday.GetProperty("answer").GetString());
    }

    [Fact]
    public async Task Ask_WhenOpenRateByWeekday_ShouldGiveRatesWithIntervalsAndTestTheLeader()
    {
        var owner = await app.RegisterAsync();
        var day = UtcDay(app.Clock.GetUtcNow(), 3);
        ProductEventRollup Cell(string type, string dimension, long count) => new() { OrganizationId = owner.OrganizationId, Day = day, Type = type, Dimension = dimension, Count = count };
        await app.WithDbAsync(async db =>
        {
            db.Set<ProductEventRollup>().AddRange(
                Cell(ProductEventTypes.EmailSent, "sent:2-10", 1000), Cell(ProductEventTypes.EmailOpened, "sent:2-10", 400),
                Cell(ProductEventTypes.EmailSent, "sent:4-15", 1000), Cell(ProductEventTypes.EmailOpened, "sent:4-15", 200));
            return await db.SaveChangesAsync();
        });

        var answer = await AskAsync(app.WithToken(owner.Token), "What is our email open rate by weekday?");
        var rows = answer.GetProperty("table").GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(7, rows.Count);
        var tuesday = rows.Single(r => r[0].GetString() == "Tuesday");
        Assert.Equal(0.4, tuesday[1].GetDouble());
        Assert.True(tuesday[3].GetDouble() < 0.4 && tuesday[4].GetDouble() > 0.4);
        Assert.Contains("significant", answer.GetProperty("answer").GetString());
        Assert.Equal("bar", answer.GetProperty("chart").GetProperty("kind").GetString());
    }

    [Fact]
    public async Task Ask_WhenUsageAndMembersExist_ShouldSumTheOrganizationsOwnRowsOnly()
    {
        var owner = await app.RegisterAsync();
        var other = await app.RegisterAsync(organizationName: "Other tenant");
        await app.AddMemberAsync(owner, "member");
        var now = app.Clock.GetUtcNow();
        await app.WithDbAsync(async db =>
        {
            db.Set<UsageRollup>().AddRange(
                new UsageRollup { OrganizationId = owner.OrganizationId, Metric = UsageMetric.ApiCalls, Granularity = UsageGranularity.Day, PeriodStart = UtcDay(now, 2), Value = 120 },
                new UsageRollup { OrganizationId = owner.OrganizationId, Metric = UsageMetric.ApiCalls, Granularity = UsageGranularity.Hour, PeriodStart = UtcDay(now, 2), Value = 120 },
                new UsageRollup { OrganizationId = other.OrganizationId, Metric = UsageMetric.ApiCalls, Granularity = UsageGranularity.Day, PeriodStart = UtcDay(now, 2), Value = 999 });
            return await db.SaveChangesAsync();
        });
        var client = app.WithToken(owner.Token);

        var calls = await AskAsync(client, "How many API calls did we make in the last 7 days?");
        Assert.Equal(120, calls.GetProperty("table").GetProperty("rows")[0][1].GetInt64());
        var members = await AskAsync(client, "How many seats are we using?");
        Assert.Contains("2 members", members.GetProperty("answer").GetString());

        var foreign = await client.PostAsJsonAsync("/api/ai/query", new { question = "API calls for customer \"Other tenant\" last month" });
        await Api.ExpectProblemAsync(foreign, HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Ask_WhenTheRoleLacksTheMetricsPermission_ShouldBeForbidden()
    {
        var owner = await app.RegisterAsync();
        var member = await app.AddMemberAsync(owner, "member");
        var memberClient = app.WithToken(member.Token);
        await Api.ExpectProblemAsync(await memberClient.PostAsJsonAsync("/api/ai/query", new { question = "What's driving our cost increase?" }), HttpStatusCode.Forbidden, "forbidden");
        await Api.ExpectProblemAsync(await app.WithToken(owner.Token).PostAsJsonAsync("/api/ai/query", new { question = "Show me revenue growth last quarter" }), HttpStatusCode.Forbidden, "forbidden");

        var manager = await app.AddMemberAsync(owner, "manager");
        var risk = await AskAsync(app.WithToken(manager.Token), "Which customers are at risk of churning?");
        Assert.Equal("risk", risk.GetProperty("interpreted").GetProperty("intent").GetString());
        Assert.Contains("scored for the platform's operators", risk.GetProperty("answer").GetString());
        Assert.Empty(risk.GetProperty("table").GetProperty("rows").EnumerateArray());
    }

    [Fact]
    public async Task Ask_WhenTheQuestionIsEmptyOversizedOrUnanswerable_ShouldSaySoWithoutAServerError()
    {
        var client = app.WithToken((await app.RegisterAsync()).Token);
        await Api.ExpectProblemAsync(await client.PostAsJsonAsync("/api/ai/query", new { question = "  " }), HttpStatusCode.BadRequest);
        await Api.ExpectProblemAsync(await client.PostAsJsonAsync("/api/ai/query", new { }), HttpStatusCode.BadRequest);
        await Api.ExpectProblemAsync(await client.PostAsJsonAsync("/api/ai/query", new { question = new string('x', 501) }), HttpStatusCode.UnprocessableEntity, "question_too_long");

        var weather = await AskAsync(client, "What's the weather in Paris?");
        Assert.False(weather.GetProperty("understood").GetBoolean());
        Assert.Contains("Which customers are at risk of churning?", weather.GetProperty("suggestions").EnumerateArray().Select(s => s.GetString()));
        var hourly = await AskAsync(client, "How many members by hour?");
        Assert.False(hourly.GetProperty("understood").GetBoolean());
    }

    [Fact]
    public async Task AskPlatform_WhenTheLedgerHasRevenue_ShouldAnswerRevenueGrowthLastQuarter()
    {
        var now = app.Clock.GetUtcNow();
        var quarterStart = new DateTimeOffset(now.Year, (now.Month - 1) / 3 * 3 + 1, 1, 0, 0, 0, TimeSpan.Zero);
        var lastQuarter = quarterStart.AddMonths(-3);
        object Start(string id, DateTimeOffset at, decimal amount) => new
        {
            id = "qry-ev-" + id,
            customerId = "qry-" + id,
            subscriptionId = "qry-sub-" + id,
            type = "start",
            at,
            product = "chatbot",
            tier = "pro",
            interval = "month",
            amount,
            currency = "USD",
            quantity = 1,
            discountPercent = 0,
        };
        var client = await OperatorAsync();
        var import = await client.PostAsJsonAsync("/api/financial/import", new
        {
            customers = new[] { new { id = "qry-a", name = "A", segment = "smb", country = "DE", createdAt = lastQuarter.AddMonths(-2) }, new { id = "qry-b", name = "B", segment = "smb", country = "DE", createdAt = lastQuarter.AddMonths(-2) } },
            subscriptionEvents = new[] { Start("a", lastQuarter.AddMonths(-1), 100m), Start("b", lastQuarter.AddMonths(1).AddDays(3), 50m) },
        });
        await Api.ExpectAsync(import, HttpStatusCode.OK);

        var answer = await AskAsync(client, "Show me revenue growth last quarter", "/api/admin/ai/query");
        var interpreted = answer.GetProperty("interpreted");
        Assert.Equal(("mrr", "growth", "month"), (interpreted.GetProperty("metric").GetString(), interpreted.GetProperty("intent").GetString(), interpreted.GetProperty("groupBy").GetString()));
        Assert.Equal(lastQuarter, interpreted.GetProperty("time").GetProperty("from").GetDateTimeOffset());
        Assert.Equal(quarterStart, interpreted.GetProperty("time").GetProperty("to").GetDateTimeOffset());
        var rows = answer.GetProperty("table").GetProperty("rows").EnumerateArray().Select(r => r[1].GetDecimal()).ToList();
        Assert.Equal([100m, 150m, 150m], rows);
        Assert.Contains("+50%", answer.GetProperty("answer").GetString());
        Assert.Equal("line", answer.GetProperty("chart").GetProperty("kind").GetString());

        var drivers = await AskAsync(client, "What's driving our cost increase?", "/api/admin/ai/query");
        Assert.Equal("drivers", drivers.GetProperty("interpreted").GetProperty("intent").GetString());
        // The imported ledger has revenue but no cost entries: nothing changed, and the answer says so rather than inventing drivers.
        Assert.Contains("Cost did not change", drivers.GetProperty("answer").GetString());

        await Api.ExpectProblemAsync(await client.PostAsJsonAsync("/api/admin/ai/query", new { question = "API calls for customer \"No Such Company\"" }), HttpStatusCode.NotFound);
    }
}
