using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Intelagent.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Tests.Billing;

public sealed class CostAlertTestsOnSqlite(SqliteApp app) : CostAlertTests<SqliteApp>(app);
public sealed class CostAlertTestsOnPostgres(PostgresApp app) : CostAlertTests<PostgresApp>(app);

/// <summary>Cost alerts: a threshold or a rise over the previous month fires once per month and emails the operators.</summary>
public abstract class CostAlertTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : TestApp
{
    private async Task<HttpClient> OperatorAsync() => app.WithToken(await app.LoginAsync(TestApp.Operator.Email, TestApp.Operator.Password));

    private string Month(int offset) => app.Clock.GetUtcNow().AddMonths(offset).ToString("yyyy-MM", CultureInfo.InvariantCulture);

    private static Task<HttpResponseMessage> CostAsync(HttpClient client, string month, string product, decimal amount) =>
        client.PostAsJsonAsync("/api/financial/costs", new { month, category = "compute", product, amount, currency = "USD" });

    private Task<int> FiringsAsync(string ruleId) => app.WithDbAsync(db => db.Set<Intelagent.Server.Billing.Metrics.CostAlertFiring>().CountAsync(f => f.RuleId == ruleId));

    [Fact]
    public async Task RiseAlert_WhenTheMonthRisesPastThePercent_ShouldFireOnceAndEmailTheOperator()
    {
        var client = await OperatorAsync();
        var product = "p" + Guid.NewGuid().ToString("N")[..8];
        var rule = await client.PostAsJsonAsync("/api/financial/cost-alerts", new { kind = "rise", product, percent = 50 });
        await Api.ExpectAsync(rule, HttpStatusCode.Created);
        var ruleId = (await rule.JsonAsync()).GetProperty("id").GetString()!;

        await Api.ExpectAsync(await CostAsync(client, Month(-1), product, 100m), HttpStatusCode.Created);
        await Api.ExpectAsync(await CostAsync(client, Month(0), product, 100m), HttpStatusCode.Created);
        Assert.Equal(0, await FiringsAsync(ruleId)); // 100 -> 100: no rise

        await Api.ExpectAsync(await CostAsync(client, Month(0), product, 60m), HttpStatusCode.Created);
        Assert.Equal(1, await FiringsAsync(ruleId)); // 100 -> 160: +60% >= 50%
        await Api.ExpectAsync(await CostAsync(client, Month(0), product, 10m), HttpStatusCode.Created);
        Assert.Equal(1, await FiringsAsync(ruleId)); // still once for the month

        var firings = await (await client.GetAsync("/api/financial/cost-alerts/firings")).JsonAsync();
        var firing = firings.EnumerateArray().Single(f => f.GetProperty("ruleId").GetString() == ruleId);
        Assert.Contains("rose 60", firing.GetProperty("message").GetString());
        Assert.True(await app.WithDbAsync(db => db.EmailMessages.AnyAsync(m => m.To == TestApp.Operator.Email && m.Purpose == "cost-alert" && m.TextBody.Contains(product))));
    }

    [Fact]
    public async Task ThresholdAlert_ShouldFireOnlyAboveTheAmount()
    {
        var client = await OperatorAsync();
        var product = "q" + Guid.NewGuid().ToString("N")[..8];
        var rule = await client.PostAsJsonAsync("/api/financial/cost-alerts", new { kind = "threshold", product, amount = 500 });
        var ruleId = (await rule.JsonAsync()).GetProperty("id").GetString()!;

        await CostAsync(client, Month(0), product, 400m);
        Assert.Equal(0, await FiringsAsync(ruleId));
        await CostAsync(client, Month(0), product, 200m);
        Assert.Equal(1, await FiringsAsync(ruleId));

        await Api.ExpectAsync(await client.DeleteAsync($"/api/financial/cost-alerts/{ruleId}"), HttpStatusCode.NoContent);
        await Api.ExpectProblemAsync(await client.DeleteAsync($"/api/financial/cost-alerts/{ruleId}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Create_WithBadInput_ShouldAnswerProblems()
    {
        var client = await OperatorAsync();

        await Api.ExpectProblemAsync(await client.PostAsJsonAsync("/api/financial/cost-alerts", new { kind = "sometimes" }), HttpStatusCode.BadRequest, "validation_failed");
        await Api.ExpectProblemAsync(await client.PostAsJsonAsync("/api/financial/cost-alerts", new { kind = "threshold", amount = -5 }), HttpStatusCode.BadRequest, "validation_failed");
        await Api.ExpectProblemAsync(await client.PostAsJsonAsync("/api/financial/cost-alerts", new { kind = "rise" }), HttpStatusCode.BadRequest, "validation_failed");
        var owner = await app.RegisterAsync();
        await Api.ExpectAsync(await app.WithToken(owner.Token).PostAsJsonAsync("/api/financial/cost-alerts", new { kind = "rise", percent = 10 }), HttpStatusCode.Forbidden);
    }
}
