using System.Net;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace Intelagent.Server.Security.Access;

/// <summary>An organization's settings in the form the guards use (parsed networks, durations).</summary>
public sealed record SecurityPolicy(bool RequireTwoFactor, IReadOnlyList<IPNetwork> AllowList, TimeSpan? IdleTimeout, PasswordPolicyDto Password)
{
    public const int PlatformMinimumPasswordLength = 10;

    public static readonly SecurityPolicy Default = From(null);

    public static SecurityPolicy From(SecuritySettings? settings) => settings is null
        ? new(false, [], null, new PasswordPolicyDto(PlatformMinimumPasswordLength, false, false, false, 0))
        : new(settings.RequireTwoFactor,
            settings.IpWhitelistEntries.Select(e => IpAllowList.TryParse(e, out var network) ? network : (IPNetwork?)null).OfType<IPNetwork>().ToArray(),
            settings.SessionTimeout > 0 ? TimeSpan.FromMinutes(settings.SessionTimeout) : null,
            new PasswordPolicyDto(settings.PasswordMinLength, settings.PasswordRequireUppercase, settings.PasswordRequireNumbers,
                settings.PasswordRequireSpecialChars, settings.PasswordExpirationDays));

    /// <summary>Whether an address may reach the organization; an unknown address may not when a list is set.</summary>
    public bool Allows(IPAddress? address) => AllowList.Count == 0 || IpAllowList.Contains(AllowList, address);
}

public static class IpAllowList
{
    /// <summary>A CIDR (<c>10.0.0.0/8</c>, <c>2001:db8::/32</c>) or a bare address (a /32 or /128).</summary>
    public static bool TryParse(string? value, out IPNetwork network)
    {
        network = default;
        if (string.IsNullOrWhiteSpace(value) || value.Length > 50) return false;
        value = value.Trim();
        if (value.Contains('/')) return IPNetwork.TryParse(value, out network);
        if (!IPAddress.TryParse(value, out var address)) return false;
        network = new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
        return true;
    }

    public static bool Contains(IEnumerable<IPNetwork> networks, IPAddress? address)
    {
        if (address is null) return false;
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        return networks.Any(n => n.Contains(address));
    }
}

/// <summary>Policies by organization, cached briefly: the guards run on every request.</summary>
public sealed class SecurityPolicyCache(IMemoryCache cache, IServiceScopeFactory scopes, CacheInvalidation invalidation)
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(30);

    public async Task<SecurityPolicy> ForAsync(string organizationId, CancellationToken cancellationToken)
    {
        if (cache.TryGetValue(Key(organizationId), out SecurityPolicy? policy)) return policy!;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDb>();
        var settings = await db.Set<SecuritySettings>().IgnoreQueryFilters().AsNoTracking()
            .FirstOrDefaultAsync(s => s.OrganizationId == organizationId, cancellationToken);
        policy = SecurityPolicy.From(settings);
        cache.Set(Key(organizationId), policy, Ttl);
        return policy;
    }

    /// <summary>The shortest password lifetime among the user's organizations (0: none expires).</summary>
    public async Task<int> StrictestPasswordExpiryDaysAsync(string userId, CancellationToken cancellationToken)
    {
        var key = "password-expiry:" + userId;
        if (cache.TryGetValue(key, out int days)) return days;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDb>();
        days = await db.Set<SecuritySettings>().IgnoreQueryFilters().AsNoTracking()
            .Where(s => s.PasswordExpirationDays > 0 && db.Memberships.IgnoreQueryFilters().Any(m => m.UserId == userId && m.OrganizationId == s.OrganizationId))
            .Select(s => (int?)s.PasswordExpirationDays).MinAsync(cancellationToken) ?? 0;
        cache.Set(key, days, Ttl);
        return days;
    }

    public void Forget(string organizationId) => invalidation.Forget(Key(organizationId));

    private static string Key(string organizationId) => "security-policy:" + organizationId;
}
