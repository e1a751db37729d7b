using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace Intelagent.Server.Platform.Tenancy;

/// <summary>
/// The caller's role in an organization, read once and cached briefly, so authorization costs no
/// database round trip on the hot path. Role changes and removals call <see cref="Forget"/>.
/// </summary>
public sealed class MembershipCache(IMemoryCache cache, IServiceScopeFactory scopes)
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

    public void Forget(string userId, string organizationId) => cache.Remove(Key(userId, organizationId));

    private static string Key(string userId, string organizationId) => $"membership:{userId}:{organizationId}";
}
