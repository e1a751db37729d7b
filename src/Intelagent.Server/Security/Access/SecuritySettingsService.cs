using System.Net;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Http;
using Intelagent.Server.Platform.Problems;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Security.Access;

/// <summary>Reads and changes the current organization's security settings.</summary>
public sealed class SecuritySettingsService(AppDb db, SecurityPolicyCache policies)
{
    public const int MaxAllowListEntries = 100;
    public const int MinSessionTimeout = 5;
    public const int MaxSessionTimeout = 43_200;

    public async Task<SecuritySettingsResponse> GetAsync(CancellationToken cancellationToken) =>
        Describe(await db.Set<SecuritySettings>().AsNoTracking().FirstOrDefaultAsync(cancellationToken)
            ?? new SecuritySettings { OrganizationId = db.Request.OrganizationId! });

    public async Task<Result<SecuritySettingsResponse>> UpdateAsync(UpdateSecuritySettingsRequest request, CancellationToken cancellationToken)
    {
        var validation = new Validation();
        var networks = new List<IPNetwork>();
        if (request.IpWhitelist is { } list)
        {
            if (list.Count > MaxAllowListEntries) validation.Add("ipWhitelist", $"may hold at most {MaxAllowListEntries} entries.");
            for (var i = 0; i < list.Count && i < MaxAllowListEntries; i++)
            {
                if (IpAllowList.TryParse(list[i], out var network)) networks.Add(network);
                else validation.Add($"ipWhitelist[{i}]", "must be an IPv4 or IPv6 address or CIDR (e.g. 203.0.113.0/24, 2001:db8::/32) with no bits set past the prefix.");
            }
        }
        validation.When(request.SessionTimeout is { } timeout && timeout != 0 && timeout is < MinSessionTimeout or > MaxSessionTimeout,
            "sessionTimeout", $"must be 0 (no idle timeout) or between {MinSessionTimeout} and {MaxSessionTimeout} minutes.");
        if (request.PasswordPolicy is { } password)
        {
            validation.When(password.MinLength is < SecurityPolicy.PlatformMinimumPasswordLength or > 128, "passwordPolicy.minLength",
                $"must be between {SecurityPolicy.PlatformMinimumPasswordLength} and 128.");
            validation.When(password.ExpirationDays is < 0 or > 3650, "passwordPolicy.expirationDays", "must be between 0 (never) and 3650.");
        }
        if (validation.Failed) return validation.ToError();

        // Refuse a list that would shut out the very caller who sets it (decisions: a demanding user's expectation).
        if (request.IpWhitelist is not null && networks.Count > 0 &&
            !IpAllowList.Contains(networks, IPAddress.TryParse(db.Request.Ip ?? "", out var caller) ? caller : null))
            return Error.Conflict("would_lock_out_caller",
                $"Your own address ({db.Request.Ip ?? "unknown"}) is not in the new allow-list, so the change would lock you out. Add it first.");

        var settings = await db.Set<SecuritySettings>().FirstOrDefaultAsync(cancellationToken);
        if (settings is null)
        {
            settings = new SecuritySettings { OrganizationId = db.Request.OrganizationId! };
            db.Set<SecuritySettings>().Add(settings);
        }
        if (request.RequireTwoFactor is { } requireTwoFactor) settings.RequireTwoFactor = requireTwoFactor;
        if (request.IpWhitelist is not null) settings.IpWhitelist = string.Join(' ', networks.Select(n => n.ToString()).Distinct());
        if (request.SessionTimeout is { } minutes) settings.SessionTimeout = minutes;
        if (request.PasswordPolicy is { } policy)
        {
            settings.PasswordMinLength = policy.MinLength ?? settings.PasswordMinLength;
            settings.PasswordRequireUppercase = policy.RequireUppercase ?? settings.PasswordRequireUppercase;
            settings.PasswordRequireNumbers = policy.RequireNumbers ?? settings.PasswordRequireNumbers;
            settings.PasswordRequireSpecialChars = policy.RequireSpecialChars ?? settings.PasswordRequireSpecialChars;
            settings.PasswordExpirationDays = policy.ExpirationDays ?? settings.PasswordExpirationDays;
        }
        if (db.ChangeTracker.Entries<SecuritySettings>().Any(e => e.State != EntityState.Unchanged))
        {
            settings.UpdatedAt = db.Clock.GetUtcNow();
            db.Raise(new SecuritySettingsChanged(settings.OrganizationId));
            await db.SaveChangesAsync(cancellationToken);
            policies.Forget(settings.OrganizationId);
        }
        return Describe(settings);
    }

    private static SecuritySettingsResponse Describe(SecuritySettings s) => new(
        s.RequireTwoFactor, s.IpWhitelistEntries, s.SessionTimeout,
        new PasswordPolicyDto(s.PasswordMinLength, s.PasswordRequireUppercase, s.PasswordRequireNumbers, s.PasswordRequireSpecialChars, s.PasswordExpirationDays),
        s.UpdatedAt);
}
