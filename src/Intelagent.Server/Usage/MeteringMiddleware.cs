using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using Intelagent.Server.Organizations;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Problems;
using Intelagent.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Usage;

/// <summary>
/// Meters every authenticated /api call that resolved an organization (a member's JWT or an API key;
/// an operator acting on a tenant is not the tenant's usage), after the organization guards: the
/// limiter admits or refuses it, the answer carries the rate-limit headers, and the call and its
/// bytes are counted in memory (docs/decisions/011-usage-metering-and-limits.md).
/// </summary>
public sealed class MeteringMiddleware(RequestDelegate next, IConfiguration configuration)
{
    private readonly bool _enforce = configuration.GetValue("Usage:EnforceLimits", true);

    /// <summary>Off only to measure what metering costs (bench/): nothing is counted or limited.</summary>
    private readonly bool _metering = configuration.GetValue("Usage:Metering", true);
    private readonly Dictionary<SubscriptionTier, int> _concurrentRequests = Plans.ConcurrentRequests.ToDictionary(
        p => p.Key, p => configuration.GetValue($"Usage:ConcurrentRequests:{p.Key}", p.Value));
    private readonly ConcurrentDictionary<string, StrongBox<int>> _inFlight = new();

    public async Task InvokeAsync(HttpContext context, RequestContext request, UsageLimitsProvider limitsProvider, IUsageLimiter limiter,
        IUsageCounters counters, TimeProvider clock, IServiceScopeFactory scopes)
    {
        if (!_metering || request.OrganizationId is not { } organizationId || (request.Role is null && request.ApiKeyId is null)
            || !context.Request.Path.StartsWithSegments("/api")
            || await limitsProvider.ForAsync(organizationId, context.RequestAborted) is not { } effective)
        {
            await next(context);
            return;
        }
        var now = clock.GetUtcNow();
        var inFlight = _inFlight.GetOrAdd(organizationId, _ => new StrongBox<int>());
        try
        {
            if (Interlocked.Increment(ref inFlight.Value) > _concurrentRequests[effective.Tier] && _enforce)
            {
                counters.Record(organizationId, now, 0, 1, 0);
                Platform.Telemetry.PlatformMetrics.Rejected("concurrency_limit_reached");
                context.Response.Headers.RetryAfter = "1";
                await Problem.WriteAsync(context, 429, "concurrency_limit_reached",
                    $"The organization already has {_concurrentRequests[effective.Tier]} requests in progress, the most its {effective.Tier.ToString().ToLowerInvariant()} plan allows at once; "
                    + "retry when one has finished, or upgrade the plan to raise the limit.");
                return;
            }
            await MeterAsync(context, organizationId, effective, limiter, counters, now, scopes, request.ApiKeyId is not null);
        }
        finally
        {
            Interlocked.Decrement(ref inFlight.Value);
        }
    }

    private async Task MeterAsync(HttpContext context, string organizationId, EffectiveLimits effective, IUsageLimiter limiter, IUsageCounters counters,
        DateTimeOffset now, IServiceScopeFactory scopes, bool apiKey)
    {
        var overage = effective.Override?.Overage == true;
        var enforcement = new Enforcement(_enforce, _enforce && !overage && !AlwaysReachable(context.Request.Path));
        var decision = await limiter.TryAcquireAsync(organizationId, effective.Limits, enforcement, now,
            (day, cancellationToken) => CallsFlushedAsync(scopes, organizationId, day, cancellationToken), context.RequestAborted);
        WriteHeaders(context.Response.Headers, decision);
        if (!decision.Allowed)
        {
            counters.Record(organizationId, now, 0, 1, 0);
            var code = decision.RefusedBy == LimitKind.DailyQuota ? "daily_quota_exceeded" : "rate_limited";
            Platform.Telemetry.PlatformMetrics.Rejected(code);
            context.Response.Headers.RetryAfter = Seconds(decision.RetryAfter, minimum: 1);
            await Problem.WriteAsync(context, 429, code, Explain(decision, effective));
            return;
        }
        var original = context.Response.Body;
        var counting = new CountingStream(original);
        context.Response.Body = counting;
        try
        {
            await next(context);
        }
        finally
        {
            context.Response.Body = original;
            counters.Record(organizationId, now, 1, 0, (context.Request.ContentLength ?? 0) + counting.BytesWritten);
            Platform.Telemetry.PlatformMetrics.MeteredCall(effective.Tier, apiKey);
        }
    }

    /// <summary>Sign-in, billing and usage stay reachable when the daily quota is spent (the rate still applies).</summary>
    private static bool AlwaysReachable(PathString path) =>
        path.StartsWithSegments("/api/usage") || path.StartsWithSegments("/api/auth") || path.StartsWithSegments("/api/billing");

    private static void WriteHeaders(IHeaderDictionary headers, LimitDecision decision)
    {
        headers["X-RateLimit-Limit"] = decision.RateLimit.ToString(CultureInfo.InvariantCulture);
        headers["X-RateLimit-Remaining"] = decision.RateRemaining.ToString(CultureInfo.InvariantCulture);
        headers["X-RateLimit-Reset"] = Seconds(decision.RateReset, minimum: 0);
        if (decision.QuotaLimit is not { } quota) return;
        headers["X-Quota-Limit"] = quota.ToString(CultureInfo.InvariantCulture);
        headers["X-Quota-Remaining"] = decision.QuotaRemaining.ToString(CultureInfo.InvariantCulture);
        headers["X-Quota-Reset"] = Seconds(decision.QuotaReset, minimum: 0);
    }

    private static string Seconds(TimeSpan span, int minimum) =>
        Math.Max(minimum, (long)Math.Ceiling(span.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    private static string Explain(LimitDecision decision, EffectiveLimits effective) => decision.RefusedBy == LimitKind.DailyQuota
        ? $"The organization has used its {decision.QuotaLimit:N0} API calls for today (UTC); the quota resets in {Seconds(decision.QuotaReset, 1)} seconds, at midnight UTC. "
          + $"Upgrade the plan (now {effective.Tier.ToString().ToLowerInvariant()}) or ask an operator for a custom limit to raise it."
        : $"The organization's rate of {decision.RateLimit} calls per minute (burst {effective.Limits.Burst}) is used up; retry in {Seconds(decision.RetryAfter, 1)} seconds. "
          + $"Upgrade the plan (now {effective.Tier.ToString().ToLowerInvariant()}) or ask an operator for a custom limit to raise it.";

    /// <summary>Today's admitted calls already in the database: the daily quota survives a restart.</summary>
    private static async Task<long> CallsFlushedAsync(IServiceScopeFactory scopes, string organizationId, DateTimeOffset day, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDb>();
        return await db.Set<UsageRollup>().IgnoreQueryFilters().AsNoTracking()
            .Where(r => r.OrganizationId == organizationId && r.Metric == UsageMetric.ApiCalls && r.Granularity == UsageGranularity.Day && r.PeriodStart == day)
            .Select(r => r.Value).FirstOrDefaultAsync(cancellationToken);
    }
}

/// <summary>Passes writes through and counts the bytes of the response body (bandwidth).</summary>
internal sealed class CountingStream(Stream inner) : Stream
{
    private long _bytes;

    public long BytesWritten => Interlocked.Read(ref _bytes);
    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() => inner.Flush();
    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count)
    {
        Interlocked.Add(ref _bytes, count);
        inner.Write(buffer, offset, count);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Interlocked.Add(ref _bytes, count);
        return inner.WriteAsync(buffer, offset, count, cancellationToken);
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Interlocked.Add(ref _bytes, buffer.Length);
        return inner.WriteAsync(buffer, cancellationToken);
    }
}
