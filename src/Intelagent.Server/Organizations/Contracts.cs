using Intelagent.Server.Platform.Authorization;

namespace Intelagent.Server.Organizations;

public sealed record CreateOrganizationRequest(string? Name, string? TimeZone);
public sealed record UpdateOrganizationRequest(string? Name, string? TimeZone);
public sealed record ChangeTierRequest(SubscriptionTier? SubscriptionTier);

public sealed record OrganizationSummary(
    string Id, string Name, SubscriptionTier SubscriptionTier, decimal Mrr, string MrrCurrency, string TimeZone,
    DateTimeOffset CreatedAt, DateTimeOffset? DeletionScheduledFor, Role? Role);

/// <summary>The spec's Organization, with its teams and users (the membership's role as <c>role</c>).</summary>
public sealed record OrganizationResponse(
    string Id, string Name, SubscriptionTier SubscriptionTier, decimal Mrr, string MrrCurrency, string TimeZone,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? DeletionScheduledFor, Role? Role,
    IReadOnlyList<TeamSummary> Teams, IReadOnlyList<MemberResponse> Users);

public sealed record MemberResponse(string UserId, string OrganizationId, string Email, string Name, Role Role, DateTimeOffset JoinedAt);
public sealed record ChangeRoleRequest(Role? Role);
public sealed record TransferOwnershipRequest(string? UserId);

public sealed record InviteRequest(string? Email, Role? Role, string? TeamId);
public sealed record InvitationResponse(
    string Id, string OrganizationId, string Email, Role Role, string? TeamId, string InvitedByUserId,
    DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, string Status, string? Link, string? Token);
public sealed record AcceptInvitationRequest(string? Token, string? Name, string? Password);
public sealed record AcceptInvitationResponse(string OrganizationId, Role Role, string UserId, string? Token, DateTimeOffset? ExpiresAt);

public sealed record CreateTeamRequest(string? Name, string? Description);
public sealed record UpdateTeamRequest(string? Name, string? Description);
public sealed record TeamSummary(string Id, string Name);
public sealed record TeamMemberResponse(string UserId, string Email, string Name, TeamRole Role, DateTimeOffset AddedAt);
public sealed record TeamResponse(
    string Id, string OrganizationId, string Name, string? Description, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    IReadOnlyList<TeamMemberResponse> Members, IReadOnlyList<ProjectSummary> Projects);
public sealed record AddTeamMemberRequest(string? UserId, TeamRole? Role);
public sealed record SetTeamRoleRequest(TeamRole? Role);

public sealed record CreateProjectRequest(string? Name, string? Description, string? TeamId);
public sealed record UpdateProjectRequest(string? Name, string? Description, string? TeamId, ProjectStatus? Status, bool? ClearTeam);
public sealed record ProjectSummary(string Id, string Name);
public sealed record ProjectResponse(
    string Id, string OrganizationId, string? TeamId, string Name, string? Description, ProjectStatus Status,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
