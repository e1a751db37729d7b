using Intelagent.Server.Platform.Tenancy;

namespace Intelagent.Server.Identity;

/// <summary>
/// A person who signs in. A user has no organization of their own: memberships carry organization
/// and role. <see cref="IsPlatformOperator"/> is the separate, platform-wide operator flag.
/// </summary>
public sealed class User
{
    public required string Id { get; init; }
    public required string Email { get; set; }
    public required string NormalizedEmail { get; set; }
    public required string Name { get; set; }
    [Secret] public string PasswordHash { get; set; } = "";
    public DateTimeOffset? EmailVerifiedAt { get; set; }
    public bool IsPlatformOperator { get; set; }
    public int FailedSignInCount { get; set; }
    public DateTimeOffset? LockoutEndsAt { get; set; }
    public DateTimeOffset PasswordChangedAt { get; set; }
    public DateTimeOffset CreatedAt { get; init; }

    public static string Normalize(string email) => email.Trim().ToUpperInvariant();
}

/// <summary>A signed-in session. Every JWT names one; revoking it refuses its tokens at once.</summary>
[NotAudited]
public sealed class Session
{
    public required string Id { get; init; }
    public required string UserId { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    /// <summary>Flushed in batches from memory (SessionActivity); drives the organization's idle timeout.</summary>
    public DateTimeOffset? LastActivityAt { get; set; }
    public string? Ip { get; init; }
    public string? UserAgent { get; init; }
}

public enum UserTokenPurpose
{
    VerifyEmail,
    ResetPassword,
}

/// <summary>A single-use emailed token (verification, reset). Only its SHA-256 is stored.</summary>
[NotAudited]
public sealed class UserToken
{
    public required string Id { get; init; }
    public required string UserId { get; init; }
    public UserTokenPurpose Purpose { get; init; }
    [Secret] public required string TokenHash { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset ExpiresAt { get; init; }
    public DateTimeOffset? UsedAt { get; set; }
}
