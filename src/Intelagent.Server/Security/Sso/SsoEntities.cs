using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Intelagent.Server.Security.Sso;

public enum SsoProtocol
{
    Oidc,
    Saml,
}

/// <summary>
/// An organization's single sign-on connection (one per organization): an OpenID Connect provider or
/// a SAML 2.0 identity provider. People whose email is in one of the organization's verified domains
/// sign in through it and become members on first sign-in (just in time).
/// </summary>
public sealed class SsoConnection : ITenantOwned
{
    public required string Id { get; init; }
    public required string OrganizationId { get; init; }
    public SsoProtocol Protocol { get; set; }
    public bool Enabled { get; set; } = true;
    /// <summary>When set, people of the verified domains cannot sign in with a password.</summary>
    public bool SsoOnly { get; set; }
    /// <summary>The role a person gets when SSO makes them a member (never admin or owner).</summary>
    public Role DefaultRole { get; set; } = Role.Member;
    public string? OidcAuthority { get; set; }
    public string? OidcClientId { get; set; }
    /// <summary>Encrypted with Data Protection (purpose <see cref="SsoSecrets.Purpose"/>).</summary>
    [Secret] public string? OidcClientSecretProtected { get; set; }
    public string? SamlIdpEntityId { get; set; }
    public string? SamlIdpSsoUrl { get; set; }
    /// <summary>The identity provider's signing certificate, base64 DER.</summary>
    public string? SamlIdpCertificate { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }
    public int Version { get; set; }
}

/// <summary>An email domain an organization claims; only a verified one routes people to its SSO.</summary>
public sealed class SsoDomain : ITenantOwned
{
    public required string Id { get; init; }
    public required string OrganizationId { get; init; }
    public required string Domain { get; init; }
    [Secret] public required string VerificationToken { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? VerifiedAt { get; set; }
}

/// <summary>A SAML assertion id seen, kept until the assertion expires, so it cannot be replayed.</summary>
[NotAudited]
public sealed class SamlAssertionUse
{
    public required string AssertionId { get; init; }
    public required string ConnectionId { get; init; }
    public DateTimeOffset ExpiresAt { get; init; }
}

internal sealed class SsoConnectionConfiguration : IEntityTypeConfiguration<SsoConnection>
{
    public void Configure(EntityTypeBuilder<SsoConnection> builder)
    {
        builder.ToTable("SsoConnections");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Id).HasMaxLength(40);
        builder.Property(e => e.OrganizationId).HasMaxLength(40);
        builder.HasIndex(e => e.OrganizationId).IsUnique();
        builder.Property(e => e.Protocol).HasConversion<string>().HasMaxLength(10);
        builder.Property(e => e.DefaultRole).HasConversion<string>().HasMaxLength(20);
        builder.Property(e => e.OidcAuthority).HasMaxLength(500);
        builder.Property(e => e.OidcClientId).HasMaxLength(200);
        builder.Property(e => e.OidcClientSecretProtected).HasMaxLength(2000);
        builder.Property(e => e.SamlIdpEntityId).HasMaxLength(500);
        builder.Property(e => e.SamlIdpSsoUrl).HasMaxLength(1000);
        builder.Property(e => e.SamlIdpCertificate).HasMaxLength(10000);
        builder.Property(e => e.Version).IsConcurrencyToken();
    }
}

internal sealed class SsoDomainConfiguration : IEntityTypeConfiguration<SsoDomain>
{
    public void Configure(EntityTypeBuilder<SsoDomain> builder)
    {
        builder.ToTable("SsoDomains");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Id).HasMaxLength(40);
        builder.Property(e => e.OrganizationId).HasMaxLength(40);
        builder.Property(e => e.Domain).HasMaxLength(253);
        builder.Property(e => e.VerificationToken).HasMaxLength(64);
        builder.HasIndex(e => new { e.OrganizationId, e.Domain }).IsUnique();
        // A domain routes to one organization only: at most one verified claim per domain.
        builder.HasIndex(e => e.Domain).IsUnique().HasFilter("\"VerifiedAt\" IS NOT NULL").HasDatabaseName("IX_SsoDomains_Domain_Verified");
    }
}

internal sealed class SamlAssertionUseConfiguration : IEntityTypeConfiguration<SamlAssertionUse>
{
    public void Configure(EntityTypeBuilder<SamlAssertionUse> builder)
    {
        builder.ToTable("SamlAssertionUses");
        builder.HasKey(e => e.AssertionId);
        builder.Property(e => e.AssertionId).HasMaxLength(200);
        builder.Property(e => e.ConnectionId).HasMaxLength(40);
        builder.HasIndex(e => e.ExpiresAt);
    }
}
