using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Events;

namespace Intelagent.Server.Organizations;

public sealed record OrganizationCreated(string OrganizationId, string Name, string OwnerUserId) : IDomainEvent;
public sealed record OrganizationUpdated(string OrganizationId, IReadOnlyList<string> Fields) : IDomainEvent;
public sealed record OrganizationDeletionScheduled(string OrganizationId, DateTimeOffset ScheduledFor) : IDomainEvent;
public sealed record OrganizationDeletionCancelled(string OrganizationId) : IDomainEvent;
public sealed record MemberInvited(string OrganizationId, string InvitationId, string Email, Role Role) : IDomainEvent;
public sealed record MemberJoined(string OrganizationId, string UserId, Role Role) : IDomainEvent;
public sealed record MemberRoleChanged(string OrganizationId, string UserId, Role OldRole, Role NewRole) : IDomainEvent;
public sealed record MemberRemoved(string OrganizationId, string UserId, bool Left) : IDomainEvent;
public sealed record OwnershipTransferred(string OrganizationId, string FromUserId, string ToUserId) : IDomainEvent;
public sealed record TeamChanged(string OrganizationId, string TeamId, string Change) : IDomainEvent;
public sealed record ProjectChanged(string OrganizationId, string ProjectId, string? TeamId, string Change) : IDomainEvent;
