using Intelagent.Server.Platform.Events;
using Intelagent.Server.Platform.Ids;
using Intelagent.Server.Platform.Tenancy;
using Intelagent.Server.Security.Access;
using Intelagent.Server.Security.Compliance;
using Intelagent.Server.Security.DataRequests;
using Intelagent.Server.Security.DataRequests.Handlers;
using Intelagent.Server.Security.Retention;
using Intelagent.Server.Security.Score;
using Microsoft.EntityFrameworkCore;

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

        services.AddScoped<DataRequestService>();
        // The personal-data registry: every entity holding personal data is covered by one of these
        // (the architecture test checks it). A new module adds its own handler in its AddXxx.
        services.AddScoped<IPersonalDataHandler, OrganizationsPersonalData>();
        services.AddScoped<IPersonalDataHandler, IdentityPersonalData>();
        services.AddScoped<IPersonalDataHandler, RealtimePersonalData>();
        services.AddScoped<IPersonalDataHandler, SecurityPersonalData>();
        services.AddScoped<IPersonalDataHandler, PlatformPersonalData>();
        services.AddScoped<IPersonalDataHandler, AuditPersonalData>();
        services.AddSingleton(new TenantOwnerLookup(IdPrefix.DataRequest, (db, id, ct) =>
            db.Set<DataRequest>().IgnoreQueryFilters().Where(r => r.Id == id).Select(r => r.OrganizationId).FirstOrDefaultAsync(ct)));

        services.AddScoped<ComplianceService>();
        services.AddScoped<MonthlyComplianceReportJob>();
        services.AddSingleton(new TenantOwnerLookup(IdPrefix.ComplianceReport, (db, id, ct) =>
            db.Set<ComplianceReport>().IgnoreQueryFilters().Where(r => r.Id == id).Select(r => r.OrganizationId).FirstOrDefaultAsync(ct)));
        return services;
    }

    public static IEndpointRouteBuilder MapCompliance(this IEndpointRouteBuilder app) => app
        .MapScoreEndpoints()
        .MapRetentionEndpoints()
        .MapDataRequestEndpoints()
        .MapComplianceEndpoints();
}
