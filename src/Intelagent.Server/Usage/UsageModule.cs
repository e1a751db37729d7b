using Intelagent.Server.Organizations;
using Intelagent.Server.Platform.Events;

namespace Intelagent.Server.Usage;

/// <summary>Usage metering and tier limits (docs/architecture.md, "Usage").</summary>
public static class UsageModule
{
    public static IServiceCollection AddUsage(this IServiceCollection services)
    {
        services.AddSingleton<UsageLimitsProvider>();
        services.AddSingleton<IUsageLimiter, InMemoryUsageLimiter>();
        services.AddSingleton<IUsageCounters, InMemoryUsageCounters>();
        services.AddSingleton<UsageFlushService>();
        services.AddHostedService(sp => sp.GetRequiredService<UsageFlushService>());
        services.AddScoped<UsageService>();
        services.AddScoped<UsageCapacity>();
        services.AddScoped<UsageEventService>();
        services.AddScoped<UsageCleanupJob>();
        services.AddScoped<IDomainEventHandler<OrganizationUpdated>, UsageLimitsOnTierChange>();
        return services;
    }

    public static IEndpointRouteBuilder MapUsage(this IEndpointRouteBuilder app) => app.MapUsageEndpoints();
}
