using Intelagent.Server.Identity.ApiKeys;
using Intelagent.Server.Identity.TwoFactor;
using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Security.Access;
using Intelagent.Server.Security.Alerts;
using Intelagent.Server.Security.Incidents;
using Intelagent.Server.Security.Retention;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Security.Score;

/// <summary>
/// The facts about one organization that the score and the compliance report judge. Read with
/// explicit organization filters (not the request's tenant) so jobs and event handlers can use it.
/// </summary>
public sealed record PostureFacts(
    SecurityPolicy Policy,
    int Members,
    int MembersWithTwoFactor,
    int OwnersAndAdmins,
    int StalePendingInvitations,
    IReadOnlyList<string> RetentionCategoriesSet,
    int OverdueDataRequests,
    int CompletedDataRequests,
    int RecentHighSeverityAlerts,
    int UnresolvedIncidents,
    ChainVerificationState? LastChainVerification,
    int ActiveKeys,
    int KeysOlderThan90Days,
    int KeysWithoutExpiry,
    int OverBroadKeys,
    DateTimeOffset At)
{
    public double TwoFactorAdoption => Members == 0 ? 0 : (double)MembersWithTwoFactor / Members;
}

public sealed class SecurityPosture(AppDb db)
{
    public static readonly TimeSpan StaleInvitationAge = TimeSpan.FromDays(7);
    public static readonly TimeSpan KeyRotationAge = TimeSpan.FromDays(90);
    public static readonly TimeSpan AlertWindow = TimeSpan.FromDays(7);
    public static readonly TimeSpan ChainVerificationWindow = TimeSpan.FromDays(7);
    /// <summary>GDPR art. 12(3): answer a data subject's request within one month.</summary>
    public static readonly TimeSpan DataRequestDeadline = TimeSpan.FromDays(30);

    /// <summary>Permissions a manager does not hold: a key with any of them can change the organization's security or money.</summary>
    public static readonly IReadOnlySet<string> AdminOnlyPermissions =
        RolePermissions.For(Role.Owner).Except(RolePermissions.For(Role.Manager)).ToHashSet();

    public async Task<PostureFacts> ReadAsync(string organizationId, CancellationToken cancellationToken)
    {
        var now = db.Clock.GetUtcNow();
        var settings = await db.Set<SecuritySettings>().IgnoreQueryFilters().AsNoTracking()
            .FirstOrDefaultAsync(s => s.OrganizationId == organizationId, cancellationToken);
        var memberships = db.Memberships.IgnoreQueryFilters().Where(m => m.OrganizationId == organizationId);
        var members = await memberships.CountAsync(cancellationToken);
        var withTwoFactor = await memberships.CountAsync(m => db.Set<TwoFactorCredential>().Any(c => c.UserId == m.UserId && c.EnabledAt != null)
            || db.Set<SmsPhone>().Any(p => p.UserId == m.UserId && p.VerifiedAt != null), cancellationToken);
        var elevated = await memberships.CountAsync(m => m.Role == Role.Owner || m.Role == Role.Admin, cancellationToken);
        var staleBefore = now - StaleInvitationAge;
        var staleInvitations = await db.Invitations.IgnoreQueryFilters().CountAsync(i => i.OrganizationId == organizationId
            && i.AcceptedAt == null && i.RevokedAt == null && i.ExpiresAt > now && i.CreatedAt < staleBefore, cancellationToken);
        var retention = await db.Set<RetentionPolicy>().IgnoreQueryFilters().Where(p => p.OrganizationId == organizationId)
            .Select(p => p.Category).ToListAsync(cancellationToken);
        var (overdue, completed) = await DataRequestFactsAsync(organizationId, now, cancellationToken);
        var alertsSince = now - AlertWindow;
        var alerts = await db.Set<SecurityAlert>().IgnoreQueryFilters().CountAsync(a => a.OrganizationId == organizationId
            && a.Severity == "high" && a.CreatedAt > alertsSince, cancellationToken);
        var incidents = await db.Set<Incident>().IgnoreQueryFilters().CountAsync(i => i.OrganizationId == organizationId && i.Status != IncidentStatus.Resolved, cancellationToken);
        var verification = await db.Set<ChainVerificationState>().IgnoreQueryFilters().AsNoTracking()
            .FirstOrDefaultAsync(v => v.OrganizationId == organizationId, cancellationToken);

        var keys = await db.Set<ApiKey>().IgnoreQueryFilters().AsNoTracking()
            .Where(k => k.OrganizationId == organizationId && k.RevokedAt == null && (k.ExpiresAt == null || k.ExpiresAt > now))
            .Select(k => new { k.CreatedAt, k.ExpiresAt, k.Permissions, k.ReplacedByKeyId }).ToListAsync(cancellationToken);
        // A rotated key in its grace period is already on its way out: judge its successor.
        keys = keys.Where(k => k.ReplacedByKeyId is null).ToList();
        var rotateBefore = now - KeyRotationAge;
        return new PostureFacts(
            SecurityPolicy.From(settings), members, withTwoFactor, elevated, staleInvitations, retention, overdue, completed, alerts, incidents, verification,
            keys.Count,
            keys.Count(k => k.CreatedAt < rotateBefore),
            keys.Count(k => k.ExpiresAt is null),
            keys.Count(k => k.Permissions.Split(' ', StringSplitOptions.RemoveEmptyEntries).Any(AdminOnlyPermissions.Contains)),
            now);
    }

    private async Task<(int Overdue, int Completed)> DataRequestFactsAsync(string organizationId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var deadline = now - DataRequestDeadline;
        var requests = db.Set<DataRequests.DataRequest>().IgnoreQueryFilters().Where(r => r.OrganizationId == organizationId);
        var overdue = await requests.CountAsync(r => r.CompletedAt == null && r.CreatedAt < deadline, cancellationToken);
        var completed = await requests.CountAsync(r => r.CompletedAt != null, cancellationToken);
        return (overdue, completed);
    }
}
