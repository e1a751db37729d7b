using System.Net;
using System.Text.Json;
using Intelagent.Server.Billing.Metrics.Engine;
using Intelagent.Server.Insights.Demo;
using Intelagent.Server.Insights.Predictions;
using Intelagent.Tests.Infrastructure;

namespace Intelagent.Tests.Insights;

public sealed class PredictionsEndpointTestsOnSqlite(SqliteApp app) : PredictionsEndpointTests<SqliteApp>(app);
public sealed class PredictionsEndpointTestsOnPostgres(PostgresApp app) : PredictionsEndpointTests<PostgresApp>(app);

/// <summary><c>GET /api/ai/predictions</c> and the operator's <c>GET /api/admin/ai/predictions</c> over HTTP, on generated history written through the modules' tables.</summary>
public abstract class PredictionsEndpointTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : TestApp
{
    private async Task<HttpClient> OperatorAsync() => app.WithToken(await app.LoginAsync(TestApp.Operator.Email, TestApp.Operator.Password));

    private Task<Dictionary<string, string>> SeedAsync(int customers, int months, int seed) => app.WithDbAsync(async db =>
    {
        var generated = CustomerHistoryGenerator.Generate(new CustomerHistoryOptions(customers, months, Month.Of(app.Clock.GetUtcNow()).Previous, seed));
        var ids = new CustomerHistoryWriter(db, app.Clock).Write(generated, seed);
        await db.SaveChangesAsync();
        return ids;
    });

    [Fact]
    public async Task ReadHistory_WhenGeneratedCustomersWereWrittenThroughTheModulesTables_ShouldGiveBackTheirTimelinesExactly()
    {
        var last = Month.Of(app.Clock.GetUtcNow()).Previous;
        var generated = CustomerHistoryGenerator.Generate(new CustomerHistoryOptions(12, 8, last, 9));
        var ids = await app.WithDbAsync(async db =>
        {
            var written = new CustomerHistoryWriter(db, app.Clock).Write(generated, 9);
            await db.SaveChangesAsync();
            return written;
        });

        var read = (await app.WithDbAsync(db => ChurnHistoryReader.ReadAcrossTenantsAsync(db, last, CancellationToken.None)))
            .ToDictionary(t => t.OrganizationId);

        foreach (var customer in generated.Select(c => c.Timeline))
        {
            var back = read[ids[customer.OrganizationId]];
            Assert.Equal(customer.FirstMonth, back.FirstMonth);
            Assert.Equal(customer.Name, back.Name);
            Assert.Equal(customer.Segment, back.Segment);
            Assert.Equal(customer.Months, back.Months);
        }
    }

    [Fact]
    public async Task GetPlatformPredictions_WhenHistoryExists_ShouldReportTheModelTheForecastWithItsBacktestAndOnlyClaimedScores()
    {
        var client = await OperatorAsync();
        var empty = await (await client.GetAsync("/api/admin/ai/predictions")).JsonAsync();
        Assert.Equal("not_enough_history", empty.GetProperty("churn").GetProperty("status").GetString());
        Assert.Equal(0, empty.GetProperty("churn").GetProperty("customers").GetArrayLength());

        var ids = await SeedAsync(50, 15, 4);
        var response = await client.GetAsync("/api/admin/ai/predictions");

        await Api.ExpectAsync(response, HttpStatusCode.OK);
        var body = await response.JsonAsync();
        Assert.Equal("platform", body.GetProperty("scope").GetString());
        var churn = body.GetProperty("churn");
        var status = churn.GetProperty("status").GetString();
        // Which status a small history reaches depends on the split of random ids; each must be honest.
        Assert.True(churn.GetProperty("trainingExamples").GetInt32() > 100, churn.ToString());
        var customers = churn.GetProperty("customers").EnumerateArray().ToList();
        if (status == "not_enough_history")
        {
            Assert.Empty(customers);
            Assert.Equal(JsonValueKind.Null, churn.GetProperty("auc").ValueKind);
        }
        else if (status == "no_signal")
        {
            Assert.Empty(customers);
            Assert.True(churn.GetProperty("aucLower95").GetDouble() <= 0.5);
        }
        else
        {
            Assert.Equal("trained", status);
            Assert.True(churn.GetProperty("aucLower95").GetDouble() > 0.5);
            Assert.NotEmpty(customers);
            Assert.All(customers, c => Assert.Contains(c.GetProperty("organizationId").GetString(), ids.Values));
            var probabilities = customers.Select(c => c.GetProperty("probability").GetDouble()).ToList();
            Assert.Equal(probabilities.OrderByDescending(p => p), probabilities);
            Assert.All(customers.SelectMany(c => c.GetProperty("mainFactors").EnumerateArray()), f => Assert.True(f.GetProperty("contribution").GetDouble() > 0));
        }

        var revenue = body.GetProperty("revenue");
        Assert.Equal(12, revenue.GetProperty("points").GetArrayLength());
        var first = revenue.GetProperty("points")[0];
        Assert.True(first.GetProperty("lower95").GetDecimal() <= first.GetProperty("mrr").GetDecimal());
        Assert.True(first.GetProperty("upper95").GetDecimal() >= first.GetProperty("mrr").GetDecimal());
        var backtest = revenue.GetProperty("backtest");
        Assert.True(backtest.GetProperty("points").GetInt32() > 0);
        Assert.True(backtest.GetProperty("mapeRatio").GetDouble() > 0);
        Assert.All(body.GetProperty("usageLimits").EnumerateArray(), u => Assert.Equal(JsonValueKind.String, u.GetProperty("forecastDate").ValueKind));
    }

    [Fact]
    public async Task GetPredictions_WhenAMemberAsksForItsOrganization_ShouldShowItsUsageLimitsButNoChurnOrCompanyRevenue()
    {
        var owner = await app.RegisterAsync();
        var viewer = await app.AddMemberAsync(owner, "viewer");

        var response = await app.WithToken(viewer.Token).GetAsync("/api/ai/predictions");

        await Api.ExpectAsync(response, HttpStatusCode.OK);
        var body = await response.JsonAsync();
        Assert.Equal("organization", body.GetProperty("scope").GetString());
        Assert.Equal(owner.OrganizationId, body.GetProperty("organizationId").GetString());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("churn").ValueKind);
        Assert.Equal(JsonValueKind.Null, body.GetProperty("revenue").ValueKind);
        var metrics = body.GetProperty("usageLimits").EnumerateArray().Select(u => u.GetProperty("metric").GetString()).ToList();
        Assert.Equal(["api_calls", "bandwidth_bytes"], metrics);
        Assert.All(body.GetProperty("usageLimits").EnumerateArray(), u => Assert.Equal(owner.OrganizationId, u.GetProperty("organizationId").GetString()));
    }

    [Fact]
    public async Task GetPlatformPredictions_WhenAMemberAsks_ShouldBeForbidden()
    {
        var owner = await app.RegisterAsync();

        var response = await app.WithToken(owner.Token).GetAsync("/api/admin/ai/predictions");

        await Api.ExpectProblemAsync(response, HttpStatusCode.Forbidden, "operator_only");
    }
}
