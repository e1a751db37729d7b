using Intelagent.Server.Identity;

namespace Intelagent.Server.Security.Access;

/// <summary>Security settings and the organization guards that enforce them (API keys and 2FA live in Identity).</summary>
public static class AccessModule
{
    public static IServiceCollection AddAccessControl(this IServiceCollection services)
    {
        services.AddSingleton<SecurityPolicyCache>();
        services.AddScoped<SecuritySettingsService>();
        services.AddScoped<IPasswordRules, PasswordRules>();
        return services;
    }

    public static IEndpointRouteBuilder MapAccessControl(this IEndpointRouteBuilder app) => app.MapSecuritySettingsEndpoints();
}
