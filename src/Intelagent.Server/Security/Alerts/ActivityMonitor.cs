using Intelagent.Server.Platform.Auditing;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Ids;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Security.Alerts;

public sealed class MonitoringSettings
{
    public int FailedSignInBurst { get; init; } = 5;
    public TimeSpan FailedSignInWindow { get; init; } = TimeSpan.FromMinutes(15);
    public int MassExportsPerHour { get; init; } = 3;
    /// <summary>How far back the hour-of-week profile of admin actions looks.</summary>
    public int OffHoursHistoryDays { get; init; } = 56;
    /// <summary>The profile says nothing until it holds this many admin actions ...</summary>
    public int OffHoursMinimumActions { get; init; } = 50;
    /// <summary>... spread over at least this many days.</summary>
    public int OffHoursMinimumHistoryDays { get; init; } = 14;
    /// <summary>An action is far outside the usual hours when less than this share of the history falls within an hour of it.</summary>
    public double OffHoursMaximumShare { get; init; } = 0.01;
}

/// <summary>
/// Activity monitoring over the audit trail: the sealer hands it each batch it has just sealed, so
/// every entry is looked at once, on one node, without any module calling it. It raises a
/// <see cref="SecurityAlert"/> when a user's sign-ins fail in a burst, when a user signs in from an
/// address never seen for them (compared by keyed digest, so it survives erasure), or when one
/// person exports the audit log repeatedly within an hour.
/// </summary>
public sealed class ActivityMonitor(AppDb db, MonitoringSettings settings)
{
    public async Task InspectAsync(IReadOnlyList<AuditEntry> sealedEntries, CancellationToken cancellationToken)
    {
        foreach (var entry in sealedEntries)
        {
            switch (entry.Action)
            {
                case "user.sign_in_failed": await FailedSignInsAsync(entry, cancellationToken); break;
                case "user.signed_in": await NewAddressAsync(entry, cancellationToken); break;
                case "audit.exported": await MassExportAsync(entry, cancellationToken); break;
                case "api_key.used_from_new_address": await ApiKeyAddressAsync(entry, cancellationToken); break;
            }
        }
        foreach (var entry in await OffHoursDetector.FindAsync(db, settings, sealedEntries, cancellationToken))
        {
            Raise(entry.OrganizationId!, entry.ActorUserId!, entry, SecurityAlertKinds.OffHoursAdminAction, "medium", "Admin action outside the usual hours",
                $"{entry.Action} at {entry.At:yyyy-MM-dd HH:mm} UTC, an hour of the week when this organization's admins almost never act.");
        }
        if (db.ChangeTracker.HasChanges()) await db.SaveChangesAsync(cancellationToken);
    }

    private async Task FailedSignInsAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        if (entry.TargetId is not { } userId) return;
        var since = entry.At - settings.FailedSignInWindow;
        var failures = await db.AuditEntries.CountAsync(e => e.Action == "user.sign_in_failed" && e.TargetId == userId && e.At > since && e.At <= entry.At, cancellationToken);
        // Exactly at the threshold: one alert per burst, not one per further attempt.
        if (failures != settings.FailedSignInBurst) return;
        await RaiseForUserAsync(userId, entry, SecurityAlertKinds.FailedSignInBurst, "high", "Repeated failed sign-ins",
            $"{failures} failed sign-ins within {settings.FailedSignInWindow.TotalMinutes:0} minutes; the latest from {entry.Ip ?? "an unknown address"}.", cancellationToken);
    }

    private async Task NewAddressAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        if (entry.TargetId is not { } userId || entry.IpDigest is not { } digest) return;
        var earlier = db.AuditEntries.Where(e => e.Action == "user.signed_in" && e.TargetId == userId && e.Sequence != null && e.Sequence < entry.Sequence && e.OrganizationId == entry.OrganizationId);
        // A first sign-in has nothing to compare with; an address seen before is not news.
        if (!await earlier.AnyAsync(cancellationToken) || await earlier.AnyAsync(e => e.IpDigest == digest, cancellationToken)) return;
        await RaiseForUserAsync(userId, entry, SecurityAlertKinds.NewSignInAddress, "medium", "Sign-in from a new address",
            $"A sign-in from {entry.Ip ?? "an address"} not seen before for this person.", cancellationToken);
    }

    private async Task MassExportAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        if (entry.OrganizationId is not { } organizationId || entry.ActorUserId is not { } actor) return;
        var since = entry.At - TimeSpan.FromHours(1);
        var exports = await db.AuditEntries.CountAsync(e => e.OrganizationId == organizationId && e.Action == "audit.exported" && e.ActorUserId == actor && e.At > since && e.At <= entry.At, cancellationToken);
        if (exports != settings.MassExportsPerHour) return;
        Raise(organizationId, actor, entry, SecurityAlertKinds.MassExport, "medium", "Mass export of the audit log",
            $"{exports} exports of the audit log by the same person within an hour.");
    }

    /// <summary>
    /// A key used from an address none of its earlier uses came from (compared by keyed digest). The
    /// key's first address is where it starts, not news; its known addresses are the earlier entries.
    /// </summary>
    private async Task ApiKeyAddressAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        if (entry.OrganizationId is not { } organizationId || entry.TargetId is not { } keyId || entry.IpDigest is not { } digest) return;
        if (entry.Data is null || entry.Data.Contains("\"previousAddress\":null", StringComparison.Ordinal)) return;
        var earlier = db.AuditEntries.Where(e => e.OrganizationId == organizationId && e.Action == "api_key.used_from_new_address" && e.TargetId == keyId
            && e.Sequence != null && e.Sequence < entry.Sequence);
        if (await earlier.AnyAsync(e => e.IpDigest == digest, cancellationToken)) return;
        Raise(organizationId, entry.ActorUserId, entry, SecurityAlertKinds.ApiKeyNewAddress, "medium", "API key used from a new address",
            $"The key {keyId} was used from {entry.Ip ?? "an address"}, never seen for it before.");
    }

    /// <summary>Sign-ins are platform events: the alert goes to every organization the person belongs to.</summary>
    private async Task RaiseForUserAsync(string userId, AuditEntry entry, string kind, string severity, string title, string detail, CancellationToken cancellationToken)
    {
        var organizations = await db.Memberships.IgnoreQueryFilters().Where(m => m.UserId == userId).Select(m => m.OrganizationId).ToListAsync(cancellationToken);
        foreach (var organizationId in organizations) Raise(organizationId, userId, entry, kind, severity, title, detail);
    }

    private void Raise(string organizationId, string? subjectUserId, AuditEntry entry, string kind, string severity, string title, string detail)
    {
        var alert = new SecurityAlert
        {
            Id = Id.New(IdPrefix.SecurityAlert, db.Clock),
            OrganizationId = organizationId,
            Kind = kind,
            Severity = severity,
            Title = title,
            Detail = detail,
            SubjectUserId = subjectUserId,
            AuditEntryId = entry.Id,
            CreatedAt = db.Clock.GetUtcNow(),
        };
        db.Set<SecurityAlert>().Add(alert);
        db.Raise(new SecurityAlertRaised(organizationId, alert.Id, kind, severity, title));
    }
}
