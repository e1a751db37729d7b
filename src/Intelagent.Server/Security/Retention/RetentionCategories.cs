using Intelagent.Server.Billing.Kernel;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Realtime.Activity;
using Intelagent.Server.Realtime.Stream;
using Intelagent.Server.Security.Audit;
using Intelagent.Server.Usage;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Security.Retention;

/// <summary>
/// One category of data a retention policy governs: how many of its rows are older than a cutoff,
/// and how to remove them. Counting and purging use the same predicate, so a preview says exactly
/// what enforcement would delete at that moment.
/// </summary>
public sealed record RetentionCategory(
    string Code, string Name, string Description, int MinimumDays, bool LegalMinimum,
    Func<AppDb, string, DateTimeOffset, CancellationToken, Task<long>> CountAsync,
    Func<IServiceProvider, string, DateTimeOffset, CancellationToken, Task<long>> PurgeAsync);

/// <summary>The categories (docs/decisions/016, 019).</summary>
public static class RetentionCategories
{
    public const int MaximumDays = 36_500;
    /// <summary>Invoices are accounting records: kept at least 10 years (e.g. German HGB/AO, French Code de commerce).</summary>
    public const int InvoiceLegalMinimumDays = 3_650;

    public static readonly IReadOnlyList<RetentionCategory> All =
    [
        new("audit_entries", "Audit entries", "Entries of the audit trail; a purge leaves a signed checkpoint so the rest still verifies.", 30, false,
            (db, org, cutoff, ct) => SealedAuditPrefix(db, org, cutoff).LongCountAsync(ct),
            async (services, org, cutoff, ct) => (await services.GetRequiredService<AuditRetention>().PurgeBeforeAsync(org, cutoff, ct)).PurgedEntries),
        new("usage", "Raw usage", "Minute and hour usage rollups and reported usage events; daily rollups stay as the history of quotas and billing.", 1, false,
            async (db, org, cutoff, ct) => await RawRollups(db, org, cutoff).LongCountAsync(ct) + await UsageEvents(db, org, cutoff).LongCountAsync(ct),
            async (services, org, cutoff, ct) =>
            {
                var db = services.GetRequiredService<AppDb>();
                return await RawRollups(db, org, cutoff).ExecuteDeleteAsync(ct) + await UsageEvents(db, org, cutoff).ExecuteDeleteAsync(ct);
            }),
        new("notifications", "Notifications", "Notifications to members, read or not.", 1, false,
            (db, org, cutoff, ct) => Notifications(db, org, cutoff).LongCountAsync(ct),
            async (services, org, cutoff, ct) => await Notifications(services.GetRequiredService<AppDb>(), org, cutoff).ExecuteDeleteAsync(ct)),
        new("activity", "Activity and realtime events", "The activity feed and the stored realtime events clients replay after reconnecting.", 1, false,
            async (db, org, cutoff, ct) => await Activity(db, org, cutoff).LongCountAsync(ct) + await RealtimeEvents(db, org, cutoff).LongCountAsync(ct),
            async (services, org, cutoff, ct) =>
            {
                var db = services.GetRequiredService<AppDb>();
                return await Activity(db, org, cutoff).ExecuteDeleteAsync(ct) + await RealtimeEvents(db, org, cutoff).ExecuteDeleteAsync(ct);
            }),
        new("product_events", "Product events", "Raw events the products report (chatbot, email, leads, custom); the daily counts stay as the history insights read.", 1, false,
            (db, org, cutoff, ct) => ProductEvents(db, org, cutoff).LongCountAsync(ct),
            async (services, org, cutoff, ct) => await ProductEvents(services.GetRequiredService<AppDb>(), org, cutoff).ExecuteDeleteAsync(ct)),
        new("invoices", "Invoices", "Finalized invoices (paid, void or uncollectible) by issue date; kept at least 10 years by law.", InvoiceLegalMinimumDays, true,
            (db, org, cutoff, ct) => ClosedInvoices(db, org, cutoff).LongCountAsync(ct),
            async (services, org, cutoff, ct) => await ClosedInvoices(services.GetRequiredService<AppDb>(), org, cutoff).ExecuteDeleteAsync(ct)),
    ];

    public static RetentionCategory? Find(string? code) => All.FirstOrDefault(c => c.Code == code);

    /// <summary>What <see cref="AuditRetention"/> removes: the sealed prefix of the chain before the first entry that must stay.</summary>
    private static IQueryable<Platform.Auditing.AuditEntry> SealedAuditPrefix(AppDb db, string org, DateTimeOffset cutoff)
    {
        var entries = db.AuditEntries.Where(e => e.OrganizationId == org && e.Sequence != null);
        return entries.Where(e => !entries.Any(k => k.At >= cutoff && k.Sequence <= e.Sequence));
    }

    private static IQueryable<UsageRollup> RawRollups(AppDb db, string org, DateTimeOffset cutoff) =>
        db.Set<UsageRollup>().IgnoreQueryFilters().Where(r => r.OrganizationId == org && r.Granularity != UsageGranularity.Day && r.PeriodStart < cutoff);

    private static IQueryable<UsageEvent> UsageEvents(AppDb db, string org, DateTimeOffset cutoff) =>
        db.Set<UsageEvent>().IgnoreQueryFilters().Where(e => e.OrganizationId == org && e.ReceivedAt < cutoff);

    private static IQueryable<Insights.Kernel.ProductEvent> ProductEvents(AppDb db, string org, DateTimeOffset cutoff) =>
        db.Set<Insights.Kernel.ProductEvent>().IgnoreQueryFilters().Where(e => e.OrganizationId == org && e.Day <= cutoff && e.OccurredAt < cutoff);

    private static IQueryable<Realtime.Notification> Notifications(AppDb db, string org, DateTimeOffset cutoff) =>
        db.Notifications.IgnoreQueryFilters().Where(n => n.OrganizationId == org && n.CreatedAt < cutoff);

    private static IQueryable<ActivityEntry> Activity(AppDb db, string org, DateTimeOffset cutoff) =>
        db.Set<ActivityEntry>().IgnoreQueryFilters().Where(a => a.OrganizationId == org && a.CreatedAt < cutoff);

    private static IQueryable<RealtimeEvent> RealtimeEvents(AppDb db, string org, DateTimeOffset cutoff) =>
        db.Set<RealtimeEvent>().IgnoreQueryFilters().Where(e => e.OrganizationId == org && e.CreatedAt < cutoff);

    private static IQueryable<Invoice> ClosedInvoices(AppDb db, string org, DateTimeOffset cutoff) =>
        db.Set<Invoice>().IgnoreQueryFilters().Where(i => i.OrganizationId == org
            && (i.Status == InvoiceStatus.Paid || i.Status == InvoiceStatus.Void || i.Status == InvoiceStatus.Uncollectible)
            && (i.IssuedAt ?? i.CreatedAt) < cutoff);
}
