using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Http;

namespace Intelagent.Server.Security.Access;

/// <summary>The spec's /api/security/settings (organization from X-Organization-Id, the only membership, or the API key).</summary>
public static class SecuritySettingsEndpoints
{
    public static IEndpointRouteBuilder MapSecuritySettingsEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/security/settings").WithTags("Security settings");
        group.MapGet("/", GetAsync).RequirePermission(Permissions.SecuritySettingsRead).WithName("GetSecuritySettings")
            .Produces<SecuritySettingsResponse>().WithProblems(400, 403, 404);
        group.MapPut("/", UpdateAsync).RequirePermission(Permissions.SecuritySettingsManage).WithName("UpdateSecuritySettings")
            .WithSummary("Change settings; a field left out keeps its value; an allow-list without the caller's address is refused")
            .Produces<SecuritySettingsResponse>().WithProblems(400, 403, 404, 409);
        return app;
    }

    private static async Task<IResult> GetAsync(SecuritySettingsService settings, CancellationToken cancellationToken) =>
        TypedResults.Ok(await settings.GetAsync(cancellationToken));

    private static async Task<IResult> UpdateAsync(UpdateSecuritySettingsRequest request, SecuritySettingsService settings, CancellationToken cancellationToken) =>
        (await settings.UpdateAsync(request, cancellationToken)).ToHttp(s => TypedResults.Ok(s));
}
