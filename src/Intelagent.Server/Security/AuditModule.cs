using Intelagent.Server.Platform.Events;
using Intelagent.Server.Platform.Ids;
using Intelagent.Server.Platform.Tenancy;
using Intelagent.Server.Security.Alerts;
using Intelagent.Server.Security.Audit;
using Intelagent.Server.Security.Incidents;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Intelagent.Server.Security;

/// <summary>
/// The security center's audit trail (hash chain, sealing, verification, list, export, retention
/// checkpoints), activity monitoring with its alerts, and incidents. Settings, API keys and 2FA plug in through SecurityModule.
/// </summary>
public static class AuditModule
{
    public static IServiceCollection AddAuditTrail(this IServiceCollection services, IConfiguration configuration, string dataDirectory)
    {
        services.AddSingleton(new AuditChainKey(AuditChainKey.ResolveSecret(configuration, dataDirectory))
        {
            Configured = !string.IsNullOrEmpty(configuration[AuditChainKey.Setting]),
        });
        services.AddSingleton<AuditSealSignal>();
        services.AddSingleton<ISaveChangesInterceptor, AuditCommitInterceptor>();
        services.AddSingleton<AuditChainSealer>();
        services.AddHostedService(sp => sp.GetRequiredService<AuditChainSealer>());
        services.AddScoped<AuditChainVerifier>();
        services.AddScoped<AuditRetention>();

        services.AddSingleton(new MonitoringSettings
        {
            FailedSignInBurst = configuration.GetValue("Security:FailedSignInBurst", 5),
            MassExportsPerHour = configuration.GetValue("Security:MassExportsPerHour", 3),
            OffHoursMinimumActions = configuration.GetValue("Security:OffHoursMinimumActions", 50),
            OffHoursMinimumHistoryDays = configuration.GetValue("Security:OffHoursMinimumHistoryDays", 14),
            OffHoursMaximumShare = configuration.GetValue("Security:OffHoursMaximumShare", 0.01),
        });
        services.AddScoped<ActivityMonitor>();
        services.AddScoped<IDomainEventHandler<SecurityAlertRaised>, SecurityAlertNotifications>();
        services.AddScoped<SecurityAlertService>();
        services.AddScoped<IDomainEventHandler<SecurityAlertAcknowledged>, SecurityAlertAcknowledgements>();
        services.AddSingleton(new TenantOwnerLookup(IdPrefix.SecurityAlert, (db, id, ct) =>
            db.Set<SecurityAlert>().IgnoreQueryFilters().Where(a => a.Id == id).Select(a => a.OrganizationId).FirstOrDefaultAsync(ct)));

        services.AddScoped<IncidentService>();
        services.AddScoped<IDomainEventHandler<IncidentReported>, IncidentNotifications>();
        services.AddSingleton(new TenantOwnerLookup(IdPrefix.Incident, (db, id, ct) =>
            db.Set<Incident>().IgnoreQueryFilters().Where(i => i.Id == id).Select(i => i.OrganizationId).FirstOrDefaultAsync(ct)));
        return services;
    }

    public static IEndpointRouteBuilder MapAuditTrail(this IEndpointRouteBuilder app) => app
        .MapAuditLogEndpoints()
        .MapAlertEndpoints()
        .MapIncidentEndpoints();
}
