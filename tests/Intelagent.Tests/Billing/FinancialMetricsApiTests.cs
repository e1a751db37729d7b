using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Intelagent.Server.Billing.Kernel;
using Intelagent.Server.Billing.Metrics;
using Intelagent.Server.Platform.Auditing;
using Intelagent.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Intelagent.Tests.Billing;

public sealed class FinancialMetricsApiTestsOnSqlite(SqliteApp app) : FinancialMetricsApiTests<SqliteApp>(app);
public sealed class FinancialMetricsApiTestsOnPostgres(PostgresApp app) : FinancialMetricsApiTests<PostgresApp>(app);

/// <summary>The import and the operator's metrics over HTTP, with <see cref="FinancialMetricsFixture"/> as the company's history.</summary>
public abstract class FinancialMetricsApiTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : TestApp
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    private async Task<HttpClient> OperatorAsync() => app.WithToken(await app.LoginAsync(TestApp.Operator.Email, TestApp.Operator.Password));

    /// <summary>The fixture in the import's JSON shape, with customer ids made unique per call so tests do not share customers.</summary>
    private static object FixtureFile(string prefix)
    {
        var input = FinancialMetricsFixture.Input();
        return new
        {
            customers = input.Customers.Select(c => new { id = prefix + c.Id, name = "Customer " + c.Id, c.Segment, country = "DE", createdAt = "2025-12-01T00:00:00Z" }),
            subscriptionEvents = input.Ledger.Select((e, i) => new
            {
                id = $"{prefix}ev{i}",
                customerId = prefix + e.CustomerId,
                subscriptionId = prefix + e.SubscriptionId,
                type = e.Type.ToString().ToLowerInvariant(),
                at = e.At,
                e.Product,
                e.Tier,
                interval = e.Interval.ToString().ToLowerInvariant(),
                e.Amount,
                e.Currency,
                e.Quantity,
                e.DiscountPercent,
                e.TrialEndsAt,
            }),
            costs = input.Costs.Select(c => new { month = c.Month.ToString(), c.Category, c.Product, customerId = c.CustomerId is null ? null : prefix + c.CustomerId, c.Amount, c.Currency }),
            cash = input.Cash.Select(c => new { month = c.Month.ToString(), balance = c.Amount, c.Currency }),
            acquisitionSpend = input.AcquisitionSpend.Select(c => new { month = c.Month.ToString(), c.Amount, c.Currency }),
            fxRates = input.Rates.Select(r => new { month = r.Month.ToString(), r.Currency, r.RateToReporting }),
        };
    }

    [Fact]
    public async Task Import_WhenTheHandComputedFixtureIsLoaded_ShouldServeEveryFigureAndChangeNothingTheSecondTime()
    {
        var client = await OperatorAsync();
        var first = await client.PostAsJsonAsync("/api/financial/import", FixtureFile("fx-"));
        await Api.ExpectAsync(first, HttpStatusCode.OK);
        var result = await first.Content.ReadFromJsonAsync<ImportResult>(Web);
        Assert.Equal(new ImportResult(5, 0, 11, 0, 5, 4, 3, 3), result);

        var rows = await app.WithDbAsync(async db => new
        {
            Customers = await db.Set<FinancialCustomer>().IgnoreQueryFilters().Where(c => c.ExternalId!.StartsWith("fx-")).CountAsync(),
            Events = await db.Set<SubscriptionEvent>().IgnoreQueryFilters().Where(e => e.ExternalId!.StartsWith("fx-")).CountAsync(),
            Costs = await db.Set<CostEntry>().CountAsync(c => c.ImportKey != null),
            Audited = await db.Set<AuditEntry>().IgnoreQueryFilters().CountAsync(a => a.Action == "financial.imported"),
        });
        Assert.Equal((5, 11, 5, 1), (rows.Customers, rows.Events, rows.Costs, rows.Audited));

        var again = await client.PostAsJsonAsync("/api/financial/import", FixtureFile("fx-"));
        Assert.Equal(new ImportResult(0, 5, 0, 11, 5, 4, 3, 3), await again.Content.ReadFromJsonAsync<ImportResult>(Web));
        var after = await app.WithDbAsync(async db => (
            await db.Set<FinancialCustomer>().IgnoreQueryFilters().CountAsync(),
            await db.Set<SubscriptionEvent>().IgnoreQueryFilters().CountAsync(),
            (await db.Set<CostEntry>().Where(c => c.ImportKey != null).Select(c => c.Amount).ToListAsync()).Sum()));
        Assert.Equal((5, 11, 55m + 85 + 59 + 10 + 41), after);

        var metrics = await (await client.GetAsync("/api/financial/metrics?from=2026-01&to=2026-04")).JsonAsync();
        var months = metrics.GetProperty("months").EnumerateArray().ToList();
        Assert.Equal([275m, 425m, 355m, 205m], months.Select(m => m.GetProperty("mrr").GetDecimal()));
        var march = months[2];
        Assert.Equal(45m, march.GetProperty("movements").GetProperty("reactivation").GetDecimal());
        Assert.Equal(5m, march.GetProperty("movements").GetProperty("expansion").GetDecimal());
        Assert.Equal(120m, march.GetProperty("movements").GetProperty("contraction").GetDecimal());
        Assert.Equal(0.729412m, march.GetProperty("netRevenueRetention").GetDecimal());
        Assert.Equal(426m, march.GetProperty("ltv").GetDecimal());
        Assert.Equal(JsonValueKind.Null, march.GetProperty("cac").ValueKind); // spend without a new customer: no CAC, not 0
        Assert.Equal(71m, march.GetProperty("infrastructureCost").GetDecimal());
        var april = months[3];
        Assert.Equal(800m, april.GetProperty("burn").GetDecimal());
        Assert.Equal(9.5m, april.GetProperty("runwayMonths").GetDecimal());
        Assert.Equal(281.14m, april.GetProperty("ltv").GetDecimal());

        var cohorts = await (await client.GetAsync("/api/financial/cohorts")).JsonAsync();
        var january = cohorts.GetProperty("cohorts").EnumerateArray().First();
        Assert.Equal("2026-01", january.GetProperty("month").GetString());
        Assert.Equal([1m, 1.181818m, 0.927273m, 0.381818m], january.GetProperty("revenueRetention").EnumerateArray().Take(4).Select(v => v.GetDecimal()));

        var forecast = await (await client.GetAsync("/api/financial/forecast")).JsonAsync();
        Assert.Equal(12, forecast.GetProperty("revenue").GetArrayLength());
        Assert.True(forecast.GetProperty("backtestPoints").GetInt32() > 0);
    }

    [Fact]
    public async Task Import_WhenOneRowIsBad_ShouldNameItsPositionAndApplyNothing()
    {
        var client = await OperatorAsync();
        var file = new
        {
            customers = new[] { new { id = "bad-1", name = "Good customer", segment = "smb", country = "FR", createdAt = "2025-01-01T00:00:00Z" } },
            subscriptionEvents = new object[]
            {
                new { id = "bad-ev0", customerId = "bad-1", subscriptionId = "s", type = "start", at = "2025-02-01T00:00:00Z", product = "chatbot", tier = "basic", interval = "month", amount = 10m, currency = "USD", quantity = 1 },
                new { id = "bad-ev1", customerId = "bad-1", subscriptionId = "s", type = "change", at = "2025-03-01T00:00:00Z", product = "chatbot", tier = "basic", interval = "month", amount = -5m, currency = "USD", quantity = 1 },
            },
            fxRates = new[] { new { month = "2025-02", currency = "EUR", rateToReporting = 1.1m } },
        };
        var response = await client.PostAsJsonAsync("/api/financial/import", file);
        var problem = await Api.ExpectProblemAsync(response, HttpStatusCode.UnprocessableEntity, "import_invalid");
        Assert.True(problem.GetProperty("errors").TryGetProperty("subscriptionEvents[1].amount", out _), problem.ToString());

        var left = await app.WithDbAsync(async db => (
            await db.Set<FinancialCustomer>().IgnoreQueryFilters().CountAsync(c => c.ExternalId == "bad-1"),
            await db.Set<SubscriptionEvent>().IgnoreQueryFilters().CountAsync(e => e.ExternalId!.StartsWith("bad-")),
            await db.Set<ExchangeRate>().CountAsync(r => r.Month == "2025-02")));
        Assert.Equal((0, 0, 0), left);

        var wrongType = await client.PostAsync("/api/financial/import", new StringContent("""{"costs":[{"month":"2025-01","amount":"lots"}]}""", System.Text.Encoding.UTF8, "application/json"));
        var typeProblem = await Api.ExpectProblemAsync(wrongType, HttpStatusCode.UnprocessableEntity, "import_invalid");
        Assert.True(typeProblem.GetProperty("errors").TryGetProperty("costs[0].amount", out _), typeProblem.ToString());
    }

    [Fact]
    public async Task FinancialRoutes_WhenATenantOwnerCalls_ShouldRefuseWith403()
    {
        var owner = await app.RegisterAsync();
        var client = app.WithToken(owner.Token);
        await Api.ExpectProblemAsync(await client.GetAsync("/api/financial/metrics"), HttpStatusCode.Forbidden, "operator_only");
        await Api.ExpectProblemAsync(await client.PostAsJsonAsync("/api/financial/import", new { }), HttpStatusCode.Forbidden, "operator_only");
        await Api.ExpectProblemAsync(await client.PostAsJsonAsync("/api/financial/costs", new { }), HttpStatusCode.Forbidden, "operator_only");
    }

    [Fact]
    public async Task Costs_WhenTheOperatorAddsOne_ShouldListItAndRefuseABadCategory()
    {
        var client = await OperatorAsync();
        var created = await client.PostAsJsonAsync("/api/financial/costs", new { month = "2019-05", category = "storage", product = "chatbot", amount = 12.5m, currency = "EUR" });
        await Api.ExpectAsync(created, HttpStatusCode.Created);
        var list = await (await client.GetAsync("/api/financial/costs?month=2019-05")).JsonAsync();
        Assert.Equal(12.5m, list.GetProperty("items")[0].GetProperty("amount").GetDecimal());
        var bad = await client.PostAsJsonAsync("/api/financial/costs", new { month = "2019-05", category = "coffee", product = "chatbot", amount = 1m, currency = "EUR" });
        var problem = await Api.ExpectProblemAsync(bad, HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(problem.GetProperty("errors").TryGetProperty("category", out _));
    }
}

public sealed class FinancialReportTestsOnSqlite(SqliteApp app) : FinancialReportTests<SqliteApp>(app);
public sealed class FinancialReportTestsOnPostgres(PostgresApp app) : FinancialReportTests<PostgresApp>(app);

/// <summary>The export and the kept monthly report.</summary>
public abstract class FinancialReportTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : TestApp
{
    [Fact]
    public async Task Report_WhenGeneratedTwiceForAMonth_ShouldKeepOneAndServeItsPdfAndCsv()
    {
        var client = app.WithToken(await app.LoginAsync(TestApp.Operator.Email, TestApp.Operator.Password));
        await Api.ExpectAsync(await client.PutAsJsonAsync("/api/financial/cash/2026-02", new { amount = 5000m, currency = "USD" }), HttpStatusCode.OK);
        var month = Intelagent.Server.Billing.Metrics.Engine.Month.Of(2026, 2);
        var ids = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            await using var scope = app.Services.CreateAsyncScope();
            var service = scope.ServiceProvider.GetRequiredService<FinancialReportService>();
            ids.Add((await service.GenerateAsync(month, CancellationToken.None)).Id);
        }
        Assert.Equal(ids[0], ids[1]);

        var list = await (await client.GetAsync("/api/financial/reports")).JsonAsync();
        Assert.Equal("2026-02", list[0].GetProperty("month").GetString());
        var pdf = await client.GetAsync($"/api/financial/reports/{ids[0]}?format=pdf");
        await Api.ExpectAsync(pdf, HttpStatusCode.OK);
        Assert.Equal("%PDF", System.Text.Encoding.ASCII.GetString((await pdf.Content.ReadAsByteArrayAsync())[..4]));
        var csv = await (await client.GetAsync($"/api/financial/reports/{ids[0]}?format=csv")).Content.ReadAsStringAsync();
        Assert.StartsWith("month,mrr,arr,", csv);
        Assert.Contains("2026-02,", csv);
        Assert.Contains(",5000", csv); // the cash column

        var export = await client.GetAsync("/api/financial/export?format=csv&from=2026-01&to=2026-02");
        Assert.Equal("text/csv", export.Content.Headers.ContentType?.MediaType);
        Assert.Equal(3, (await export.Content.ReadAsStringAsync()).Trim().Split('\n').Length); // header + two months
        await Api.ExpectProblemAsync(await client.GetAsync("/api/financial/export?format=xls"), HttpStatusCode.BadRequest, "validation_failed");
        await Api.ExpectProblemAsync(await client.GetAsync("/api/financial/reports/frep_00000000000000000000000000"), HttpStatusCode.NotFound, "not_found");
    }
}
