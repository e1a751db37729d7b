using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Problems;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Usage;

/// <summary>
/// Seat and project limits where members are invited and projects created (for the current
/// organization). Pending invitations hold a seat. A downgrade below current use is allowed; it only
/// blocks new members or projects until the organization is under its limit again.
/// </summary>
public sealed class UsageCapacity(AppDb db, UsageLimitsProvider limitsProvider, IConfiguration configuration)
{
    private readonly bool _enforce = configuration.GetValue("Usage:EnforceLimits", true);

    public async Task<Error?> SeatAvailableAsync(CancellationToken cancellationToken)
    {
        if (!_enforce || await limitsProvider.ForAsync(db.Request.OrganizationId!, cancellationToken) is not { Limits.Seats: { } limit } effective) return null;
        var now = db.Clock.GetUtcNow();
        var used = await db.Memberships.CountAsync(cancellationToken)
            + await db.Invitations.CountAsync(i => i.AcceptedAt == null && i.RevokedAt == null && i.ExpiresAt > now, cancellationToken);
        return used < limit ? null : Error.Conflict("seat_limit_reached",
            $"The organization uses {used} of its {limit} seats (members plus pending invitations) on the {Plan(effective)} plan. "
            + "Upgrade the plan or ask an operator for a custom limit to raise it, or remove a member or revoke an invitation.");
    }

    public async Task<Error?> ProjectAvailableAsync(CancellationToken cancellationToken)
    {
        if (!_enforce || await limitsProvider.ForAsync(db.Request.OrganizationId!, cancellationToken) is not { Limits.Projects: { } limit } effective) return null;
        var used = await db.Projects.CountAsync(cancellationToken);
        return used < limit ? null : Error.Conflict("project_limit_reached",
            $"The organization has {used} of its {limit} projects on the {Plan(effective)} plan. "
            + "Upgrade the plan or ask an operator for a custom limit to raise it, or delete a project.");
    }

    private static string Plan(EffectiveLimits effective) => effective.Tier.ToString().ToLowerInvariant();
}
