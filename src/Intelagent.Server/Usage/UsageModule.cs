using Intelagent.Server.Organizations;
using Intelagent.Server.Platform.Events;
using Intelagent.Server.Platform.Ids;
using Intelagent.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Usage;

/// <summary>Usage metering and tier limits (docs/architecture.md, "Usage").</summary>
public static class UsageModule
{
    public static IServiceCollection AddUsage(this IServiceCollection services)
    {
        services.AddSingleton<UsageLimitsProvider>();
        // With REDIS_URL the limits are shared across nodes (falling back to this node's own when Redis is out of reach).
        services.AddSingleton<InMemoryUsageLimiter>();
        services.AddSingleton<RedisUsageLimiter>();
        services.AddHostedService(sp => sp.GetRequiredService<RedisUsageLimiter>());
        services.AddSingleton<IUsageLimiter>(sp => sp.GetRequiredService<RedisUsageLimiter>() is { Configured: true } redis
            ? redis : sp.GetRequiredService<InMemoryUsageLimiter>());
        services.AddHealthChecks().AddCheck<RedisUsageLimiter.HealthCheck>("usage-limiter", tags: ["ready"]);
        services.AddSingleton<IUsageCounters, InMemoryUsageCounters>();
        services.AddSingleton<UsageFlushService>();
        services.AddHostedService(sp => sp.GetRequiredService<UsageFlushService>());
        services.AddScoped<UsageService>();
        services.AddPeerRateLimiter();
        services.AddScoped<UsageCapacity>();
        services.AddScoped<UsageEventService>();
        services.AddScoped<UsageCleanupJob>();
        services.AddScoped<UsageThresholds>();
        services.AddScoped<UsageAlerts>();
        services.AddScoped<AdminUsage>();
        services.AddScoped<UsageOverages>();
        services.AddSingleton(new TenantOwnerLookup(IdPrefix.UsageAlert, (db, id, cancellationToken) =>
            db.Set<UsageAlert>().IgnoreQueryFilters().Where(a => a.Id == id).Select(a => a.OrganizationId).FirstOrDefaultAsync(cancellationToken)));
        services.AddScoped<IDomainEventHandler<OrganizationUpdated>, UsageLimitsOnTierChange>();
        return services;
    }

    public static IEndpointRouteBuilder MapUsage(this IEndpointRouteBuilder app) => app.MapUsageEndpoints();
}
