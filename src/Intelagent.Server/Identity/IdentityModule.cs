using Intelagent.Server.Identity.ApiKeys;
using Intelagent.Server.Identity.TwoFactor;
using Intelagent.Server.Platform.Ids;
using Intelagent.Server.Platform.Tenancy;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Intelagent.Server.Identity;

public static class IdentityModule
{
    public static IServiceCollection AddIdentityModule(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment, string dataDirectory)
    {
        var settings = new AuthSettings
        {
            TokenLifetime = TimeSpan.FromMinutes(configuration.GetValue("Auth:TokenLifetimeMinutes", 60)),
            SessionLifetime = TimeSpan.FromDays(configuration.GetValue("Auth:SessionLifetimeDays", 14)),
            MaxFailedSignIns = configuration.GetValue("Auth:MaxFailedSignIns", 5),
            LockoutDuration = TimeSpan.FromMinutes(configuration.GetValue("Auth:LockoutMinutes", 15)),
            SecureCookies = !environment.IsDevelopment() && !environment.IsEnvironment("Testing"),
        };
        services.AddSingleton(settings);
        // Resolved on first use, so `migrate` runs without a JWT secret; serving resolves it at start (Startup).
        services.AddSingleton(_ => new SigningKeys(SigningKeys.ResolveSecret(configuration, environment, dataDirectory), configuration["JWT_SECRET_PREVIOUS"]));
        services.AddSingleton<TokenService>();
        services.AddSingleton<SessionCache>();
        services.AddSingleton<AuthCookie>();
        // PBKDF2 (HMAC-SHA512); the iteration count can be lowered for tests only.
        services.Configure<PasswordHasherOptions>(o => o.IterationCount = configuration.GetValue("Auth:PasswordHashIterations", 100_000));
        services.AddSingleton<IPasswordHasher<User>, PasswordHasher<User>>();
        services.AddScoped<AuthService>();
        services.TryAddScoped<IPasswordSignInGate, OpenPasswordSignInGate>();
        services.AddScoped<AccountService>();
        services.AddScoped<AccountEmails>();
        services.AddTokenAuthentication();
        services.AddApiKeys();
        DatabaseKeyRepository.AddDatabaseDataProtection(services, configuration);
        services.AddSingleton<TwoFactorChallenges>();
        services.AddScoped<TwoFactorService>();
        services.AddSingleton(new SmsCodeSettings());
        services.AddSingleton<SmsCodeHasher>();
        services.AddScoped<SmsCodes>();
        services.AddScoped<SmsTwoFactorService>();
        return services;
    }

    private static void AddApiKeys(this IServiceCollection services)
    {
        services.AddSingleton<ApiKeyCache>();
        services.AddSingleton<ApiKeyUsage>();
        services.AddSingleton<SessionActivity>();
        services.AddSingleton<ActivityFlushService>();
        services.AddHostedService(sp => sp.GetRequiredService<ActivityFlushService>());
        services.AddScoped<ApiKeyService>();
        services.AddSingleton(new TenantOwnerLookup(IdPrefix.ApiKey, (db, id, ct) =>
            db.Set<ApiKey>().IgnoreQueryFilters().Where(k => k.Id == id).Select(k => k.OrganizationId).FirstOrDefaultAsync(ct)));
    }

    public static IEndpointRouteBuilder MapIdentity(this IEndpointRouteBuilder app) => app.MapAuthEndpoints().MapApiKeyEndpoints().MapTwoFactorEndpoints().MapSmsTwoFactorEndpoints();
}
