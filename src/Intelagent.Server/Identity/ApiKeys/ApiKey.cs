using System.Security.Cryptography;
using System.Text;
using Intelagent.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Intelagent.Server.Identity.ApiKeys;

/// <summary>
/// An organization's API key. Only the SHA-256 of the secret is stored: the secret has 256 random
/// bits, so a fast hash is enough (no password stretching needed) and lookups stay one index seek.
/// It acts for its creator inside its organization, limited to <see cref="Permissions"/>.
/// </summary>
public sealed class ApiKey : ITenantOwned
{
    public required string Id { get; init; }
    public required string OrganizationId { get; init; }
    public required string Name { get; set; }
    /// <summary>The secret's first characters (<c>ik_</c> and 8 more), so people can tell keys apart.</summary>
    public required string Prefix { get; init; }
    [Secret] public required string SecretHash { get; init; }
    /// <summary>Permission codes separated by spaces.</summary>
    public required string Permissions { get; init; }
    public required string CreatedByUserId { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? ExpiresAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    /// <summary>Written in batches by <see cref="ApiKeyUsage"/>, never on the request path.</summary>
    public DateTimeOffset? LastUsedAt { get; set; }
    public string? LastUsedIp { get; set; }
    /// <summary>Set when the key was rotated: it keeps working until <see cref="ExpiresAt"/> (the grace period).</summary>
    public string? ReplacedByKeyId { get; set; }

    public IReadOnlyList<string> PermissionList => Permissions.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    public const string SecretPrefix = "ik_";
    public const int PrefixLength = 11;

    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    /// <summary>Whether a presented string can be a key at all (checked before hashing anything).</summary>
    public static bool LooksLikeSecret(string? value) => value is { Length: > 20 and < 100 } && value.StartsWith(SecretPrefix, StringComparison.Ordinal);
}

internal sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> builder)
    {
        builder.ToTable("ApiKeys");
        builder.Property(e => e.Id).HasMaxLength(40);
        builder.Property(e => e.OrganizationId).HasMaxLength(40);
        builder.Property(e => e.Name).HasMaxLength(100);
        builder.Property(e => e.Prefix).HasMaxLength(16);
        builder.Property(e => e.SecretHash).HasMaxLength(64);
        builder.HasIndex(e => e.SecretHash).IsUnique();
        builder.Property(e => e.Permissions).HasMaxLength(2000);
        builder.Property(e => e.CreatedByUserId).HasMaxLength(40);
        builder.Property(e => e.LastUsedIp).HasMaxLength(64);
        builder.Property(e => e.ReplacedByKeyId).HasMaxLength(40);
        builder.HasIndex(e => new { e.OrganizationId, e.Id });
        builder.Ignore(e => e.PermissionList);
    }
}
