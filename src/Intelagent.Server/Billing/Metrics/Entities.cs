using Intelagent.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Intelagent.Server.Billing.Metrics;

/// <summary>
/// What finance knows of a customer organization beyond the organization itself: the segment for
/// breakdowns, the country, and for imported customers the id they had where they came from, so a
/// second import of the same file maps to the same organization.
/// </summary>
public sealed class FinancialCustomer : ITenantOwned
{
    public required string OrganizationId { get; init; }
    public string? ExternalId { get; init; }
    public string? Segment { get; set; }
    public string? Country { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
}

public static class CostCategories
{
    public static readonly string[] All = ["compute", "storage", "bandwidth", "other"];
}

/// <summary>An infrastructure cost of a month, per product and optionally per customer (not tenant-owned: it is the operator's).</summary>
public sealed class CostEntry
{
    public required string Id { get; init; }
    /// <summary>The month as <c>yyyy-MM</c>: sortable and readable in both databases.</summary>
    public required string Month { get; init; }
    public required string Category { get; init; }
    public required string Product { get; init; }
    public string? OrganizationId { get; init; }
    public decimal Amount { get; set; }
    public required string Currency { get; set; }
    /// <summary>For imported rows: month|category|product|customer, so a re-import updates instead of adding.</summary>
    public string? ImportKey { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>The company's cash at the end of a month.</summary>
public sealed class CashBalance
{
    public required string Month { get; init; }
    public decimal Balance { get; set; }
    public required string Currency { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>Sales and marketing spend of a month, for CAC.</summary>
public sealed class AcquisitionSpend
{
    public required string Month { get; init; }
    public required string Currency { get; init; }
    public decimal Amount { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>The operator's FX table: one unit of <see cref="Currency"/> in the reporting currency, for a month.</summary>
public sealed class ExchangeRate
{
    public required string Month { get; init; }
    public required string Currency { get; init; }
    public decimal RateToReporting { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class FinancialCustomerConfiguration : IEntityTypeConfiguration<FinancialCustomer>
{
    public void Configure(EntityTypeBuilder<FinancialCustomer> builder)
    {
        builder.ToTable("FinancialCustomers");
        builder.HasKey(e => e.OrganizationId);
        builder.Property(e => e.OrganizationId).HasMaxLength(40);
        builder.Property(e => e.ExternalId).HasMaxLength(80);
        builder.Property(e => e.Segment).HasMaxLength(40);
        builder.Property(e => e.Country).HasMaxLength(56);
        builder.HasIndex(e => e.ExternalId).IsUnique();
    }
}

internal sealed class CostEntryConfiguration : IEntityTypeConfiguration<CostEntry>
{
    public void Configure(EntityTypeBuilder<CostEntry> builder)
    {
        builder.ToTable("CostEntries");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Id).HasMaxLength(40);
        builder.Property(e => e.Month).HasMaxLength(7);
        builder.Property(e => e.Category).HasMaxLength(20);
        builder.Property(e => e.Product).HasMaxLength(40);
        builder.Property(e => e.OrganizationId).HasMaxLength(40);
        builder.Property(e => e.Currency).HasMaxLength(3);
        builder.Property(e => e.ImportKey).HasMaxLength(200);
        builder.Property(e => e.Amount).HasPrecision(28, 10);
        builder.HasIndex(e => e.ImportKey).IsUnique();
        builder.HasIndex(e => e.Month);
    }
}

internal sealed class CashBalanceConfiguration : IEntityTypeConfiguration<CashBalance>
{
    public void Configure(EntityTypeBuilder<CashBalance> builder)
    {
        builder.ToTable("CashBalances");
        builder.HasKey(e => e.Month);
        builder.Property(e => e.Month).HasMaxLength(7);
        builder.Property(e => e.Currency).HasMaxLength(3);
        builder.Property(e => e.Balance).HasPrecision(28, 10);
    }
}

internal sealed class AcquisitionSpendConfiguration : IEntityTypeConfiguration<AcquisitionSpend>
{
    public void Configure(EntityTypeBuilder<AcquisitionSpend> builder)
    {
        builder.ToTable("AcquisitionSpend");
        builder.HasKey(e => new { e.Month, e.Currency });
        builder.Property(e => e.Month).HasMaxLength(7);
        builder.Property(e => e.Currency).HasMaxLength(3);
        builder.Property(e => e.Amount).HasPrecision(28, 10);
    }
}

internal sealed class ExchangeRateConfiguration : IEntityTypeConfiguration<ExchangeRate>
{
    public void Configure(EntityTypeBuilder<ExchangeRate> builder)
    {
        builder.ToTable("ExchangeRates");
        builder.HasKey(e => new { e.Month, e.Currency });
        builder.Property(e => e.Month).HasMaxLength(7);
        builder.Property(e => e.Currency).HasMaxLength(3);
        builder.Property(e => e.RateToReporting).HasPrecision(28, 10);
    }
}
