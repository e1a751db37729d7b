using System.Net;
using System.Net.Http.Json;
using Intelagent.Server.Usage;
using Intelagent.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Intelagent.Tests.Usage;

public static class UsageTestSettings
{
    /// <summary>Limits enforced, with room for the tests' own bursts of parallel calls (ConcurrencyTests checks the cap).</summary>
    public static readonly (string, string)[] Enforced = [("Usage:EnforceLimits", "true"), ("Usage:ConcurrentRequests:Free", "2000")];
}

/// <summary>Apps that enforce usage limits (the other test apps count calls but never refuse them).</summary>
public sealed class LimitedSqliteApp : SqliteApp
{
    protected override IEnumerable<(string Key, string Value)> ExtraSettings => UsageTestSettings.Enforced;
}

public sealed class LimitedPostgresApp : PostgresApp
{
    protected override IEnumerable<(string Key, string Value)> ExtraSettings => UsageTestSettings.Enforced;
}

public sealed class UsageTestsOnSqlite(LimitedSqliteApp app) : UsageTests<LimitedSqliteApp>(app);
public sealed class UsageTestsOnPostgres(LimitedPostgresApp app) : UsageTests<LimitedPostgresApp>(app);

public abstract class UsageTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : TestApp
{
    private async Task<HttpClient> OperatorAsync() => app.WithToken(await app.LoginAsync(TestApp.Operator.Email, TestApp.Operator.Password));

    private async Task SetLimitsAsync(string organizationId, object limits) =>
        await Api.ExpectAsync(await (await OperatorAsync()).PutAsJsonAsync($"/api/admin/organizations/{organizationId}/limits", limits), HttpStatusCode.OK);

    private Task FlushAsync() => app.Services.GetRequiredService<UsageFlushService>().FlushAsync(CancellationToken.None);

    private Task<long> FlushedAsync(string organizationId, string metric) => app.WithDbAsync(db => db.Set<UsageRollup>().IgnoreQueryFilters()
        .Where(r => r.OrganizationId == organizationId && r.Metric == metric && r.Granularity == UsageGranularity.Day).SumAsync(r => r.Value));

    private static string Header(HttpResponseMessage response, string name) => response.Headers.GetValues(name).Single();

    [Fact]
    public async Task ParallelCalls_WhenSomeAreRefused_ShouldCountEachAdmittedCallOnceAndTheRestAsRefused()
    {
        var owner = await app.RegisterAsync();
        await SetLimitsAsync(owner.OrganizationId, new { ratePerMinute = 1, burst = 150 });
        // With the header the membership comes from its cache (the "only membership" fallback reads the database each time).
        var client = app.WithToken(owner.Token, owner.OrganizationId);
        // One call first warms the per-organization caches (session, membership, policies, limits).
        await Api.ExpectAsync(await client.GetAsync("/api/usage/limits"), HttpStatusCode.OK);

        var responses = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => client.GetAsync("/api/usage/limits")));
        await FlushAsync();

        // The test clock moves 1 ms per read, so a token or two may come back during the run.
        var admitted = responses.Count(r => r.StatusCode == HttpStatusCode.OK);
        var refused = responses.Count(r => r.StatusCode == HttpStatusCode.TooManyRequests);
        Assert.True(admitted + refused == 200, string.Join(", ", responses.Select(r => (int)r.StatusCode).Distinct()));
        Assert.InRange(admitted, 149, 155);
        Assert.Equal(admitted + 1, await FlushedAsync(owner.OrganizationId, UsageMetric.ApiCalls));
        Assert.Equal(refused, await FlushedAsync(owner.OrganizationId, UsageMetric.RefusedCalls));
        Assert.True(await FlushedAsync(owner.OrganizationId, UsageMetric.BandwidthBytes) > 0);
        var hourly = await app.WithDbAsync(db => db.Set<UsageRollup>().IgnoreQueryFilters()
            .Where(r => r.OrganizationId == owner.OrganizationId && r.Metric == UsageMetric.ApiCalls && r.Granularity == UsageGranularity.Hour).SumAsync(r => r.Value));
        Assert.Equal(admitted + 1, hourly);
    }

    [Fact]
    public async Task Bucket_WhenTheBurstIsSpent_ShouldRefuseWithRetryAfterAndRefillWithTheClock()
    {
        var owner = await app.RegisterAsync();
        await SetLimitsAsync(owner.OrganizationId, new { ratePerMinute = 60, burst = 3 });
        var client = app.WithToken(owner.Token);

        for (var remaining = 2; remaining >= 0; remaining--)
        {
            var ok = await client.GetAsync($"/api/organizations/{owner.OrganizationId}");
            await Api.ExpectAsync(ok, HttpStatusCode.OK);
            Assert.Equal("60", Header(ok, "X-RateLimit-Limit"));
            Assert.Equal(remaining.ToString(), Header(ok, "X-RateLimit-Remaining"));
            Assert.Equal("1000", Header(ok, "X-Quota-Limit"));
        }
        var refused = await client.GetAsync($"/api/organizations/{owner.OrganizationId}");
        var problem = await Api.ExpectProblemAsync(refused, HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.Equal("1", Header(refused, "Retry-After"));
        Assert.Equal("0", Header(refused, "X-RateLimit-Remaining"));
        Assert.Contains("Upgrade", problem.GetProperty("detail").GetString());

        app.Clock.Advance(TimeSpan.FromSeconds(1));
        await Api.ExpectAsync(await client.GetAsync($"/api/organizations/{owner.OrganizationId}"), HttpStatusCode.OK);
    }

    [Fact]
    public async Task DailyQuota_WhenSpent_ShouldRefuseUntilUtcMidnight_ButKeepUsageReachable()
    {
        var owner = await app.RegisterAsync();
        await SetLimitsAsync(owner.OrganizationId, new { apiCallsPerDay = 3, ratePerMinute = 1000, burst = 1000 });
        var client = app.WithToken(owner.Token);
        var url = $"/api/organizations/{owner.OrganizationId}";

        for (var remaining = 2; remaining >= 0; remaining--)
            Assert.Equal(remaining.ToString(), Header(await client.GetAsync(url), "X-Quota-Remaining"));
        var refused = await client.GetAsync(url);
        await Api.ExpectProblemAsync(refused, HttpStatusCode.TooManyRequests, "daily_quota_exceeded");
        var now = app.Clock.GetUtcNow();
        var midnight = new DateTimeOffset(now.UtcDateTime.Date.AddDays(1), TimeSpan.Zero);
        var retryAfter = long.Parse(Header(refused, "Retry-After"));
        Assert.InRange(retryAfter, (long)(midnight - now).TotalSeconds - 2, (long)(midnight - now).TotalSeconds + 1);
        var usage = await client.GetAsync("/api/usage");
        await Api.ExpectAsync(usage, HttpStatusCode.OK);
        var today = (await usage.JsonAsync()).GetProperty("apiCallsToday");
        Assert.Equal(3, today.GetProperty("limit").GetInt64());
        Assert.True(today.GetProperty("used").GetInt64() >= 3);

        app.Clock.Advance(midnight - app.Clock.GetUtcNow() + TimeSpan.FromSeconds(1));
        client = app.WithToken(await app.LoginAsync(owner.Email, owner.Password));
        var next = await client.GetAsync(url);
        await Api.ExpectAsync(next, HttpStatusCode.OK);
        Assert.Equal("2", Header(next, "X-Quota-Remaining"));
    }

    [Fact]
    public async Task Override_ShouldApplyAtOnce_AndShowItsSource()
    {
        var owner = await app.RegisterAsync();
        var client = app.WithToken(owner.Token);
        Assert.Equal("1000", Header(await client.GetAsync("/api/usage/limits"), "X-Quota-Limit"));

        await SetLimitsAsync(owner.OrganizationId, new { apiCallsPerDay = 5000, seats = -1 });
        var response = await client.GetAsync("/api/usage/limits");
        Assert.Equal("5000", Header(response, "X-Quota-Limit"));
        var limits = await response.JsonAsync();
        Assert.Equal(5000, limits.GetProperty("apiCallsPerDay").GetInt64());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, limits.GetProperty("seats").ValueKind);
        Assert.Equal(1, limits.GetProperty("projects").GetInt32());
        Assert.Equal("override", limits.GetProperty("sources").GetProperty("apiCallsPerDay").GetString());
        Assert.Equal("tier", limits.GetProperty("sources").GetProperty("projects").GetString());
        var stored = await app.WithDbAsync(db => db.Set<UsageLimitOverride>().IgnoreQueryFilters().SingleAsync(o => o.OrganizationId == owner.OrganizationId));
        Assert.Equal(5000, stored.ApiCallsPerDay);

        await SetLimitsAsync(owner.OrganizationId, new { apiCallsPerDay = -1 });
        Assert.False((await client.GetAsync("/api/usage/limits")).Headers.Contains("X-Quota-Limit"));
    }

    [Fact]
    public async Task SetLimits_WithInvalidValues_ShouldBe400AndChangeNothing()
    {
        var owner = await app.RegisterAsync();
        var response = await (await OperatorAsync()).PutAsJsonAsync($"/api/admin/organizations/{owner.OrganizationId}/limits", new { apiCallsPerDay = -5, burst = 0 });
        await Api.ExpectProblemAsync(response, HttpStatusCode.BadRequest, "validation_failed");
        Assert.False(await app.WithDbAsync(db => db.Set<UsageLimitOverride>().IgnoreQueryFilters().AnyAsync(o => o.OrganizationId == owner.OrganizationId)));
    }

    [Fact]
    public async Task TierChange_ShouldChangeTheLimitsAtOnce()
    {
        var owner = await app.RegisterAsync();
        var client = app.WithToken(owner.Token);
        Assert.Equal("60", Header(await client.GetAsync("/api/usage/limits"), "X-RateLimit-Limit"));

        var change = await (await OperatorAsync()).PatchAsJsonAsync($"/api/admin/organizations/{owner.OrganizationId}/tier", new { subscriptionTier = "basic" });
        await Api.ExpectAsync(change, HttpStatusCode.OK);
        await app.DispatchEventsAsync();

        var response = await client.GetAsync("/api/usage/limits");
        Assert.Equal("300", Header(response, "X-RateLimit-Limit"));
        Assert.Equal("10000", Header(response, "X-Quota-Limit"));
        var limits = await response.JsonAsync();
        Assert.Equal("basic", limits.GetProperty("tier").GetString());
        Assert.Equal(10, limits.GetProperty("seats").GetInt32());
        Assert.Equal(100_000_000_000, limits.GetProperty("bandwidthBytesPerMonth").GetInt64());
    }

    [Fact]
    public async Task Usage_ShouldShowOnlyTheCallersOrganization_AndItsHistory()
    {
        var busy = await app.RegisterAsync();
        var quiet = await app.RegisterAsync();
        var busyClient = app.WithToken(busy.Token);
        for (var i = 0; i < 5; i++) await Api.ExpectAsync(await busyClient.GetAsync($"/api/organizations/{busy.OrganizationId}"), HttpStatusCode.OK);
        await FlushAsync();

        var mine = await (await busyClient.GetAsync("/api/usage")).JsonAsync();
        Assert.Equal(6, mine.GetProperty("apiCallsToday").GetProperty("used").GetInt64());
        Assert.Equal(1, mine.GetProperty("seats").GetProperty("used").GetInt64());
        Assert.Equal(3, mine.GetProperty("seats").GetProperty("limit").GetInt64());
        var theirs = await (await app.WithToken(quiet.Token).GetAsync("/api/usage")).JsonAsync();
        Assert.Equal(1, theirs.GetProperty("apiCallsToday").GetProperty("used").GetInt64());

        var history = await busyClient.GetAsync("/api/usage/history?granularity=hour");
        await Api.ExpectAsync(history, HttpStatusCode.OK);
        var items = (await history.JsonAsync()).GetProperty("items");
        Assert.Equal(5, items.EnumerateArray().Sum(i => i.GetProperty("apiCalls").GetInt64()));
        var quietHistory = (await (await app.WithToken(quiet.Token).GetAsync("/api/usage/history?granularity=hour")).JsonAsync()).GetProperty("items");
        Assert.Equal(0, quietHistory.EnumerateArray().Sum(i => i.GetProperty("apiCalls").GetInt64()));

        await Api.ExpectProblemAsync(await busyClient.GetAsync("/api/usage/history?granularity=minute"), HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task Cleanup_AfterTheRetention_ShouldDropMinuteRowsAndKeepHoursAndDays()
    {
        var owner = await app.RegisterAsync();
        await Api.ExpectAsync(await app.WithToken(owner.Token).GetAsync("/api/usage/limits"), HttpStatusCode.OK);
        await FlushAsync();
        app.Clock.Advance(TimeSpan.FromDays(8));

        await using (var scope = app.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<UsageCleanupJob>().CleanUpAsync(CancellationToken.None);

        var left = await app.WithDbAsync(db => db.Set<UsageRollup>().IgnoreQueryFilters()
            .Where(r => r.OrganizationId == owner.OrganizationId && r.Metric == UsageMetric.ApiCalls).Select(r => r.Granularity).ToListAsync());
        Assert.DoesNotContain(UsageGranularity.Minute, left);
        Assert.Contains(UsageGranularity.Hour, left);
        Assert.Contains(UsageGranularity.Day, left);
    }
}
