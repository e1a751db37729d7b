using System.Text.Json;
using System.Text.Json.Serialization;
using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Email;
using Intelagent.Server.Platform.Events;
using Intelagent.Server.Platform.Http;
using Intelagent.Server.Platform.Jobs;
using Intelagent.Server.Platform.Problems;
using Intelagent.Server.Platform.Tenancy;
using Microsoft.AspNetCore.Authorization;
using Scalar.AspNetCore;

namespace Intelagent.Server.Platform;

/// <summary>The shared kernel's services: data, problems, tenancy, authorization, events, jobs, email, docs.</summary>
public static class PlatformModule
{
    public static IServiceCollection AddPlatform(this IServiceCollection services, IConfiguration configuration, DatabaseSettings database)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddMemoryCache();
        services.AddHttpContextAccessor();
        services.ConfigureHttpJsonOptions(options =>
        {
            // Names only: with integer values allowed, {"tier": -1} binds an enum value that does not
            // exist, is stored, and breaks every later read of that row (found by the OpenAPI fuzz test).
            options.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
            options.SerializerOptions.MaxDepth = 32;
        });
        services.AddProblems();
        services.AddDatabase(database);
        services.AddScoped<RequestContext>();
        services.AddSingleton<CacheInvalidation>();
        services.AddHostedService(sp => sp.GetRequiredService<CacheInvalidation>());
        services.AddSingleton<MembershipCache>();
        services.AddSingleton<TenantOwners>();
        services.AddAuthorization();
        services.AddSingleton<IAuthorizationPolicyProvider, PermissionPolicyProvider>();
        services.AddScoped<IAuthorizationHandler, PermissionHandler>();
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, ProblemAuthorizationResultHandler>();
        services.AddAuthRateLimits(configuration);
        services.AddSingleton<OutboxDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxDispatcher>());
        services.AddHostedService<EmailDeliveryService>();
        services.AddSingleton<PublicUrls>();
        services.AddJobs(configuration);
        services.AddHealth();
        services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "Intelagent API";
                document.Info.Description = "Organizations, teams, projects, identity and the platform's other modules. Errors are RFC 7807 problems with a stable `code`.";
                return Task.CompletedTask;
            });
            // The statuses the pipeline itself can answer (401, 403, 429, 503, ...), declared on every operation they apply to.
            options.AddOperationTransformer<PlatformResponsesTransformer>();
        });
        return services;
    }

    public static IEndpointRouteBuilder MapPlatform(this WebApplication app)
    {
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        app.MapScalarApiReference("/docs", options => options.WithTitle("Intelagent API").WithOpenApiRoutePattern("/openapi/{documentName}.json")).AllowAnonymous();
        app.MapHealth();
        app.MapPlatformAdmin();
        return app;
    }
}
