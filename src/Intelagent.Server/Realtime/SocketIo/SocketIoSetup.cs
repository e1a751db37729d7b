using Intelagent.Server.Realtime.Presence;
using Intelagent.Server.Realtime.Stream;

namespace Intelagent.Server.Realtime.SocketIo;

/// <summary>Registers and maps the socket.io endpoint (part of the Realtime module).</summary>
public static class SocketIoSetup
{
    public static IServiceCollection AddSocketIo(this IServiceCollection services, IConfiguration configuration, RealtimeRedisSettings? redis)
    {
        services.AddSingleton(EngineIoSettings.From(configuration));
        services.AddSingleton<SocketIoConnections>();
        services.AddSingleton<SocketIoProtocol>();
        services.AddSingleton<SocketIoEndpoint>();
        services.AddSingleton<RealtimeLocalListeners>();
        services.AddSingleton(sp => new SocketIoFanOut(sp.GetRequiredService<SocketIoConnections>(), sp.GetRequiredService<RealtimeLocalListeners>(), redis, sp.GetRequiredService<ILogger<SocketIoFanOut>>()));
        services.AddHostedService(sp => sp.GetRequiredService<SocketIoFanOut>());
        return services;
    }

    /// <summary>
    /// Maps <c>/socket.io/</c> as one endpoint with its own small pipeline (WebSockets enabled there
    /// only, as SignalR does for its hubs). It is anonymous at the HTTP level: the client authenticates
    /// in its Socket.IO CONNECT packet, which is refused with CONNECT_ERROR.
    /// </summary>
    public static IEndpointRouteBuilder MapSocketIo(this IEndpointRouteBuilder app)
    {
        var endpoint = app.ServiceProvider.GetRequiredService<SocketIoEndpoint>();
        var presence = app.ServiceProvider.GetRequiredService<PresenceTracker>();
        app.ServiceProvider.GetRequiredService<SocketIoConnections>().ClientLeft += sessionId => _ = presence.DisconnectAsync(SocketIoProtocol.PresenceKey(sessionId));
        var pipeline = app.CreateApplicationBuilder();
        pipeline.UseWebSockets();
        pipeline.Run(endpoint.HandleAsync);
        app.Map("/socket.io", pipeline.Build()).AllowAnonymous().WithName("SocketIo").ExcludeFromDescription();
        return app;
    }
}
