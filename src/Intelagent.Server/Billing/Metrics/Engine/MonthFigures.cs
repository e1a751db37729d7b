namespace Intelagent.Server.Billing.Metrics.Engine;

/// <summary>
/// Every figure of one month, at full precision, in the reporting currency (MRR amounts are monthly).
/// A ratio whose denominator is zero (or unknown) is null, never 0. The movement identity
/// <c>New + Reactivation + Expansion - Contraction - Churn == Mrr - StartingMrr</c> holds exactly.
/// </summary>
public sealed record MonthFigures(
    Month Month,
    decimal Mrr,
    decimal Arr,
    decimal StartingMrr,
    int PayingCustomers,
    int StartingPayingCustomers,
    Movements Movements,
    decimal? GrowthRate,
    decimal? ChurnRate,
    decimal? RevenueChurnRate,
    decimal? NetRevenueRetention,
    decimal? Arpa,
    decimal InfrastructureCost,
    decimal? GrossMargin,
    decimal? TrailingChurnRate,
    decimal? Ltv,
    decimal AcquisitionSpend,
    decimal? Cac,
    decimal? LtvToCac,
    decimal? CacPaybackMonths,
    decimal? Cash,
    decimal? Burn,
    decimal? RunwayMonths);

public sealed record Movements(
    decimal New, int NewCustomers,
    decimal Reactivation, int ReactivatedCustomers,
    decimal Expansion, int ExpandedCustomers,
    decimal Contraction, int ContractedCustomers,
    decimal Churn, int ChurnedCustomers)
{
    public decimal Net => New + Reactivation + Expansion - Contraction - Churn;
}

/// <summary>Annual units (12 x MRR) at the start and end of a month and its movements, exact.</summary>
public sealed record ExactMovements(decimal Start, decimal End, decimal New, decimal Reactivation, decimal Expansion, decimal Contraction, decimal Churn);

public sealed record BreakdownItem(string Key, decimal Mrr, int Customers);

public sealed record Breakdown(Month Month, IReadOnlyList<BreakdownItem> Products, IReadOnlyList<BreakdownItem> Tiers, IReadOnlyList<BreakdownItem> Segments);

/// <summary>One cohort: customers whose first paying month is <see cref="Month"/>; retention per month since (index 0 = that month).</summary>
public sealed record Cohort(Month Month, int Customers, decimal InitialMrr, IReadOnlyList<decimal?> LogoRetention, IReadOnlyList<decimal?> RevenueRetention, IReadOnlyList<int> ActiveCustomers, IReadOnlyList<decimal> Mrr);

public sealed record CustomerEconomics(string CustomerId, decimal Mrr, decimal DirectCost, decimal AllocatedCost)
{
    public decimal TotalCost => DirectCost + AllocatedCost;
    public decimal Margin => Mrr - TotalCost;
}

public sealed record ProductProfitability(string Product, decimal Mrr, decimal Cost, decimal Profit, decimal? Margin);
