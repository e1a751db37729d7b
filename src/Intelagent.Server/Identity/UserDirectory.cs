using Intelagent.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Identity;

/// <summary>Describes a user with all their memberships, for /api/auth/me and sign-in answers.</summary>
public static class UserDirectory
{
    public static async Task<UserResponse?> DescribeAsync(AppDb db, string userId, string? organizationInContext, CancellationToken cancellationToken)
    {
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user is null) return null;
        var memberships = await MembershipsOfUserAcrossTenantsAsync(db, userId, cancellationToken);
        var current = organizationInContext is not null
            ? memberships.FirstOrDefault(m => m.OrganizationId == organizationInContext)
            : memberships.Count == 1 ? memberships[0] : null;
        return new UserResponse(user.Id, user.Email, user.Name, user.EmailVerifiedAt is not null, user.IsPlatformOperator,
            current?.OrganizationId, current?.Role, memberships, user.CreatedAt);
    }

    /// <summary>A user's own memberships across organizations: deliberately outside the tenant filter.</summary>
    public static Task<List<MembershipSummary>> MembershipsOfUserAcrossTenantsAsync(AppDb db, string userId, CancellationToken cancellationToken) =>
        db.Memberships.IgnoreQueryFilters().AsNoTracking()
            .Where(m => m.UserId == userId)
            .Join(db.Organizations.IgnoreQueryFilters(), m => m.OrganizationId, o => o.Id, (m, o) => new { m, o })
            .OrderBy(x => x.o.Id)
            .Select(x => new MembershipSummary(x.o.Id, x.o.Name, x.m.Role, x.o.SubscriptionTier))
            .ToListAsync(cancellationToken);
}
