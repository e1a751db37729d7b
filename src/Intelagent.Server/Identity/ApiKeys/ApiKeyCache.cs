using System.Collections.Frozen;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace Intelagent.Server.Identity.ApiKeys;

public sealed record ApiKeyInfo(string Id, string OrganizationId, string CreatedByUserId, FrozenSet<string> Permissions,
    DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt, string SecretHash);

/// <summary>
/// Keys by the hash of their secret, cached briefly so that a key costs no database read per
/// request. Revoking or rotating forgets the entry at once on this node; other nodes notice within
/// <see cref="Ttl"/> (as for sessions, until the scale-out issue moves invalidation onto Redis).
/// </summary>
public sealed class ApiKeyCache(IMemoryCache cache, IServiceScopeFactory scopes, CacheInvalidation invalidation)
{
    public static readonly TimeSpan Ttl = TimeSpan.FromSeconds(15);

    private sealed record Entry(ApiKeyInfo? Key);

    public async Task<ApiKeyInfo?> FindAsync(string secretHash, CancellationToken cancellationToken)
    {
        if (cache.TryGetValue(CacheKey(secretHash), out Entry? entry)) return entry!.Key;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDb>();
        var row = await db.Set<ApiKey>().IgnoreQueryFilters().AsNoTracking().FirstOrDefaultAsync(k => k.SecretHash == secretHash, cancellationToken);
        var info = row is null ? null : new ApiKeyInfo(row.Id, row.OrganizationId, row.CreatedByUserId, row.PermissionList.ToFrozenSet(),
            row.ExpiresAt, row.RevokedAt, row.SecretHash);
        cache.Set(CacheKey(secretHash), new Entry(info), Ttl);
        return info;
    }

    public void Forget(string secretHash) => invalidation.Forget(CacheKey(secretHash));

    private static string CacheKey(string secretHash) => "api-key:" + secretHash;
}
