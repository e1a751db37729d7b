using System.Text.Json;
using Intelagent.Server.Billing.Kernel;
using Intelagent.Server.Organizations;
using Intelagent.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Intelagent.Server.Billing.Subscriptions;

/// <summary>The products the platform sells (the catalogue); the platform tier is a product too.</summary>
public static class Products
{
    public const string Platform = "platform";
    public const string Chatbot = "chatbot";
    public const string EmailCampaigns = "email_campaigns";
    public const string LeadEnrichment = "lead_enrichment";

    public static readonly IReadOnlyList<string> All = [Platform, Chatbot, EmailCampaigns, LeadEnrichment];
}

/// <summary>
/// A price for one product at one tier and interval. Catalogue plans (no organization) are offered to
/// everyone; a custom plan (the spec's "custom pricing plans") names one organization and only that
/// organization sees it. Prices never change once subscribed to: the operator archives a plan and
/// creates another, so a subscription's history stays explainable.
/// </summary>
public sealed class Plan
{
    public required string Id { get; init; }
    public required string Product { get; init; }
    public SubscriptionTier Tier { get; init; }
    [NoPersonalData("a catalogue plan's name")] public required string Name { get; set; }
    public BillingInterval Interval { get; init; }
    /// <summary>Price per unit (seat) per interval.</summary>
    public decimal UnitAmount { get; init; }
    public required string Currency { get; init; }
    public int TrialDays { get; init; }
    /// <summary>Metered quantity included per period, by usage metric (api_calls, ...).</summary>
    public Dictionary<string, long> IncludedQuotas { get; init; } = [];
    /// <summary>Price per unit beyond the included quantity, by usage metric.</summary>
    public Dictionary<string, decimal> OveragePrices { get; init; } = [];
    /// <summary>Set for a custom plan: the one organization that may subscribe to it.</summary>
    public string? OrganizationId { get; init; }
    public bool Archived { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
    public int Version { get; set; }
}

internal sealed class PlanConfiguration : IEntityTypeConfiguration<Plan>
{
    public void Configure(EntityTypeBuilder<Plan> builder)
    {
        builder.ToTable("Plans");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Id).HasMaxLength(40);
        builder.Property(e => e.Product).HasMaxLength(40);
        builder.Property(e => e.Name).HasMaxLength(100);
        builder.Property(e => e.Currency).HasMaxLength(3);
        builder.Property(e => e.OrganizationId).HasMaxLength(40);
        builder.Property(e => e.Tier).HasConversion<string>().HasMaxLength(20);
        builder.Property(e => e.Interval).HasConversion<string>().HasMaxLength(10);
        builder.Property(e => e.UnitAmount).HasPrecision(19, 4);
        builder.Property(e => e.IncludedQuotas).HasConversion(Json.Converter<long>(), Json.Comparer<long>()).HasMaxLength(2000);
        builder.Property(e => e.OveragePrices).HasConversion(Json.Converter<decimal>(), Json.Comparer<decimal>()).HasMaxLength(2000);
        builder.Property(e => e.Version).IsConcurrencyToken();
        builder.HasIndex(e => new { e.OrganizationId, e.Product });
        builder.HasData(SeedPlans.All);
    }

    private static class Json
    {
        public static ValueConverter<Dictionary<string, T>, string> Converter<T>() => new(
            v => JsonSerializer.Serialize(v, JsonSerializerOptions.Default),
            v => JsonSerializer.Deserialize<Dictionary<string, T>>(v, JsonSerializerOptions.Default) ?? new Dictionary<string, T>());

        public static ValueComparer<Dictionary<string, T>> Comparer<T>() => new(
            (a, b) => JsonSerializer.Serialize(a, JsonSerializerOptions.Default) == JsonSerializer.Serialize(b, JsonSerializerOptions.Default),
            v => JsonSerializer.Serialize(v, JsonSerializerOptions.Default).GetHashCode(),
            v => new Dictionary<string, T>(v));
    }
}

/// <summary>
/// The seeded catalogue, in USD: the platform tiers (a year costs ten months) and a basic and a pro
/// plan for each AI product. Fixed ids, so the migration inserts them once on every database.
/// </summary>
public static class SeedPlans
{
    private static readonly DateTimeOffset Seeded = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private const string ApiCalls = "api_calls";

    public static string IdOf(int number) => $"plan_{number:D26}";

    public static readonly Plan[] All =
    [
        P(1, Products.Platform, SubscriptionTier.Free, "Free", BillingInterval.Month, 0m, 0, 30_000, 0m),
        P(2, Products.Platform, SubscriptionTier.Basic, "Basic", BillingInterval.Month, 49m, 14, 300_000, 0.0004m),
        P(3, Products.Platform, SubscriptionTier.Pro, "Pro", BillingInterval.Month, 199m, 14, 3_000_000, 0.0002m),
        P(4, Products.Platform, SubscriptionTier.Enterprise, "Enterprise", BillingInterval.Month, 999m, 0, 0, 0m),
        P(5, Products.Platform, SubscriptionTier.Basic, "Basic (yearly)", BillingInterval.Year, 490m, 14, 300_000, 0.0004m),
        P(6, Products.Platform, SubscriptionTier.Pro, "Pro (yearly)", BillingInterval.Year, 1_990m, 14, 3_000_000, 0.0002m),
        P(7, Products.Platform, SubscriptionTier.Enterprise, "Enterprise (yearly)", BillingInterval.Year, 9_990m, 0, 0, 0m),
        P(8, Products.Chatbot, SubscriptionTier.Basic, "Chatbot Basic", BillingInterval.Month, 29m, 14, 0, 0m),
        P(9, Products.Chatbot, SubscriptionTier.Pro, "Chatbot Pro", BillingInterval.Month, 99m, 14, 0, 0m),
        P(10, Products.EmailCampaigns, SubscriptionTier.Basic, "Email Campaigns Basic", BillingInterval.Month, 19m, 14, 0, 0m),
        P(11, Products.EmailCampaigns, SubscriptionTier.Pro, "Email Campaigns Pro", BillingInterval.Month, 79m, 14, 0, 0m),
        P(12, Products.LeadEnrichment, SubscriptionTier.Basic, "Lead Enrichment Basic", BillingInterval.Month, 39m, 14, 0, 0m),
        P(13, Products.LeadEnrichment, SubscriptionTier.Pro, "Lead Enrichment Pro", BillingInterval.Month, 149m, 14, 0, 0m),
    ];

    private static Plan P(int number, string product, SubscriptionTier tier, string name, BillingInterval interval, decimal price, int trialDays,
        long includedApiCallsPerMonth, decimal overagePerCall) => new()
        {
            Id = IdOf(number),
            Product = product,
            Tier = tier,
            Name = name,
            Interval = interval,
            UnitAmount = price,
            Currency = Currencies.Reporting,
            TrialDays = trialDays,
            // A yearly plan includes twelve months' worth.
            IncludedQuotas = includedApiCallsPerMonth == 0 ? [] : new() { [ApiCalls] = includedApiCallsPerMonth * (interval == BillingInterval.Year ? 12 : 1) },
            OveragePrices = overagePerCall == 0m ? [] : new() { [ApiCalls] = overagePerCall },
            CreatedAt = Seeded,
        };
}
