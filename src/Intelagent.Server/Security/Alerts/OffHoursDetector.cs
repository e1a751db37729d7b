using Intelagent.Server.Platform.Auditing;
using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Security.Alerts;

/// <summary>
/// When an organization's admins usually act, learned from its own audit trail: how many admin
/// actions fell in each hour of the week (168 buckets) in the organization's time zone.
/// </summary>
public sealed class HourOfWeekProfile(TimeZoneInfo zone)
{
    private readonly int[] _counts = new int[168];

    public int Total { get; private set; }
    public DateTimeOffset? Earliest { get; private set; }

    public int HourOfWeek(DateTimeOffset at)
    {
        var local = TimeZoneInfo.ConvertTime(at, zone);
        return (int)local.DayOfWeek * 24 + local.Hour;
    }

    public void Add(DateTimeOffset at)
    {
        _counts[HourOfWeek(at)]++;
        Total++;
        if (Earliest is null || at < Earliest) Earliest = at;
    }

    /// <summary>The share of the history within an hour either side of this hour of the week, so the edge of a working day is not "unusual".</summary>
    public double ShareAround(DateTimeOffset at)
    {
        if (Total == 0) return 0;
        var hour = HourOfWeek(at);
        return (double)(_counts[(hour + 167) % 168] + _counts[hour] + _counts[(hour + 1) % 168]) / Total;
    }

    /// <summary>
    /// Unusual only once the profile has enough history (<see cref="MonitoringSettings.OffHoursMinimumActions"/>
    /// over <see cref="MonitoringSettings.OffHoursMinimumHistoryDays"/>), and only when at most
    /// <see cref="MonitoringSettings.OffHoursMaximumShare"/> of it fell around that hour. Spread evenly over the
    /// week each three-hour window holds 1.8%, so an organization that works around the clock never trips it.
    /// </summary>
    public bool IsUnusual(DateTimeOffset at, MonitoringSettings settings) =>
        Total >= settings.OffHoursMinimumActions
        && Earliest is { } earliest && at - earliest >= TimeSpan.FromDays(settings.OffHoursMinimumHistoryDays)
        && ShareAround(at) < settings.OffHoursMaximumShare;
}

/// <summary>
/// An admin action far outside the organization's usual hours: a successful change made in person
/// (not by an API key) by an owner or admin, at an hour of the week when the organization's admins
/// almost never act. One alert per person and organization in six hours.
/// </summary>
internal static class OffHoursDetector
{
    private const int HistoryCap = 5000;

    public static async Task<IReadOnlyList<AuditEntry>> FindAsync(AppDb db, MonitoringSettings settings, IReadOnlyList<AuditEntry> sealedEntries, CancellationToken cancellationToken)
    {
        var found = new List<AuditEntry>();
        var candidates = sealedEntries.Where(e => e.OrganizationId is not null && e.ActorUserId is not null && e.ActorApiKeyId is null
            && !e.ActorIsOperator && e.Outcome == AuditOutcome.Success).GroupBy(e => e.OrganizationId!);
        foreach (var group in candidates)
        {
            var organizationId = group.Key;
            var admins = await db.Memberships.IgnoreQueryFilters().Where(m => m.OrganizationId == organizationId && (m.Role == Role.Owner || m.Role == Role.Admin))
                .Select(m => m.UserId).ToListAsync(cancellationToken);
            var actions = group.Where(e => admins.Contains(e.ActorUserId!)).ToList();
            if (actions.Count == 0) continue;
            var before = actions.Min(e => e.At);
            var since = before.AddDays(-settings.OffHoursHistoryDays);
            var history = await db.AuditEntries.Where(e => e.OrganizationId == organizationId && e.ActorApiKeyId == null && !e.ActorIsOperator
                    && e.Outcome == AuditOutcome.Success && e.ActorUserId != null && admins.Contains(e.ActorUserId) && e.At >= since && e.At < before)
                .OrderByDescending(e => e.At).Take(HistoryCap).Select(e => e.At).ToListAsync(cancellationToken);
            var zoneId = await db.Organizations.IgnoreQueryFilters().Where(o => o.Id == organizationId).Select(o => o.TimeZone).FirstOrDefaultAsync(cancellationToken);
            var profile = new HourOfWeekProfile(TimeZoneInfo.TryFindSystemTimeZoneById(zoneId ?? "UTC", out var zone) ? zone : TimeZoneInfo.Utc);
            foreach (var at in history) profile.Add(at);
            foreach (var entry in actions.Where(e => profile.IsUnusual(e.At, settings)).DistinctBy(e => e.ActorUserId))
            {
                var quietSince = entry.At - TimeSpan.FromHours(6);
                if (!await db.Set<SecurityAlert>().IgnoreQueryFilters().AnyAsync(a => a.OrganizationId == organizationId && a.Kind == SecurityAlertKinds.OffHoursAdminAction
                        && a.SubjectUserId == entry.ActorUserId && a.CreatedAt > quietSince, cancellationToken))
                    found.Add(entry);
            }
        }
        return found;
    }
}
