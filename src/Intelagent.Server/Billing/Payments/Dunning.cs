using Intelagent.Server.Billing.Kernel;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Ids;
using Intelagent.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Intelagent.Server.Billing.Payments;

public enum DunningStatus
{
    Active,
    Recovered,
    Exhausted,
}

/// <summary>
/// The collection of one unpaid subscription invoice after its first failed payment: retries on
/// <see cref="DunningSchedule"/> days after <see cref="StartedAt"/>, then the subscription is canceled.
/// </summary>
public sealed class DunningCase : ITenantOwned
{
    public required string Id { get; init; }
    public required string OrganizationId { get; init; }
    public required string InvoiceId { get; init; }
    public required string SubscriptionId { get; init; }
    /// <summary>Failed payments so far: the first one, then one per retry.</summary>
    public int Failures { get; set; }
    public DunningStatus Status { get; set; }
    public DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset? NextAttemptAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public int Version { get; set; }
}

internal sealed class DunningCaseConfiguration : IEntityTypeConfiguration<DunningCase>
{
    public void Configure(EntityTypeBuilder<DunningCase> builder)
    {
        builder.ToTable("DunningCases");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Id).HasMaxLength(40);
        builder.Property(e => e.OrganizationId).HasMaxLength(40);
        builder.Property(e => e.InvoiceId).HasMaxLength(40);
        builder.Property(e => e.SubscriptionId).HasMaxLength(40);
        builder.Property(e => e.Status).HasConversion<string>().HasMaxLength(20);
        builder.Property(e => e.Version).IsConcurrencyToken();
        builder.HasIndex(e => e.InvoiceId).IsUnique();
        builder.HasIndex(e => new { e.Status, e.NextAttemptAt });
    }
}

/// <summary>Retry days after the first failure (<c>Payments:DunningRetryDays</c>, default "1,3,5,7").</summary>
public sealed record DunningSchedule(IReadOnlyList<TimeSpan> Retries)
{
    public static DunningSchedule From(IConfiguration configuration)
    {
        var text = configuration["Payments:DunningRetryDays"] ?? "1,3,5,7";
        var days = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => TimeSpan.FromDays(double.Parse(d, System.Globalization.CultureInfo.InvariantCulture))).Order().ToList();
        return new DunningSchedule(days);
    }
}

/// <summary>
/// The dunning steps, applied inside the transaction that records a payment's outcome: past_due at
/// the first failure, canceled after the last retry (through the subscription ledger), active again
/// when a payment succeeds.
/// </summary>
public sealed class Dunning(AppDb db, DunningSchedule schedule)
{
    /// <summary>Returns when the next retry runs (null when none) and whether the subscription was canceled now.</summary>
    public async Task<(DateTimeOffset? NextRetryAt, bool Canceled)> RecordFailureAsync(Invoice invoice, Payment payment, CancellationToken cancellationToken)
    {
        if (invoice.SubscriptionId is not { } subscriptionId) return (null, false);
        var now = db.Clock.GetUtcNow();
        var dunning = await db.Set<DunningCase>().IgnoreQueryFilters().FirstOrDefaultAsync(c => c.InvoiceId == invoice.Id, cancellationToken);
        var subscription = await db.Set<Subscription>().IgnoreQueryFilters().FirstOrDefaultAsync(s => s.Id == subscriptionId, cancellationToken);
        if (dunning is null)
        {
            dunning = new DunningCase
            {
                Id = Id.New(IdPrefix.DunningCase, db.Clock),
                OrganizationId = invoice.OrganizationId,
                InvoiceId = invoice.Id,
                SubscriptionId = subscriptionId,
                Failures = 1,
                Status = DunningStatus.Active,
                StartedAt = now,
                UpdatedAt = now,
            };
            dunning.NextAttemptAt = schedule.Retries.Count > 0 ? now + schedule.Retries[0] : null;
            db.Set<DunningCase>().Add(dunning);
            if (subscription is { Status: SubscriptionStatus.Active or SubscriptionStatus.Trialing })
            {
                // past_due changes no price, so the ledger (the MRR history) gets no row for it.
                subscription.Status = SubscriptionStatus.PastDue;
                Touch(subscription, now);
            }
            if (dunning.NextAttemptAt is null) return (null, Exhaust(dunning, invoice, subscription, now));
            return (dunning.NextAttemptAt, false);
        }
        // Only the scheduled retries advance the schedule; a customer's own failed try in between does not.
        if (dunning.Status != DunningStatus.Active || payment.Attempt == 1) return (dunning.Status == DunningStatus.Active ? dunning.NextAttemptAt : null, false);
        dunning.Failures++;
        dunning.UpdatedAt = now;
        dunning.Version++;
        var retry = dunning.Failures - 1;
        if (retry < schedule.Retries.Count)
        {
            dunning.NextAttemptAt = dunning.StartedAt + schedule.Retries[retry];
            return (dunning.NextAttemptAt, false);
        }
        return (null, Exhaust(dunning, invoice, subscription, now));
    }

    public async Task RecordSuccessAsync(Invoice invoice, CancellationToken cancellationToken)
    {
        var dunning = await db.Set<DunningCase>().IgnoreQueryFilters().FirstOrDefaultAsync(c => c.InvoiceId == invoice.Id && c.Status == DunningStatus.Active, cancellationToken);
        if (dunning is null) return;
        var now = db.Clock.GetUtcNow();
        dunning.Status = DunningStatus.Recovered;
        dunning.NextAttemptAt = null;
        dunning.UpdatedAt = now;
        dunning.Version++;
        var subscription = await db.Set<Subscription>().IgnoreQueryFilters().FirstOrDefaultAsync(s => s.Id == dunning.SubscriptionId, cancellationToken);
        if (subscription is { Status: SubscriptionStatus.PastDue })
        {
            subscription.Status = SubscriptionStatus.Active;
            Touch(subscription, now);
        }
    }

    private bool Exhaust(DunningCase dunning, Invoice invoice, Subscription? subscription, DateTimeOffset now)
    {
        dunning.Status = DunningStatus.Exhausted;
        dunning.NextAttemptAt = null;
        invoice.Status = InvoiceStatus.Uncollectible;
        if (subscription is null || subscription.Status == SubscriptionStatus.Canceled) return false;
        subscription.Status = SubscriptionStatus.Canceled;
        subscription.CanceledAt = now;
        Touch(subscription, now);
        SubscriptionLedger.Append(db, subscription, SubscriptionEventType.Cancel, now, db.Clock);
        return true;
    }

    private static void Touch(Subscription subscription, DateTimeOffset now)
    {
        subscription.UpdatedAt = now;
        subscription.Version++;
    }
}
