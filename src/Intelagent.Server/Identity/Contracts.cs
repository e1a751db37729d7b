using Intelagent.Server.Organizations;
using Intelagent.Server.Platform.Authorization;

namespace Intelagent.Server.Identity;

public sealed record RegisterRequest(string? Email, string? Password, string? Name, string? OrganizationName);
public sealed record LoginRequest(string? Email, string? Password);
public sealed record TokenRequest(string? Token);
public sealed record EmailRequest(string? Email);
public sealed record ResetPasswordRequest(string? Token, string? Password);
public sealed record ChangePasswordRequest(string? CurrentPassword, string? NewPassword);

public sealed record MembershipSummary(string OrganizationId, string OrganizationName, Role Role, SubscriptionTier SubscriptionTier);

/// <summary>
/// The spec's User. <see cref="OrganizationId"/> and <see cref="Role"/> are those of the membership
/// in context (the only one, or the one named by X-Organization-Id); all memberships are listed.
/// </summary>
public sealed record UserResponse(
    string Id, string Email, string Name, bool EmailVerified, bool IsPlatformOperator,
    string? OrganizationId, Role? Role, IReadOnlyList<MembershipSummary> Memberships, DateTimeOffset CreatedAt);

public sealed record AuthResponse(string Token, DateTimeOffset ExpiresAt, UserResponse User);

public sealed record SessionResponse(string Id, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, string? Ip, string? UserAgent, bool Current);
