using System.Globalization;
using System.Threading.RateLimiting;
using Intelagent.Server.Platform.Problems;
using Microsoft.AspNetCore.RateLimiting;

namespace Intelagent.Server.Platform.Http;

/// <summary>
/// Per-IP throttles on the anonymous doors (sign-up, sign-in, organization creation). Per-account
/// protection is the lockout in AuthService. With <c>REDIS_URL</c> an address's attempts are counted
/// once across every node (the usage limiter's Redis); without it, or while Redis is out of reach,
/// each node counts its own (<see cref="SharedFixedWindowLimiter"/>).
/// </summary>
public static class RateLimits
{
    public const string SignUp = "sign-up";
    public const string SignIn = "sign-in";
    public const string OrganizationCreation = "organization-creation";

    public static IServiceCollection AddAuthRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddRateLimiter(options =>
        {
            AddPerIp(options, SignUp, configuration.GetValue("RateLimits:SignUpPerHour", 20), TimeSpan.FromHours(1));
            AddPerIp(options, SignIn, configuration.GetValue("RateLimits:SignInPerMinute", 30), TimeSpan.FromMinutes(1));
            AddPerIp(options, OrganizationCreation, configuration.GetValue("RateLimits:OrganizationsPerHour", 20), TimeSpan.FromHours(1));
            options.OnRejected = async (context, cancellationToken) =>
            {
                Telemetry.PlatformMetrics.Rejected(context.HttpContext.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName ?? "per-ip");
                if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                    context.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await Problem.WriteAsync(context.HttpContext, 429, "too_many_requests", "Too many attempts from this address; wait and try again (see Retry-After).");
            };
        });
        return services;
    }

    private static void AddPerIp(RateLimiterOptions options, string name, int permits, TimeSpan window) =>
        options.AddPolicy(name, context =>
        {
            var address = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
            var services = context.RequestServices;
            return RateLimitPartition.Get(address, key => new SharedFixedWindowLimiter(name + ":" + key, permits, window,
                services.GetRequiredService<Usage.RedisUsageLimiter>(), services.GetRequiredService<TimeProvider>()));
        });
}

/// <summary>
/// A fixed window of <c>permits</c> attempts per key, counted in Redis so that every node sees one
/// count, and on this node alone (a <see cref="FixedWindowRateLimiter"/>) when Redis is not
/// configured or not reachable. A refusal carries Retry-After: the end of the window.
/// </summary>
public sealed class SharedFixedWindowLimiter(string key, int permits, TimeSpan window, Usage.RedisUsageLimiter shared, TimeProvider clock) : RateLimiter
{
    private readonly FixedWindowRateLimiter _local = new(new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = window, QueueLimit = 0 });

    public override TimeSpan? IdleDuration => _local.IdleDuration;

    public override RateLimiterStatistics? GetStatistics() => _local.GetStatistics();

    // The rate-limiting middleware tries the synchronous path first and, when it is refused, waits on
    // AcquireAsync: while Redis is connected the count happens there only (once, and without blocking).
    protected override RateLimitLease AttemptAcquireCore(int permitCount) =>
        permitCount == 0 || !shared.Connected ? _local.AttemptAcquire(permitCount) : AskAsynchronously;

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
        permitCount == 0 ? _local.AttemptAcquire(0) : Decide(permitCount, await shared.CountInWindowAsync(key, window, clock.GetUtcNow()));

    private static readonly RateLimitLease AskAsynchronously = new Lease(false, null);

    private RateLimitLease Decide(int permitCount, (long Count, TimeSpan ResetIn)? counted) => counted is { } c
        ? new Lease(c.Count <= permits, c.Count <= permits ? null : c.ResetIn)
        : _local.AttemptAcquire(permitCount);

    protected override void Dispose(bool disposing)
    {
        if (disposing) _local.Dispose();
        base.Dispose(disposing);
    }

    private sealed class Lease(bool acquired, TimeSpan? retryAfter) : RateLimitLease
    {
        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = retryAfter is { } after && metadataName == MetadataName.RetryAfter.Name ? after : null;
            return metadata is not null;
        }
    }
}
