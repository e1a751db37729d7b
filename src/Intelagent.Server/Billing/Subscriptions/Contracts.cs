using Intelagent.Server.Billing.Kernel;
using Intelagent.Server.Organizations;
using Intelagent.Server.Platform.Problems;

namespace Intelagent.Server.Billing.Subscriptions;

public sealed record PlanResponse(string Id, string Product, SubscriptionTier Tier, string Name, BillingInterval Interval, decimal UnitAmount,
    string Currency, int TrialDays, IReadOnlyDictionary<string, long> IncludedQuotas, IReadOnlyDictionary<string, decimal> OveragePrices,
    string? OrganizationId, bool Archived)
{
    public static PlanResponse From(Plan p) => new(p.Id, p.Product, p.Tier, p.Name, p.Interval, p.UnitAmount, p.Currency, p.TrialDays,
        p.IncludedQuotas, p.OveragePrices, p.OrganizationId, p.Archived);
}

public sealed record CreatePlanRequest(string? Product, SubscriptionTier? Tier, string? Name, BillingInterval? Interval, decimal? UnitAmount,
    string? Currency, int? TrialDays, Dictionary<string, long>? IncludedQuotas, Dictionary<string, decimal>? OveragePrices, string? OrganizationId);

public sealed record UpdatePlanRequest(string? Name, bool? Archived);

public sealed record SubscriptionResponse(string Id, string OrganizationId, string PlanId, string Product, SubscriptionTier Tier,
    BillingInterval Interval, decimal UnitAmount, string Currency, int Quantity, decimal DiscountPercent, decimal DiscountAmount,
    DateTimeOffset? DiscountEndsAt, DateTimeOffset? TrialEndsAt, SubscriptionStatus Status, DateTimeOffset CurrentPeriodStart,
    DateTimeOffset CurrentPeriodEnd, bool CancelAtPeriodEnd, DateTimeOffset? CanceledAt, DateTimeOffset CreatedAt, int Version)
{
    public static SubscriptionResponse From(Subscription s) => new(s.Id, s.OrganizationId, s.PlanId, s.Product, s.Tier, s.Interval, s.UnitAmount,
        s.Currency, s.Quantity, s.DiscountPercent, s.DiscountAmount, s.DiscountEndsAt, s.TrialEndsAt, s.Status, s.CurrentPeriodStart,
        s.CurrentPeriodEnd, s.CancelAtPeriodEnd, s.CanceledAt, s.CreatedAt, s.Version);
}

/// <summary>A discount: a percent (0 to 100) and/or a fixed amount off per interval, until an optional end.</summary>
public sealed record DiscountRequest(decimal? Percent, decimal? Amount, DateTimeOffset? EndsAt);

public sealed record CreateSubscriptionRequest(string? PlanId, int? Quantity, bool? SkipTrial);

/// <summary>The new plan and/or quantity; <c>prorationAt</c> repeats a preview's instant so the confirmed amounts match it.</summary>
public sealed record ChangeSubscriptionRequest(string? PlanId, int? Quantity, DateTimeOffset? ProrationAt);

public sealed record CancelSubscriptionRequest(bool? AtPeriodEnd);

public sealed record ProrationLine(string Description, decimal Amount, DateTimeOffset PeriodStart, DateTimeOffset PeriodEnd);

/// <summary>What a change costs now: the unused part of the current period credited, the new part charged.</summary>
public sealed record ProrationPreview(string SubscriptionId, DateTimeOffset ProrationAt, string Currency, decimal Credit, decimal Charge,
    decimal Net, decimal TaxRatePercent, decimal Tax, decimal Total, IReadOnlyList<ProrationLine> Lines, DateTimeOffset NewPeriodStart,
    DateTimeOffset NewPeriodEnd);

public sealed record ChangeSubscriptionResponse(SubscriptionResponse Subscription, ProrationPreview Proration, string? InvoiceId);

/// <summary>Enum filters in query strings, case-insensitive, with or without underscores (<c>past_due</c>, <c>pastDue</c>).</summary>
public static class QueryEnum
{
    public static Result<T?> Parse<T>(string field, string? value) where T : struct, Enum
    {
        if (string.IsNullOrEmpty(value)) return (T?)null;
        if (Enum.TryParse<T>(value.Replace("_", "", StringComparison.Ordinal), ignoreCase: true, out var parsed) && Enum.IsDefined(parsed)) return (T?)parsed;
        return Error.Validation(field, "must be one of " + string.Join(", ", Enum.GetNames<T>().Select(n => n.ToLowerInvariant())) + ".");
    }
}
