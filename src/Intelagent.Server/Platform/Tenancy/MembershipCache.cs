using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace Intelagent.Server.Platform.Tenancy;

/// <summary>
/// The caller's role in an organization, read once and cached briefly, so authorization costs no
/// database round trip on the hot path. Role changes and removals call <see cref="Forget"/>.
/// </summary>
public sealed class MembershipCache(IMemoryCache cache, IServiceScopeFactory scopes, CacheInvalidation invalidation)
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(30);

    private sealed record Entry(Role? Role);

    public async Task<Role?> RoleOfAsync(string userId, string organizationId, CancellationToken cancellationToken)
    {
        var key = Key(userId, organizationId);
        if (cache.TryGetValue(key, out Entry? entry)) return entry!.Role;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDb>();
        var role = await db.Memberships.IgnoreQueryFilters().AsNoTracking()
            .Where(m => m.UserId == userId && m.OrganizationId == organizationId)
            .Select(m => (Role?)m.Role).FirstOrDefaultAsync(cancellationToken);
        cache.Set(key, new Entry(role), Ttl);
        return role;
    }

    /// <summary>
    /// Up to two of the user's organizations: enough to know "exactly one" (used when a request names
    /// none), cached like roles so that this question costs no database round trip per request.
    /// </summary>
    public async Task<IReadOnlyList<string>> FirstOrganizationsOfAsync(string userId, CancellationToken cancellationToken)
    {
        var key = OrganizationsKey(userId);
        if (cache.TryGetValue(key, out IReadOnlyList<string>? organizations)) return organizations!;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDb>();
        organizations = await db.Memberships.IgnoreQueryFilters().AsNoTracking()
            .Where(m => m.UserId == userId).OrderBy(m => m.OrganizationId).Select(m => m.OrganizationId).Take(2).ToListAsync(cancellationToken);
        cache.Set(key, organizations, Ttl);
        return organizations;
    }

    public void Forget(string userId, string organizationId)
    {
        invalidation.Forget(Key(userId, organizationId));
        ForgetOrganizationsOf(userId);
    }

    /// <summary>Call after the user joins an organization, so "their only organization" is read again.</summary>
    public void ForgetOrganizationsOf(string userId) => invalidation.Forget(OrganizationsKey(userId));

    private static string OrganizationsKey(string userId) => $"memberships-of:{userId}";

    private static string Key(string userId, string organizationId) => $"membership:{userId}:{organizationId}";
}
