using Intelagent.Server.Platform.Events;
using Intelagent.Server.Security.Access;
using Intelagent.Server.Security.Retention;
using Intelagent.Server.Security.Score;

namespace Intelagent.Server.Security;

/// <summary>
/// The security center's score and compliance part: the security score and its history, retention
/// policies and their enforcement, data-subject requests, and the compliance report (decision 016).
/// </summary>
public static class ComplianceModule
{
    public static IServiceCollection AddCompliance(this IServiceCollection services)
    {
        services.AddScoped<SecurityPosture>();
        services.AddScoped<SecurityScoreService>();
        services.AddScoped<DailySecurityScoreJob>();
        services.AddScoped<IDomainEventHandler<SecuritySettingsChanged>, ScoreSnapshotOnChange>();
        services.AddScoped<IDomainEventHandler<RetentionPoliciesChanged>, ScoreSnapshotOnChange>();

        services.AddScoped<RetentionService>();
        services.AddScoped<RetentionEnforcementJob>();
        return services;
    }

    public static IEndpointRouteBuilder MapCompliance(this IEndpointRouteBuilder app) => app
        .MapScoreEndpoints()
        .MapRetentionEndpoints();
}
