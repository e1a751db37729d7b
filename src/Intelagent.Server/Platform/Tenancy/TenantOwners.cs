using Intelagent.Server.Platform.Data;
using Microsoft.Extensions.Caching.Memory;

namespace Intelagent.Server.Platform.Tenancy;

/// <summary>
/// Finds which organization owns a resource from its id, for routes such as <c>/api/teams/{id}</c>
/// that do not name the organization. Modules register a lookup per id prefix. Ownership never
/// changes, so answers are cached; a deleted resource then answers 404 from its own query.
/// </summary>
public sealed class TenantOwners(IMemoryCache cache, IServiceScopeFactory scopes, IEnumerable<TenantOwnerLookup> lookups)
{
    private readonly Dictionary<string, TenantOwnerLookup> _byPrefix = lookups.ToDictionary(l => l.Prefix + "_");

    public bool Knows(string id) => _byPrefix.Keys.Any(id.StartsWith);

    public async Task<string?> OwnerOfAsync(string id, CancellationToken cancellationToken)
    {
        var lookup = _byPrefix.FirstOrDefault(p => id.StartsWith(p.Key, StringComparison.Ordinal)).Value;
        if (lookup is null || id.Length > 64) return null;
        var key = "owner:" + id;
        if (cache.TryGetValue(key, out string? owner)) return owner;
        await using var scope = scopes.CreateAsyncScope();
        owner = await lookup.FindAcrossTenantsAsync(scope.ServiceProvider.GetRequiredService<AppDb>(), id, cancellationToken);
        if (owner is not null) cache.Set(key, owner, TimeSpan.FromMinutes(10));
        return owner;
    }
}

/// <summary>How one kind of resource names its organization (ignores tenant filters by design).</summary>
public sealed record TenantOwnerLookup(string Prefix, Func<AppDb, string, CancellationToken, Task<string?>> FindAcrossTenantsAsync);
