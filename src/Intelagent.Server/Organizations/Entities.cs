using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Tenancy;

namespace Intelagent.Server.Organizations;

public enum SubscriptionTier
{
    Free,
    Basic,
    Pro,
    Enterprise,
}

/// <summary>A customer organization: the tenant. Filtered on its own id (see AppDb).</summary>
public sealed class Organization
{
    public required string Id { get; init; }
    [NoPersonalData("an organization's name")] public required string Name { get; set; }
    public SubscriptionTier SubscriptionTier { get; set; }
    /// <summary>Monthly recurring revenue in the reporting currency, kept up to date by billing.</summary>
    public decimal Mrr { get; set; }
    public string MrrCurrency { get; set; } = "USD";
    /// <summary>IANA time zone for reports and "usual hours".</summary>
    public string TimeZone { get; set; } = "UTC";
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? DeletionRequestedAt { get; set; }
    public DateTimeOffset? DeletionScheduledFor { get; set; }
    public int Version { get; set; }
}

/// <summary>A user's place in an organization: the role lives here, not on the user.</summary>
public sealed class Membership : ITenantOwned
{
    public required string Id { get; init; }
    public required string OrganizationId { get; init; }
    public required string UserId { get; init; }
    public Role Role { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
}

public sealed class Team : ITenantOwned
{
    public required string Id { get; init; }
    public required string OrganizationId { get; init; }
    [NoPersonalData("a team's or project's name")] public required string Name { get; set; }
    [NoPersonalData("a team's or project's name")] public required string NormalizedName { get; set; }
    public string? Description { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }
    public int Version { get; set; }
}

public sealed class TeamMember : ITenantOwned
{
    public required string Id { get; init; }
    public required string OrganizationId { get; init; }
    public required string TeamId { get; init; }
    public required string UserId { get; init; }
    public TeamRole Role { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
}

public enum ProjectStatus
{
    Active,
    Archived,
}

public sealed class Project : ITenantOwned
{
    public required string Id { get; init; }
    public required string OrganizationId { get; init; }
    public string? TeamId { get; set; }
    [NoPersonalData("a team's or project's name")] public required string Name { get; set; }
    [NoPersonalData("a team's or project's name")] public required string NormalizedName { get; set; }
    public string? Description { get; set; }
    public ProjectStatus Status { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }
    public int Version { get; set; }
}

/// <summary>An emailed, expiring, single-use invitation. Only the token's SHA-256 is stored.</summary>
public sealed class Invitation : ITenantOwned
{
    public required string Id { get; init; }
    public required string OrganizationId { get; init; }
    public required string Email { get; init; }
    public required string NormalizedEmail { get; init; }
    public Role Role { get; init; }
    public string? TeamId { get; init; }
    [Secret] public required string TokenHash { get; init; }
    public required string InvitedByUserId { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset ExpiresAt { get; init; }
    public DateTimeOffset? AcceptedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }

    public bool IsPending(DateTimeOffset now) => AcceptedAt is null && RevokedAt is null && ExpiresAt > now;
}
