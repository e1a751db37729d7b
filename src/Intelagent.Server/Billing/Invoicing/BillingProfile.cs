using Intelagent.Server.Billing.Kernel;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Intelagent.Server.Billing.Invoicing;

/// <summary>
/// How an organization is invoiced: where invoices go, the currency of one-off invoices, and the tax
/// rate (exclusive) the operator set for it. Without a row: no tax, the reporting currency.
/// </summary>
public sealed class BillingProfile : ITenantOwned
{
    public required string OrganizationId { get; init; }
    public string? BillingEmail { get; set; }
    public string Currency { get; set; } = Currencies.Reporting;
    /// <summary>0 to 100, exclusive of the amounts.</summary>
    public decimal TaxRatePercent { get; set; }
    /// <summary>Days between issue and due date.</summary>
    public int PaymentTermDays { get; set; } = 14;
    public DateTimeOffset UpdatedAt { get; set; }
    public int Version { get; set; }

    public static BillingProfile Default(string organizationId) => new() { OrganizationId = organizationId };

    public static async Task<BillingProfile> ForAsync(AppDb db, string organizationId, CancellationToken cancellationToken) =>
        await db.Set<BillingProfile>().IgnoreQueryFilters().AsNoTracking().FirstOrDefaultAsync(p => p.OrganizationId == organizationId, cancellationToken)
        ?? Default(organizationId);
}

internal sealed class BillingProfileConfiguration : IEntityTypeConfiguration<BillingProfile>
{
    public void Configure(EntityTypeBuilder<BillingProfile> builder)
    {
        builder.ToTable("BillingProfiles");
        builder.HasKey(e => e.OrganizationId);
        builder.Property(e => e.OrganizationId).HasMaxLength(40);
        builder.Property(e => e.BillingEmail).HasMaxLength(254);
        builder.Property(e => e.Currency).HasMaxLength(3);
        builder.Property(e => e.TaxRatePercent).HasPrecision(7, 4);
        builder.Property(e => e.Version).IsConcurrencyToken();
    }
}

public sealed record BillingProfileResponse(string OrganizationId, string? BillingEmail, string Currency, decimal TaxRatePercent, int PaymentTermDays)
{
    public static BillingProfileResponse From(BillingProfile p) => new(p.OrganizationId, p.BillingEmail, p.Currency, p.TaxRatePercent, p.PaymentTermDays);
}

/// <summary>A tenant sets where invoices go and their currency; the tax rate and terms are the operator's (admin route).</summary>
public sealed record UpdateBillingProfileRequest(string? BillingEmail, string? Currency, decimal? TaxRatePercent, int? PaymentTermDays);
