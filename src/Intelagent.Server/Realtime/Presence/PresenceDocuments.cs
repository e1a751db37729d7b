using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Ids;
using Intelagent.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Realtime.Presence;

/// <summary>
/// Which organizations a user is in and whether they may read a document, for joins made over a
/// connection (no request, so no tenant context). The document's organization comes from the
/// Documents module's registered owner lookup, uncached, so a deleted document cannot be joined.
/// </summary>
public sealed class PresenceDocuments(IServiceScopeFactory scopes, IEnumerable<TenantOwnerLookup> lookups)
{
    private readonly TenantOwnerLookup? _documents = lookups.FirstOrDefault(l => l.Prefix == IdPrefix.Document);

    /// <summary>The document's organization when the user is a member whose role reads documents; null otherwise (unknown, foreign, or not allowed).</summary>
    public async Task<string?> ReadableOrganizationAsync(string userId, string documentId, CancellationToken cancellationToken)
    {
        if (_documents is null || !Id.HasPrefix(documentId, IdPrefix.Document) || documentId.Length > 64) return null;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDb>();
        var organizationId = await _documents.FindAcrossTenantsAsync(db, documentId, cancellationToken);
        if (organizationId is null) return null;
        var role = await db.Memberships.IgnoreQueryFilters().AsNoTracking().Where(m => m.UserId == userId && m.OrganizationId == organizationId)
            .Select(m => (Role?)m.Role).FirstOrDefaultAsync(cancellationToken);
        return role is { } r && RolePermissions.Grants(r, Permissions.DocumentsRead) ? organizationId : null;
    }

    /// <summary>The user's organizations and their role in each.</summary>
    public async Task<IReadOnlyDictionary<string, Role>> OrganizationsAsync(string userId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<AppDb>().Memberships.IgnoreQueryFilters().AsNoTracking().Where(m => m.UserId == userId)
            .ToDictionaryAsync(m => m.OrganizationId, m => m.Role, cancellationToken);
    }

    /// <summary>Whether the document exists and is the organization's (the route's tenant was resolved from a cached owner).</summary>
    public async Task<bool> BelongsToAsync(string documentId, string organizationId, CancellationToken cancellationToken)
    {
        if (_documents is null || !Id.HasPrefix(documentId, IdPrefix.Document) || documentId.Length > 64) return false;
        await using var scope = scopes.CreateAsyncScope();
        return await _documents.FindAcrossTenantsAsync(scope.ServiceProvider.GetRequiredService<AppDb>(), documentId, cancellationToken) == organizationId;
    }
}
