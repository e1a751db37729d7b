using Intelagent.Server.Billing.Kernel;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Intelagent.Server.Billing.Invoicing;

/// <summary>The one invoice number sequence: the last number taken. A single row, seeded by the migration.</summary>
[NotAudited]
public sealed class InvoiceCounter
{
    public const string Invoices = "invoices";

    public required string Id { get; init; }
    public long LastValue { get; set; }
}

internal sealed class InvoiceCounterConfiguration : IEntityTypeConfiguration<InvoiceCounter>
{
    public void Configure(EntityTypeBuilder<InvoiceCounter> builder)
    {
        builder.ToTable("InvoiceCounters");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Id).HasMaxLength(20);
        builder.HasData(new InvoiceCounter { Id = InvoiceCounter.Invoices, LastValue = 0 });
    }
}

/// <summary>
/// Saves pending changes and issues invoices (draft to open, with a number) in one transaction. The
/// counter row is incremented as the transaction's first statement: on PostgreSQL that row lock
/// queues concurrent issuers until commit; on SQLite the first write takes the database's write lock
/// (before any read, so no lock upgrade can deadlock). A failed save rolls the increment back with
/// everything else, so the sequence has no gaps (docs/decisions/012).
/// </summary>
public sealed class InvoiceIssuer(AppDb db)
{
    public static string Format(DateTimeOffset issuedAt, long value) => $"INV-{issuedAt.Year:D4}-{value:D6}";

    /// <summary>Saves the unit of work; each invoice given (tracked, draft) is opened and numbered in the same transaction.</summary>
    public async Task SaveAndIssueAsync(IReadOnlyList<Invoice> invoices, CancellationToken cancellationToken)
    {
        if (invoices.Count == 0)
        {
            await db.SaveChangesAsync(cancellationToken);
            return;
        }
        var strategy = db.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var now = db.Clock.GetUtcNow();
            foreach (var invoice in invoices)
            {
                await db.Set<InvoiceCounter>().Where(c => c.Id == InvoiceCounter.Invoices)
                    .ExecuteUpdateAsync(s => s.SetProperty(c => c.LastValue, c => c.LastValue + 1), cancellationToken);
                var value = await db.Set<InvoiceCounter>().Where(c => c.Id == InvoiceCounter.Invoices).Select(c => c.LastValue).SingleAsync(cancellationToken);
                var profile = await BillingProfile.ForAsync(db, invoice.OrganizationId, cancellationToken);
                Open(invoice, Format(now, value), now, profile.PaymentTermDays);
            }
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        });
    }

    /// <summary>
    /// An invoice with nothing to collect (zero, or a net credit from a downgrade) is settled as it is
    /// issued; a negative total stays on record for the payments module to credit.
    /// </summary>
    private static void Open(Invoice invoice, string number, DateTimeOffset now, int termDays)
    {
        invoice.Number = number;
        invoice.IssuedAt = now;
        invoice.DueAt = now.AddDays(termDays);
        invoice.Status = invoice.Total <= 0m ? InvoiceStatus.Paid : InvoiceStatus.Open;
        if (invoice.Status == InvoiceStatus.Paid) invoice.PaidAt = now;
        invoice.Version++;
    }
}
