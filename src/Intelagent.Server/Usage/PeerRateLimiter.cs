using System.Threading.RateLimiting;
using Intelagent.Server.Platform.Tenancy;
using Microsoft.AspNetCore.RateLimiting;

namespace Intelagent.Server.Usage;

/// <summary>
/// The benchmark's peer (bench/usage-metering.sh): with <c>Usage:PeerLimiter=aspnet</c>, ASP.NET Core's
/// own partitioned token-bucket limiter, one partition per organization, runs as the global limiter
/// (set <c>Usage:Metering=false</c> beside it, so only the peer limits). Never on by default.
/// </summary>
public static class PeerRateLimiter
{
    public static IServiceCollection AddPeerRateLimiter(this IServiceCollection services)
    {
        services.AddOptions<RateLimiterOptions>().Configure<IConfiguration>((options, configuration) =>
        {
            if (configuration["Usage:PeerLimiter"] != "aspnet") return;
            var perMinute = configuration.GetValue("Usage:PeerRatePerMinute", 5_000);
            var burst = configuration.GetValue("Usage:PeerBurst", 10_000);
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                context.RequestServices.GetRequiredService<RequestContext>().OrganizationId is { } organizationId
                    ? RateLimitPartition.GetTokenBucketLimiter(organizationId, _ => new TokenBucketRateLimiterOptions
                    {
                        TokenLimit = burst,
                        TokensPerPeriod = Math.Max(1, perMinute / 60),
                        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                        QueueLimit = 0,
                        AutoReplenishment = true,
                    })
                    : RateLimitPartition.GetNoLimiter("no-organization"));
        });
        return services;
    }
}
