using Intelagent.Server.Identity;
using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Email;
using Intelagent.Server.Platform.Http;
using Intelagent.Server.Platform.Ids;
using Intelagent.Server.Platform.Problems;
using Intelagent.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Organizations;

/// <summary>
/// Members and their roles. The rules (decisions, "Roles"): nobody grants a role above their own;
/// only owners grant or revoke admin; ownership moves only by transfer; an organization always
/// keeps exactly one owner.
/// </summary>
public sealed class MemberService(AppDb db, MembershipCache memberships)
{
    public Task<Page<MemberResponse>> ListAsync(PageRequest page, CancellationToken cancellationToken) =>
        MemberQueries.Rows(db).ToPageAsync(page, (q, after) => q.Where(r => string.Compare(r.MembershipId, after) > 0), r => r.MembershipId, r => r.ToResponse(), cancellationToken);

    public async Task<Result<MemberResponse>> ChangeRoleAsync(string userId, Role? newRole, CancellationToken cancellationToken)
    {
        if (newRole is null) return Error.Validation("role", "is required: admin, manager, member or viewer.");
        var callerRole = db.Request.Role!.Value;
        var membership = await db.Memberships.FirstOrDefaultAsync(m => m.UserId == userId, cancellationToken);
        if (membership is null) return Error.NotFound("member");
        if (membership.UserId == db.Request.UserId) return Error.Conflict("own_role", "You cannot change your own role; another admin or the owner can, or transfer ownership.");
        if (newRole == Role.Owner) return Error.Unprocessable("use_transfer", "Ownership moves only by POST /api/organizations/{id}/transfer-ownership.");
        if (membership.Role == Role.Owner) return Error.Forbidden("owner_role", "The owner's role changes only by transferring ownership.");
        if (!MayManage(callerRole, membership.Role) || !MayGrant(callerRole, newRole.Value))
            return Error.Forbidden("role_too_high", "You may only manage members below your own role, and only owners grant or revoke admin.");
        if (membership.Role != newRole)
        {
            var old = membership.Role;
            membership.Role = newRole.Value;
            db.Raise(new MemberRoleChanged(membership.OrganizationId, userId, old, newRole.Value));
            await db.SaveChangesAsync(cancellationToken);
            memberships.Forget(userId, membership.OrganizationId);
        }
        return (await MemberQueries.Rows(db).FirstAsync(m => m.UserId == userId, cancellationToken)).ToResponse();
    }

    public async Task<Result<bool>> RemoveAsync(string userId, CancellationToken cancellationToken)
    {
        var callerRole = db.Request.Role!.Value;
        var membership = await db.Memberships.FirstOrDefaultAsync(m => m.UserId == userId, cancellationToken);
        if (membership is null) return Error.NotFound("member");
        if (membership.UserId == db.Request.UserId) return Error.Conflict("use_leave", "To remove yourself, leave the organization (POST .../leave).");
        if (membership.Role == Role.Owner) return Error.Forbidden("owner_role", "The owner cannot be removed; transfer ownership first.");
        if (!MayManage(callerRole, membership.Role)) return Error.Forbidden("role_too_high", "You may only remove members below your own role; only owners remove admins.");
        await RemoveMembershipAsync(membership, left: false, cancellationToken);
        return true;
    }

    public async Task<Result<bool>> LeaveAsync(CancellationToken cancellationToken)
    {
        var membership = await db.Memberships.FirstOrDefaultAsync(m => m.UserId == db.Request.UserId, cancellationToken);
        if (membership is null) return Error.NotFound("membership");
        if (membership.Role == Role.Owner) return Error.Conflict("owner_must_transfer", "The owner cannot leave: transfer ownership to another member first.");
        await RemoveMembershipAsync(membership, left: true, cancellationToken);
        return true;
    }

    public async Task<Result<bool>> TransferOwnershipAsync(string? toUserId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(toUserId)) return Error.Validation("userId", "is required.");
        var callerId = db.Request.UserId!;
        if (toUserId == callerId) return Error.Conflict("already_owner", "You already own this organization.");
        var current = await db.Memberships.FirstAsync(m => m.UserId == callerId, cancellationToken);
        var next = await db.Memberships.FirstOrDefaultAsync(m => m.UserId == toUserId, cancellationToken);
        if (next is null) return Error.NotFound("member");
        var previousRole = next.Role;
        current.Role = Role.Admin;
        next.Role = Role.Owner;
        db.Raise(new OwnershipTransferred(current.OrganizationId, callerId, toUserId));
        db.Raise(new MemberRoleChanged(current.OrganizationId, toUserId, previousRole, Role.Owner));
        db.Raise(new MemberRoleChanged(current.OrganizationId, callerId, Role.Owner, Role.Admin));
        await db.SaveChangesAsync(cancellationToken);
        memberships.Forget(callerId, current.OrganizationId);
        memberships.Forget(toUserId, current.OrganizationId);
        return true;
    }

    private async Task RemoveMembershipAsync(Membership membership, bool left, CancellationToken cancellationToken)
    {
        var teamMemberships = await db.TeamMembers.Where(t => t.UserId == membership.UserId).ToListAsync(cancellationToken);
        db.TeamMembers.RemoveRange(teamMemberships);
        db.Memberships.Remove(membership);
        db.Raise(new MemberRemoved(membership.OrganizationId, membership.UserId, left));
        await db.SaveChangesAsync(cancellationToken);
        memberships.Forget(membership.UserId, membership.OrganizationId);
    }

    /// <summary>Owners manage everyone else; others manage only roles strictly below their own.</summary>
    internal static bool MayManage(Role caller, Role target) => caller == Role.Owner || target < caller;

    /// <summary>Nobody grants above their own role; admin is granted by owners only; owner only by transfer.</summary>
    internal static bool MayGrant(Role caller, Role granted) => granted != Role.Owner && (caller == Role.Owner || granted < caller);
}
