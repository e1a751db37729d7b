using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Tenancy;
using Microsoft.AspNetCore.Authorization;

namespace Intelagent.Server.Identity.ApiKeys;

/// <summary>
/// Routes meant for a person's own account (everything declared <c>RequireSignedIn</c>: /api/auth/*,
/// sessions, 2FA, the caller's organization list) and routes marked <see cref="RefuseApiKeys"/>
/// (leaving an organization) refuse API keys with 403 <c>api_key_not_allowed</c>: a key acts for an
/// organization, it is not its creator's account.
/// </summary>
public sealed class PeopleOnlyRequirement : IAuthorizationRequirement;

public sealed class PeopleOnlyHandler(RequestContext request) : AuthorizationHandler<PeopleOnlyRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, PeopleOnlyRequirement requirement)
    {
        if (request.ApiKeyId is null) context.Succeed(requirement);
        else context.Fail(new PermissionFailure(this, 403, "api_key_not_allowed", "API keys cannot use routes meant for a person's own account; sign in instead."));
        return Task.CompletedTask;
    }
}

public static class PeopleOnly
{
    public const string Policy = "people-only";

    public static IServiceCollection AddPeopleOnlyAuthorization(this IServiceCollection services)
    {
        services.AddScoped<IAuthorizationHandler, PeopleOnlyHandler>();
        services.Configure<AuthorizationOptions>(options =>
        {
            var peopleOnly = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().AddRequirements(new PeopleOnlyRequirement()).Build();
            // RequireSignedIn() uses the default policy: people only.
            options.DefaultPolicy = peopleOnly;
            options.AddPolicy(Policy, peopleOnly);
        });
        return services;
    }

    /// <summary>Refuses API keys on a route that a key's permissions would otherwise allow.</summary>
    public static TBuilder RefuseApiKeys<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(Policy);
}
