using Intelagent.Server.Organizations;
using Intelagent.Server.Platform.Events;
using Intelagent.Server.Platform.Ids;
using Intelagent.Server.Platform.Tenancy;
using Intelagent.Server.Realtime.Activity;
using Intelagent.Server.Realtime.Presence;
using Intelagent.Server.Realtime.SocketIo;
using Intelagent.Server.Realtime.Stream;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Realtime;

public static class RealtimeModule
{
    public static IServiceCollection AddRealtime(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddScoped<Notifier>();
        services.AddScoped<OrganizationNotifications>();
        services.AddScoped<IDomainEventHandler<MemberRoleChanged>>(sp => sp.GetRequiredService<OrganizationNotifications>());
        services.AddScoped<IDomainEventHandler<MemberJoined>>(sp => sp.GetRequiredService<OrganizationNotifications>());
        services.AddScoped<IDomainEventHandler<OrganizationDeletionScheduled>>(sp => sp.GetRequiredService<OrganizationNotifications>());
        services.AddSingleton(new TenantOwnerLookup(IdPrefix.Notification, (db, id, ct) =>
            db.Notifications.IgnoreQueryFilters().Where(n => n.Id == id).Select(n => n.OrganizationId).FirstOrDefaultAsync(ct)));

        // The event stream: stored, ordered, fanned out through SignalR (and Redis with REDIS_URL).
        var redis = RealtimeRedisSettings.From(configuration);
        var signalR = services.AddSignalR().AddMessagePackProtocol(RealtimeMessagePack.Configure);
        if (redis is not null)
        {
            var backplaneOptions = redis.Options.Clone();
            backplaneOptions.ChannelPrefix = StackExchange.Redis.RedisChannel.Literal(redis.ChannelPrefix);
            var backplane = new BackplaneConnection(backplaneOptions);
            signalR.AddStackExchangeRedis(options =>
            {
                options.Configuration = backplaneOptions;
                options.ConnectionFactory = _ => backplane.ConnectAsync();
            });
            // While Redis is out of reach, SignalR keeps working on each node alone (see FallbackHubLifetimeManager).
            services.AddSingleton(backplane);
            services.AddHostedService(_ => backplane);
            services.AddSingleton(typeof(Microsoft.AspNetCore.SignalR.StackExchangeRedis.RedisHubLifetimeManager<>));
            services.AddSingleton(typeof(Microsoft.AspNetCore.SignalR.DefaultHubLifetimeManager<>));
            services.AddSingleton(typeof(Microsoft.AspNetCore.SignalR.HubLifetimeManager<>), typeof(FallbackHubLifetimeManager<>));
            services.AddHealthChecks().AddCheck<BackplaneConnection.HealthCheck>("realtime-backplane", tags: ["ready"]);
        }
        services.AddSingleton(RealtimeSettings.From(configuration));
        services.AddSingleton<RealtimeOrdering>();
        services.AddSingleton<RealtimeConnections>();
        services.AddSocketIo(configuration, redis);
        services.AddPresence(configuration, redis);
        services.AddSingleton(sp => new RealtimeAccessBus(sp.GetRequiredService<RealtimeConnections>(), sp.GetRequiredService<SocketIoConnections>(),
            sp.GetRequiredService<PresenceTracker>(), sp.GetRequiredService<RealtimeLocalListeners>(), redis, sp.GetRequiredService<ILogger<RealtimeAccessBus>>()));
        services.AddHostedService(sp => sp.GetRequiredService<RealtimeAccessBus>());
        services.AddHostedService<RealtimeSessionSweep>();
        services.AddScoped<RealtimePublisher>();
        services.AddScoped<RealtimeReplay>();

        // Subscribers of the domain-event bus.
        services.AddScoped<IDomainEventHandler<NotificationCreated>, LiveNotifications>();
        services.AddScoped<ActivityFeed>();
        AddHandlers<ActivityFeed>(services, typeof(TeamChanged), typeof(ProjectChanged), typeof(MemberJoined), typeof(MemberRoleChanged), typeof(MemberRemoved),
            typeof(OwnershipTransferred), typeof(OrganizationUpdated), typeof(MemberInvited), typeof(OrganizationDeletionScheduled), typeof(OrganizationDeletionCancelled));
        services.AddScoped<RealtimeAccessChanges>();
        AddHandlers<RealtimeAccessChanges>(services, typeof(MemberJoined), typeof(MemberRoleChanged), typeof(MemberRemoved), typeof(TeamChanged));
        return services;
    }

    public static IEndpointRouteBuilder MapRealtime(this IEndpointRouteBuilder app)
    {
        // A connection ends when its token expires, as well as when its session ends (RealtimeSessionSweep).
        app.MapHub<EventsHub>("/hubs/events", options => options.CloseOnAuthenticationExpiration = true);
        app.MapSocketIo();
        app.MapPresence();
        app.MapNotificationPreferenceEndpoints();
        app.MapActivityEndpoints();
        return app.MapNotificationEndpoints();
    }

    /// <summary>Registers one scoped handler instance for each event type it handles.</summary>
    private static void AddHandlers<THandler>(IServiceCollection services, params Type[] eventTypes) where THandler : notnull
    {
        foreach (var eventType in eventTypes)
            services.AddScoped(typeof(IDomainEventHandler<>).MakeGenericType(eventType), sp => sp.GetRequiredService<THandler>());
    }
}
