using System.Globalization;
using System.Threading.RateLimiting;
using Intelagent.Server.Platform.Problems;
using Microsoft.AspNetCore.RateLimiting;

namespace Intelagent.Server.Platform.Http;

/// <summary>
/// Per-IP throttles on the anonymous doors (sign-up, sign-in, organization creation). Per-account
/// protection is the lockout in AuthService. In-memory per node for now; the usage issue brings the
/// shared, Redis-backed limiter for metered calls.
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
        options.AddPolicy(name, context => RateLimitPartition.GetFixedWindowLimiter(
            context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
            _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = window, QueueLimit = 0 }));
}
