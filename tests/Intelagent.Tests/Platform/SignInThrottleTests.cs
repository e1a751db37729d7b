using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Intelagent.Server.Usage;
using Intelagent.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Intelagent.Tests.Platform;

/// <summary>Two nodes on one Redis with a low sign-in throttle, their Redis keys under the fixture's own prefix.</summary>
public sealed class TwoThrottledNodes : TwoNodesOnOneDatabase
{
    public const int SignInsPerMinute = 4;

    protected override IEnumerable<(string Key, string Value)> Settings =>
        [.. base.Settings, ("Usage:RedisPrefix", Prefix), ("RateLimits:SignInPerMinute", SignInsPerMinute.ToString(CultureInfo.InvariantCulture))];
}

/// <summary>One node without Redis and the same throttle: it counts on its own.</summary>
public sealed class ThrottledSqliteApp : SqliteApp
{
    protected override IEnumerable<(string Key, string Value)> ExtraSettings =>
        [("RateLimits:SignInPerMinute", TwoThrottledNodes.SignInsPerMinute.ToString(CultureInfo.InvariantCulture))];
}

/// <summary>
/// The per-address throttle on signing in holds across nodes: with REDIS_URL every node counts the
/// address's attempts in one window in Redis, so N nodes do not admit N times the limit.
/// </summary>
public sealed class SignInThrottleTests(TwoThrottledNodes nodes) : IClassFixture<TwoThrottledNodes>
{
    [Fact]
    public async Task SignInAttempts_SpreadOverTwoNodes_ShouldBeCountedOnce_AndRefusedWithRetryAfter()
    {
        // A node that started while the machine was busy may still be connecting to Redis (and counting alone meanwhile).
        foreach (var node in new[] { nodes.A, nodes.B })
        {
            var limiter = node.Services.GetRequiredService<RedisUsageLimiter>();
            for (var wait = 0; wait < 100 && !limiter.Connected; wait++) await Task.Delay(100);
            Assert.True(limiter.Connected, "the node could not reach Redis");
        }
        SameMinute(nodes.A, nodes.B);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < TwoThrottledNodes.SignInsPerMinute + 2; i++)
            statuses.Add((await WrongPasswordAsync(i % 2 == 0 ? nodes.A : nodes.B)).StatusCode);

        Assert.DoesNotContain(HttpStatusCode.TooManyRequests, statuses.Take(TwoThrottledNodes.SignInsPerMinute));
        Assert.All(statuses.Skip(TwoThrottledNodes.SignInsPerMinute), status => Assert.Equal(HttpStatusCode.TooManyRequests, status));
        var refused = await WrongPasswordAsync(nodes.B);
        await Api.ExpectProblemAsync(refused, HttpStatusCode.TooManyRequests, "too_many_requests");
        var retryAfter = int.Parse(refused.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 60);

        // The next minute is a new window on both nodes.
        var next = nodes.A.Clock.GetUtcNow().AddMinutes(1);
        nodes.A.Clock.SetUtcNow(next);
        nodes.B.Clock.SetUtcNow(next);
        Assert.NotEqual(HttpStatusCode.TooManyRequests, (await WrongPasswordAsync(nodes.B)).StatusCode);
    }

    /// <summary>Both nodes' clocks (each test host has its own) a few seconds into the same minute.</summary>
    internal static void SameMinute(params TestApp[] apps)
    {
        var latest = apps.Max(a => a.Clock.GetUtcNow());
        var start = new DateTimeOffset(latest.Year, latest.Month, latest.Day, latest.Hour, latest.Minute, 0, TimeSpan.Zero).AddMinutes(1).AddSeconds(5);
        foreach (var app in apps) app.Clock.SetUtcNow(start);
    }

    internal static Task<HttpResponseMessage> WrongPasswordAsync(TestApp app) =>
        app.Anonymous().PostAsJsonAsync("/api/auth/login", new { email = "nobody@throttle.test", password = "not-the-password-1" });
}

public sealed class SignInThrottleWithoutRedisTests(ThrottledSqliteApp app) : IClassFixture<ThrottledSqliteApp>
{
    [Fact]
    public async Task SignInAttempts_OnOneNodeWithoutRedis_ShouldBeThrottledThere()
    {
        SignInThrottleTests.SameMinute(app);

        for (var i = 0; i < TwoThrottledNodes.SignInsPerMinute; i++)
            Assert.NotEqual(HttpStatusCode.TooManyRequests, (await SignInThrottleTests.WrongPasswordAsync(app)).StatusCode);

        var refused = await SignInThrottleTests.WrongPasswordAsync(app);
        await Api.ExpectProblemAsync(refused, HttpStatusCode.TooManyRequests, "too_many_requests");
        Assert.True(refused.Headers.Contains("Retry-After"));
    }
}
