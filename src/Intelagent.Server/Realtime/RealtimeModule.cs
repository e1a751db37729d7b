using Intelagent.Server.Organizations;
using Intelagent.Server.Platform.Events;
using Intelagent.Server.Platform.Ids;
using Intelagent.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Realtime;

public static class RealtimeModule
{
    public static IServiceCollection AddRealtime(this IServiceCollection services)
    {
        services.AddScoped<Notifier>();
        services.AddScoped<OrganizationNotifications>();
        services.AddScoped<IDomainEventHandler<MemberRoleChanged>>(sp => sp.GetRequiredService<OrganizationNotifications>());
        services.AddScoped<IDomainEventHandler<MemberJoined>>(sp => sp.GetRequiredService<OrganizationNotifications>());
        services.AddScoped<IDomainEventHandler<OrganizationDeletionScheduled>>(sp => sp.GetRequiredService<OrganizationNotifications>());
        services.AddSingleton(new TenantOwnerLookup(IdPrefix.Notification, (db, id, ct) =>
            db.Notifications.IgnoreQueryFilters().Where(n => n.Id == id).Select(n => n.OrganizationId).FirstOrDefaultAsync(ct)));
        return services;
    }

    public static IEndpointRouteBuilder MapRealtime(this IEndpointRouteBuilder app) => app.MapNotificationEndpoints();
}
