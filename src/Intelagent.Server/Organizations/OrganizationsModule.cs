using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Ids;
using Intelagent.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Organizations;

public static class OrganizationsModule
{
    public static IServiceCollection AddOrganizations(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(new OrganizationSettings
        {
            DeletionGracePeriod = TimeSpan.FromDays(configuration.GetValue("Organizations:DeletionGraceDays", 30)),
        });
        services.AddScoped<OrganizationService>();
        services.AddScoped<MemberService>();
        services.AddScoped<InvitationService>();
        services.AddScoped<TeamService>();
        services.AddScoped<ProjectService>();
        services.AddScoped<ITeamLeadership, TeamLeadership>();
        services.AddScoped<OrganizationDeletion>();
        services.AddSingleton(new TenantOwnerLookup(IdPrefix.Team, (db, id, ct) =>
            db.Teams.IgnoreQueryFilters().Where(t => t.Id == id).Select(t => t.OrganizationId).FirstOrDefaultAsync(ct)));
        services.AddSingleton(new TenantOwnerLookup(IdPrefix.Project, (db, id, ct) =>
            db.Projects.IgnoreQueryFilters().Where(p => p.Id == id).Select(p => p.OrganizationId).FirstOrDefaultAsync(ct)));
        return services;
    }

    public static IEndpointRouteBuilder MapOrganizations(this IEndpointRouteBuilder app) => app
        .MapOrganizationEndpoints()
        .MapMemberEndpoints()
        .MapTeamEndpoints()
        .MapProjectEndpoints();
}
