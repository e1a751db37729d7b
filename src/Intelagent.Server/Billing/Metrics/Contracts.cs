using Intelagent.Server.Billing.Kernel;
using Intelagent.Server.Billing.Metrics.Engine;

namespace Intelagent.Server.Billing.Metrics;

public sealed record MovementsResponse(
    decimal New, int NewCustomers, decimal Reactivation, int ReactivatedCustomers, decimal Expansion, int ExpandedCustomers,
    decimal Contraction, int ContractedCustomers, decimal Churn, int ChurnedCustomers);

public sealed record BreakdownItemResponse(string Key, decimal Mrr, int Customers);

public sealed record BreakdownResponse(IReadOnlyList<BreakdownItemResponse> Products, IReadOnlyList<BreakdownItemResponse> Tiers, IReadOnlyList<BreakdownItemResponse> Segments);

public sealed record ProductProfitabilityResponse(string Product, decimal Mrr, decimal Cost, decimal Profit, decimal? Margin);

/// <summary>One month's figures in the reporting currency. Money is rounded to cents and ratios to six places unless <c>precision=full</c>.</summary>
public sealed record MonthMetricsResponse(
    string Month, decimal Mrr, decimal Arr, decimal StartingMrr, decimal MrrChange, int PayingCustomers, int StartingPayingCustomers,
    MovementsResponse Movements, decimal? GrowthRate, decimal? ChurnRate, decimal? RevenueChurnRate, decimal? NetRevenueRetention,
    decimal? Arpa, decimal InfrastructureCost, decimal? GrossMargin, decimal? TrailingChurnRate, decimal? Ltv, decimal AcquisitionSpend,
    decimal? Cac, decimal? LtvToCac, decimal? CacPaybackMonths, decimal? Cash, decimal? Burn, decimal? RunwayMonths,
    BreakdownResponse Breakdown, IReadOnlyList<ProductProfitabilityResponse> ProductProfitability);

public sealed record MetricsResponse(string ReportingCurrency, string From, string To, IReadOnlyList<MonthMetricsResponse> Months, IReadOnlyList<string> CurrenciesWithoutRate);

public sealed record CohortResponse(string Month, int Customers, decimal InitialMrr, IReadOnlyList<decimal?> LogoRetention, IReadOnlyList<decimal?> RevenueRetention, IReadOnlyList<int> ActiveCustomers, IReadOnlyList<decimal> Mrr);

public sealed record CohortsResponse(string ReportingCurrency, IReadOnlyList<CohortResponse> Cohorts);

public sealed record CustomerEconomicsResponse(string OrganizationId, decimal Mrr, decimal DirectCost, decimal AllocatedCost, decimal Margin);

public sealed record CreateCostRequest(string? Month, string? Category, string? Product, string? OrganizationId, decimal? Amount, string? Currency);

public sealed record CostResponse(string Id, string Month, string Category, string Product, string? OrganizationId, decimal Amount, string Currency, DateTimeOffset CreatedAt);

public sealed record SetMonthAmountRequest(decimal? Amount, string? Currency);

public sealed record MonthAmountResponse(string Month, decimal Amount, string Currency);

public sealed record SetFxRateRequest(decimal? RateToReporting);

public sealed record FxRateResponse(string Month, string Currency, decimal RateToReporting);

/// <summary>Rounds figures for presentation only (decisions: "Money and metrics"); <c>full</c> keeps every digit.</summary>
public sealed class Presentation(bool full)
{
    private const int RatioDigits = 6;

    public decimal Money(decimal value) => full ? value : Currencies.Round(value, Currencies.Reporting);
    public decimal? Money(decimal? value) => value is { } v ? Money(v) : null;
    public decimal Ratio(decimal value) => full ? value : Math.Round(value, RatioDigits, MidpointRounding.AwayFromZero);
    public decimal? Ratio(decimal? value) => value is { } v ? Ratio(v) : null;

    public MonthMetricsResponse Month(MetricsEngine engine, MonthFigures f)
    {
        var m = f.Movements;
        var breakdown = engine.BreakdownOf(f.Month);
        return new MonthMetricsResponse(f.Month.ToString(), Money(f.Mrr), Money(f.Arr), Money(f.StartingMrr), Money(f.Mrr - f.StartingMrr),
            f.PayingCustomers, f.StartingPayingCustomers,
            new MovementsResponse(Money(m.New), m.NewCustomers, Money(m.Reactivation), m.ReactivatedCustomers, Money(m.Expansion), m.ExpandedCustomers,
                Money(m.Contraction), m.ContractedCustomers, Money(m.Churn), m.ChurnedCustomers),
            Ratio(f.GrowthRate), Ratio(f.ChurnRate), Ratio(f.RevenueChurnRate), Ratio(f.NetRevenueRetention), Money(f.Arpa), Money(f.InfrastructureCost),
            Ratio(f.GrossMargin), Ratio(f.TrailingChurnRate), Money(f.Ltv), Money(f.AcquisitionSpend), Money(f.Cac), Ratio(f.LtvToCac),
            Ratio(f.CacPaybackMonths), Money(f.Cash), Money(f.Burn), Ratio(f.RunwayMonths),
            new BreakdownResponse(Items(breakdown.Products), Items(breakdown.Tiers), Items(breakdown.Segments)),
            engine.ProductProfitabilityOf(f.Month).Select(p => new ProductProfitabilityResponse(p.Product, Money(p.Mrr), Money(p.Cost), Money(p.Profit), Ratio(p.Margin))).ToList());
    }

    private List<BreakdownItemResponse> Items(IReadOnlyList<BreakdownItem> items) => items.Select(i => new BreakdownItemResponse(i.Key, Money(i.Mrr), i.Customers)).ToList();

    public CohortResponse Cohort(Cohort c) => new(c.Month.ToString(), c.Customers, Money(c.InitialMrr), c.LogoRetention.Select(Ratio).ToList(),
        c.RevenueRetention.Select(Ratio).ToList(), c.ActiveCustomers, c.Mrr.Select(Money).ToList());
}

public sealed record ForecastPointResponse(string Month, decimal Mrr, decimal Lower80, decimal Upper80, decimal Lower95, decimal Upper95);

public sealed record CashPointResponse(string Month, decimal Cash);

/// <summary>The MRR forecast (Holt's method) with its backtest, and the cash projection from the latest month with a burn.</summary>
public sealed record ForecastResponse(
    string ReportingCurrency, string Method, decimal Alpha, decimal Beta, decimal? BacktestMape, int BacktestPoints,
    IReadOnlyList<ForecastPointResponse> Revenue, string? CashFrom, decimal? MonthlyNetCashChange, decimal? RunwayMonths, IReadOnlyList<CashPointResponse> Cash);
