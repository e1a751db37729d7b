using MudBlazor.Services;

namespace Intelagent.Server.Portal;

/// <summary>
/// The customer portal (<c>/</c>) and the admin portal (<c>/admin</c>): Blazor components rendered
/// interactively on the server, in the same host as the API so they call the same services.
/// </summary>
public static class PortalModule
{
    public static IServiceCollection AddPortal(this IServiceCollection services)
    {
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddCascadingAuthenticationState();
        services.AddMudServices();
        services.AddScoped<PortalSession>();
        services.AddScoped<Microsoft.AspNetCore.Components.Server.Circuits.CircuitHandler, PortalCircuitActivity>();
        services.AddScoped<Live.PortalLive>();
        return services;
    }

    public static IEndpointRouteBuilder MapPortal(this WebApplication app)
    {
        // wwwroot and the packages' _content (MudBlazor's css and js), plus /_framework/blazor.web.js.
        app.MapStaticAssets().AllowAnonymous();
        // Pages decide themselves who may see them (the layouts redirect to the sign-in page), so a
        // browser never receives the API's 401 problem instead of a page.
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode().AllowAnonymous();
        return app;
    }
}
