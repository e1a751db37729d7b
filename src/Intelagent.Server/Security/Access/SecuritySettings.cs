using Intelagent.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Intelagent.Server.Security.Access;

/// <summary>
/// An organization's security settings (the spec's shape). No row means the defaults. Changes go
/// through the audit hook, which records each changed field's before and after.
/// </summary>
public sealed class SecuritySettings : ITenantOwned
{
    public required string OrganizationId { get; init; }
    public bool RequireTwoFactor { get; set; }
    /// <summary>Canonical CIDRs separated by spaces; empty allows every address.</summary>
    public string IpWhitelist { get; set; } = "";
    /// <summary>Idle minutes after which a session ends; 0 leaves only the session lifetime.</summary>
    public int SessionTimeout { get; set; }
    public int PasswordMinLength { get; set; } = SecurityPolicy.PlatformMinimumPasswordLength;
    public bool PasswordRequireUppercase { get; set; }
    public bool PasswordRequireNumbers { get; set; }
    public bool PasswordRequireSpecialChars { get; set; }
    /// <summary>Days after which a password must be changed; 0 never.</summary>
    public int PasswordExpirationDays { get; set; }
    public DateTimeOffset? UpdatedAt { get; set; }

    public IReadOnlyList<string> IpWhitelistEntries => IpWhitelist.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}

internal sealed class SecuritySettingsConfiguration : IEntityTypeConfiguration<SecuritySettings>
{
    public void Configure(EntityTypeBuilder<SecuritySettings> builder)
    {
        builder.HasKey(e => e.OrganizationId);
        builder.Property(e => e.OrganizationId).HasMaxLength(40);
        builder.Property(e => e.IpWhitelist).HasMaxLength(6000);
        builder.Ignore(e => e.IpWhitelistEntries);
    }
}

/// <summary>Raised when an organization's security settings change (the security score keeps a snapshot).</summary>
public sealed record SecuritySettingsChanged(string OrganizationId) : Platform.Events.IDomainEvent
{
    string? Platform.Events.IDomainEvent.OrganizationId => OrganizationId;
}

public sealed record PasswordPolicyDto(int MinLength, bool RequireUppercase, bool RequireNumbers, bool RequireSpecialChars, int ExpirationDays);

public sealed record SecuritySettingsResponse(bool RequireTwoFactor, IReadOnlyList<string> IpWhitelist, int SessionTimeout, PasswordPolicyDto PasswordPolicy, DateTimeOffset? UpdatedAt);

public sealed record PasswordPolicyRequest(int? MinLength, bool? RequireUppercase, bool? RequireNumbers, bool? RequireSpecialChars, int? ExpirationDays);

/// <summary>PUT body: a field left out keeps its current value.</summary>
public sealed record UpdateSecuritySettingsRequest(bool? RequireTwoFactor, IReadOnlyList<string>? IpWhitelist, int? SessionTimeout, PasswordPolicyRequest? PasswordPolicy);
