namespace Intelagent.Server.Platform.Authorization;

/// <summary>The permission an endpoint requires: read by the isolation matrix and the OpenAPI document.</summary>
public sealed record PermissionMetadata(string Permission);

/// <summary>The endpoint acts inside one organization, so the tenant must be resolved for it.</summary>
public sealed record TenantScopedMetadata;

/// <summary>The endpoint needs a signed-in caller and no particular permission (their own account).</summary>
public sealed record SignedInMetadata;

public static class EndpointPermissionExtensions
{
    public const string PolicyPrefix = "permission:";

    /// <summary>
    /// Declares the one permission this endpoint needs. Tenant permissions also mark the endpoint
    /// tenant-scoped: the caller's role in the resolved organization decides.
    /// </summary>
    public static TBuilder RequirePermission<TBuilder>(this TBuilder builder, string permission) where TBuilder : IEndpointConventionBuilder
    {
        if (!Permissions.All.Contains(permission)) throw new ArgumentException($"Unknown permission {permission}", nameof(permission));
        builder.WithMetadata(new PermissionMetadata(permission));
        if (!Permissions.IsPlatform(permission)) builder.WithMetadata(new TenantScopedMetadata());
        return builder.RequireAuthorization(PolicyPrefix + permission);
    }

    /// <summary>Declares an endpoint any signed-in caller may use, for their own account or their own list.</summary>
    public static TBuilder RequireSignedIn<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new SignedInMetadata()).RequireAuthorization();
}

/// <summary>Lets the permission handler ask whether a manager leads the team a resource belongs to.</summary>
public interface ITeamLeadership
{
    Task<bool> LeadsTeamOfAsync(string userId, string resourceId, CancellationToken cancellationToken);
}
