using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Intelagent.Server.Platform.Jobs;
using Intelagent.Tests.Billing;
using Intelagent.Tests.Infrastructure;
using Intelagent.Tests.Security;
using Intelagent.Tests.Usage;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Intelagent.Tests.Platform.Telemetry;

public static class TelemetryTestSettings
{
    public const string MetricsToken = "metrics-token-for-the-tests-0123456789";

    /// <summary>Limits enforced (for a 429), Quartz on (for job runs), a metrics token.</summary>
    public static readonly (string, string)[] Settings = [.. UsageTestSettings.Enforced, ("Jobs:Enabled", "true"), ("METRICS_TOKEN", MetricsToken)];

    public static void CaptureLogs(IWebHostBuilder builder, CapturedLogs logs) => builder.ConfigureLogging(logging =>
    {
        logging.AddProvider(logs);
        // Debug for every category on this provider alone, so a secret in any chatty log would show.
        logging.AddFilter<CapturedLogs>(null, LogLevel.Debug);
    });
}

public sealed class TelemetrySqliteApp : SqliteApp
{
    public CapturedLogs Logs { get; } = new();
    protected override IEnumerable<(string Key, string Value)> ExtraSettings => TelemetryTestSettings.Settings;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        TelemetryTestSettings.CaptureLogs(builder, Logs);
    }
}

public sealed class TelemetryPostgresApp : PostgresApp
{
    public CapturedLogs Logs { get; } = new();
    protected override IEnumerable<(string Key, string Value)> ExtraSettings => TelemetryTestSettings.Settings;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        TelemetryTestSettings.CaptureLogs(builder, Logs);
    }
}

[Collection(TelemetryCollection.Name)]
public sealed class TelemetryTestsOnSqlite(TelemetrySqliteApp app) : TelemetryTests<TelemetrySqliteApp>(app, app.Logs);

[Collection(TelemetryCollection.Name)]
public sealed class TelemetryTestsOnPostgres(TelemetryPostgresApp app) : TelemetryTests<TelemetryPostgresApp>(app, app.Logs);

/// <summary>
/// Alone, after the parallel tests: ASP.NET Core's meters are per host but share their names, and
/// OpenTelemetry stops exporting every meter of a name once one of them is disposed
/// (open-telemetry/opentelemetry-dotnet#6412), so another test class's host shutting down while these
/// run could empty the HTTP histograms. One host per process, as in production, never meets it.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryCollection
{
    public const string Name = "Telemetry (one host at a time)";
}

public abstract class TelemetryTests<TApp>(TApp app, CapturedLogs logs) : IClassFixture<TApp> where TApp : TestApp
{
    [Fact]
    public async Task Metrics_FromLoopback_ShouldShowHttpDurationsAndThePlatformsCounters()
    {
        var before = await ScrapeAsync();
        var owner = await app.RegisterAsync();
        foreach (var (card, status) in new[] { ("pm_card_visa", "succeeded"), ("pm_card_chargeDeclined", "failed") })
        {
            var invoiceId = await app.OpenInvoiceAsync(owner.OrganizationId, 10m);
            var paid = await app.WithToken(owner.Token).SendAsync(PaymentsSupport.PayRequest(invoiceId, new { token = card }, "telemetry-" + card, "/api/financial/payments"));
            await Api.ExpectAsync(paid, HttpStatusCode.Created);
            Assert.Equal(status, (await paid.JsonAsync()).GetProperty("status").GetString());
        }
        var operatorClient = app.WithToken(await app.LoginAsync(TestApp.Operator.Email, TestApp.Operator.Password));
        await Api.ExpectAsync(await operatorClient.PutAsJsonAsync($"/api/admin/organizations/{owner.OrganizationId}/limits", new { ratePerMinute = 1, burst = 2 }), HttpStatusCode.OK);
        var client = app.WithToken(owner.Token, owner.OrganizationId);
        await Api.ExpectAsync(await client.GetAsync($"/api/organizations/{owner.OrganizationId}"), HttpStatusCode.OK);
        await Api.ExpectAsync(await client.GetAsync($"/api/organizations/{owner.OrganizationId}"), HttpStatusCode.OK);
        await Api.ExpectProblemAsync(await client.GetAsync($"/api/organizations/{owner.OrganizationId}"), HttpStatusCode.TooManyRequests, "rate_limited");
        // Two claims of one window: the second is what another node sees.
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var guard = scope.ServiceProvider.GetRequiredService<ClusterJobGuard>();
            Assert.True(await guard.TryClaimAsync("telemetry-test", TimeSpan.FromHours(1), CancellationToken.None));
        }
        await using (var scope = app.Services.CreateAsyncScope())
            Assert.False(await scope.ServiceProvider.GetRequiredService<ClusterJobGuard>().TryClaimAsync("telemetry-test", TimeSpan.FromHours(1), CancellationToken.None));

        // Quartz started every job at host start; wait (bounded) until one has finished. The exporter
        // also answers a scrape within 300 ms of the last one from its cache, and a call is counted
        // after its response has been handed over, so the counters are polled too.
        var after = await ScrapeAsync();
        for (var attempt = 0; attempt < 120 && (Sum(after, "intelagent_jobs_runs_total", "outcome=\"ran\"") == 0
            || Sum(after, "intelagent_usage_calls_total", "tier=\"free\"", "caller=\"user\"") - Sum(before, "intelagent_usage_calls_total", "tier=\"free\"", "caller=\"user\"") < 2); attempt++)
        {
            await Task.Delay(500);
            after = await ScrapeAsync();
        }

        Assert.Contains("# TYPE http_server_request_duration_seconds histogram", after);
        // Any GET: the exact routes of this test are not the point, the histogram's presence is.
        Assert.True(Sum(after, "http_server_request_duration_seconds_count", "http_request_method=\"GET\"") >= 1, Excerpt(after, "http_server_request_duration_seconds_count"));
        // Other test classes share the process (and the static meter), so compare with before.
        Assert.True(Sum(after, "intelagent_usage_calls_total", "tier=\"free\"", "caller=\"user\"") - Sum(before, "intelagent_usage_calls_total", "tier=\"free\"", "caller=\"user\"") >= 2,
            Excerpt(after, "intelagent_usage_calls_total"));
        Assert.True(Sum(after, "intelagent_rate_limit_rejections_total", "policy=\"rate_limited\"") - Sum(before, "intelagent_rate_limit_rejections_total", "policy=\"rate_limited\"") >= 1,
            Excerpt(after, "intelagent_rate_limit_rejections_total"));
        foreach (var outcome in new[] { "succeeded", "failed" })
            Assert.True(Sum(after, "intelagent_payments_total", $"outcome=\"{outcome}\"") - Sum(before, "intelagent_payments_total", $"outcome=\"{outcome}\"") >= 1,
                Excerpt(after, "intelagent_payments_total"));
        Assert.True(Sum(after, "intelagent_jobs_runs_total", "job=\"telemetry-test\"", "outcome=\"skipped\"") >= 1, Excerpt(after, "intelagent_jobs_runs_total"));
        Assert.True(Sum(after, "intelagent_jobs_runs_total", "outcome=\"ran\"") >= 1, Excerpt(after, "intelagent_jobs_runs_total"));
        Assert.Contains("intelagent_realtime_connections{", after);
        Assert.Contains("dotnet_gc_collections_total", after);
        Assert.DoesNotContain(owner.OrganizationId, after);
        Assert.DoesNotContain(owner.UserId, after);
        if (app.Name == "postgres") Assert.Contains("db_client_", after);
    }

    [Fact]
    public async Task Metrics_FromAnotherAddressOrThroughAProxy_ShouldNeedTheToken()
    {
        var remote = IPAddress.Parse("203.0.113.7");
        var refused = await SendAsync(remote);
        Assert.Equal(403, refused.Response.StatusCode);
        Assert.Equal("application/problem+json", refused.Response.ContentType?.Split(';')[0]);
        Assert.Contains("metrics_forbidden", refused.Body);

        Assert.Equal(403, (await SendAsync(remote, "Bearer not-the-token")).Response.StatusCode);
        // Loopback, but forwarded by a proxy: the caller is somewhere else.
        Assert.Equal(403, (await SendAsync(IPAddress.Loopback, forwardedFor: "198.51.100.4")).Response.StatusCode);

        var withToken = await SendAsync(remote, "Bearer " + TelemetryTestSettings.MetricsToken);
        Assert.Equal(200, withToken.Response.StatusCode);
        Assert.Contains("http_server_request_duration_seconds", withToken.Body);
        var local = await SendAsync(IPAddress.Loopback);
        Assert.Equal(200, local.Response.StatusCode);
        Assert.StartsWith("text/plain", local.Response.ContentType);
        Assert.Equal(200, (await SendAsync(IPAddress.IPv6Loopback)).Response.StatusCode);
    }

    [Fact]
    public async Task Logs_OfSignInAndApiKeyCalls_ShouldNameTheTenantAndTraceAndHoldNoSecret()
    {
        var owner = await app.RegisterAsync();
        var token = await app.LoginAsync(owner.Email, owner.Password);
        const string wrongPassword = "wrong-horse-staple-battery";
        var failed = await app.Anonymous().PostAsJsonAsync("/api/auth/login", new { email = owner.Email, password = wrongPassword });
        Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
        var key = await app.CreateKeyAsync(owner, ["teams.read"]);
        await Api.ExpectAsync(await app.WithKey(key.Secret).GetAsync($"/api/organizations/{owner.OrganizationId}/teams"), HttpStatusCode.OK);
        await Api.ExpectAsync(await app.WithKey(key.Secret, asHeader: true).GetAsync($"/api/organizations/{owner.OrganizationId}/teams"), HttpStatusCode.OK);
        var cookieClient = app.Anonymous();
        cookieClient.DefaultRequestHeaders.Add("Cookie", "auth-token=" + token);
        await cookieClient.GetAsync("/api/auth/me");

        var lines = logs.Lines;
        Assert.NotEmpty(lines);
        foreach (var secret in new[] { owner.Password, wrongPassword, key.Secret, token, owner.Token })
        {
            var leak = lines.FirstOrDefault(l => l.AllText.Contains(secret, StringComparison.Ordinal));
            Assert.True(leak is null, $"a log line holds a secret: {leak?.Category}: {leak?.Message}");
        }

        var keyed = lines.Where(l => l.ScopeValue("ApiKeyId") == key.Id).ToList();
        Assert.NotEmpty(keyed);
        Assert.All(keyed, l =>
        {
            Assert.Equal(owner.OrganizationId, l.ScopeValue("OrganizationId"));
            Assert.Equal(owner.UserId, l.ScopeValue("UserId"));
            Assert.Matches("^[0-9a-f]{32}$", l.ScopeValue("TraceId") ?? "");
            Assert.False(string.IsNullOrEmpty(l.ScopeValue("RequestId")));
        });
        Assert.Contains(keyed, l => l.Category.StartsWith("Microsoft.AspNetCore.Routing", StringComparison.Ordinal));
    }

    private async Task<string> ScrapeAsync()
    {
        var response = await app.Anonymous().GetAsync("/metrics");
        await Api.ExpectAsync(response, HttpStatusCode.OK);
        return await response.Content.ReadAsStringAsync();
    }

    private async Task<(HttpResponse Response, string Body)> SendAsync(IPAddress address, string? authorization = null, string? forwardedFor = null)
    {
        var context = await app.Server.SendAsync(c =>
        {
            c.Request.Method = "GET";
            c.Request.Path = "/metrics";
            c.Connection.RemoteIpAddress = address;
            if (authorization is not null) c.Request.Headers.Authorization = authorization;
            if (forwardedFor is not null) c.Request.Headers["X-Forwarded-For"] = forwardedFor;
        });
        using var reader = new StreamReader(context.Response.Body);
        return (context.Response, await reader.ReadToEndAsync());
    }

    /// <summary>The sum of the samples of <paramref name="metric"/> whose labels include all of <paramref name="labels"/>.</summary>
    private static double Sum(string exposition, string metric, params string[] labels) => exposition.Split('\n')
        .Where(line => line.StartsWith(metric + "{", StringComparison.Ordinal) || line.StartsWith(metric + " ", StringComparison.Ordinal))
        .Where(line => labels.All(label => line.Contains(label, StringComparison.Ordinal)))
        .Sum(line => double.Parse(line[(line.LastIndexOf('}') + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture));

    private static string Excerpt(string exposition, string metric) =>
        string.Join("\n", exposition.Split('\n').Where(l => l.StartsWith(metric, StringComparison.Ordinal)).Take(20));
}
