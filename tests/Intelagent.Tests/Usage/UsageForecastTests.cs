using System.Net;
using System.Net.Http.Json;
using Intelagent.Server.Usage;
using Intelagent.Tests.Infrastructure;

namespace Intelagent.Tests.Usage;

public sealed class UsageForecastTestsOnSqlite(SqliteApp app) : UsageForecastTests<SqliteApp>(app);
public sealed class UsageForecastTestsOnPostgres(PostgresApp app) : UsageForecastTests<PostgresApp>(app);

/// <summary>GET /api/usage forecasts when each metric reaches its limit, from the daily history, on a controlled clock.</summary>
public abstract class UsageForecastTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : TestApp
{
    /// <summary>Moves the clock to 10:00 UTC on the 3rd of next month, so the month so far and the 14 days before are known.</summary>
    private DateOnly MoveToThirdOfNextMonth()
    {
        var now = app.Clock.GetUtcNow();
        var target = new DateTimeOffset(now.Year, now.Month, 1, 10, 0, 0, TimeSpan.Zero).AddMonths(1).AddDays(2);
        app.Clock.Advance(target - now);
        return DateOnly.FromDateTime(target.UtcDateTime);
    }

    private Task SeedDailyAsync(string organizationId, string metric, DateOnly today, Func<int, long> valueOfDay) => app.WithDbAsync(async db =>
    {
        for (var i = 0; i < UsageForecaster.WindowDays; i++)
        {
            var day = new DateTimeOffset(today.AddDays(i - UsageForecaster.WindowDays).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            db.Set<UsageRollup>().Add(new UsageRollup { OrganizationId = organizationId, Metric = metric, Granularity = UsageGranularity.Day, PeriodStart = day, Value = valueOfDay(i) });
        }
        return await db.SaveChangesAsync();
    });

    [Fact]
    public async Task Usage_WhenDailyCallsGrowLinearly_ShouldForecastTheDayTheQuotaIsReached()
    {
        var today = MoveToThirdOfNextMonth();
        var owner = await app.RegisterAsync();
        // 100, 150, ... 750 calls a day: the line reaches the free quota of 1,000 on day 18, four days after today (day 14).
        await SeedDailyAsync(owner.OrganizationId, "api_calls", today, i => 100 + 50 * i);
        // Flat bandwidth of 1 GB a day: 2 GB this month so far, 10 GB reached 8 days from now.
        await SeedDailyAsync(owner.OrganizationId, "bandwidth_bytes", today, _ => 1_000_000_000);

        var usage = await (await app.WithToken(owner.Token).GetAsync("/api/usage")).JsonAsync();
        var calls = usage.GetProperty("apiCallsToday");
        Assert.Equal(today.AddDays(4).ToString("yyyy-MM-dd"), calls.GetProperty("forecastDate").GetString());
        Assert.Equal("API usage up 140%, will exceed limit in 4 days", calls.GetProperty("forecast").GetString());
        var bandwidth = usage.GetProperty("bandwidthBytesThisMonth");
        Assert.True(bandwidth.GetProperty("used").GetInt64() >= 2_000_000_000);
        Assert.Equal(today.AddDays(8).ToString("yyyy-MM-dd"), bandwidth.GetProperty("forecastDate").GetString());
        Assert.Equal("Bandwidth flat, will exceed limit in 8 days", bandwidth.GetProperty("forecast").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, usage.GetProperty("seats").GetProperty("forecastDate").ValueKind);
    }

    [Fact]
    public async Task Usage_WhenTheTrendIsFlatOrTheQuotaUnlimited_ShouldForecastNothing()
    {
        var today = MoveToThirdOfNextMonth();
        var flat = await app.RegisterAsync();
        await SeedDailyAsync(flat.OrganizationId, "api_calls", today, _ => 500);
        var calls = (await (await app.WithToken(flat.Token).GetAsync("/api/usage")).JsonAsync()).GetProperty("apiCallsToday");
        Assert.Equal(System.Text.Json.JsonValueKind.Null, calls.GetProperty("forecastDate").ValueKind);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, calls.GetProperty("forecast").ValueKind);

        var unlimited = await app.RegisterAsync();
        await SeedDailyAsync(unlimited.OrganizationId, "api_calls", today, i => 100 + 500 * i);
        var operatorClient = app.WithToken(await app.LoginAsync(TestApp.Operator.Email, TestApp.Operator.Password));
        await Api.ExpectAsync(await operatorClient.PutAsJsonAsync($"/api/admin/organizations/{unlimited.OrganizationId}/limits", new { apiCallsPerDay = -1 }), HttpStatusCode.OK);
        calls = (await (await app.WithToken(unlimited.Token).GetAsync("/api/usage")).JsonAsync()).GetProperty("apiCallsToday");
        Assert.Equal(System.Text.Json.JsonValueKind.Null, calls.GetProperty("limit").ValueKind);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, calls.GetProperty("forecastDate").ValueKind);
    }
}
