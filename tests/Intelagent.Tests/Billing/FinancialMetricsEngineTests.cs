using Intelagent.Server.Billing.Metrics.Engine;
using static Intelagent.Tests.Billing.FinancialMetricsFixture;

namespace Intelagent.Tests.Billing;

/// <summary>Every metric of <see cref="FinancialMetricsFixture"/> against the hand arithmetic in the comments.</summary>
public sealed class FinancialMetricsEngineTests
{
    private static decimal? Cents(decimal? value) => value is { } v ? Math.Round(v, 2, MidpointRounding.AwayFromZero) : null;
    private static decimal? Ratio(decimal? value) => value is { } v ? Math.Round(v, 6, MidpointRounding.AwayFromZero) : null;

    [Fact]
    public void Figures_ForJanuary_ShouldMatchTheHandComputation()
    {
        var f = Engine().Figures(January);
        // A 180 (100 x 2 x 0.9) + C 55 (50 EUR x 1.10) + D 40; B is in its trial.
        Assert.Equal(275m, Cents(f.Mrr));
        Assert.Equal(3300m, Cents(f.Arr));
        Assert.Equal((275m, 3), (Cents(f.Movements.New), f.Movements.NewCustomers));
        Assert.Equal(3, f.PayingCustomers);
        // Nothing at the start of the month: every ratio over the start is null, not 0.
        Assert.Null(f.GrowthRate);
        Assert.Null(f.ChurnRate);
        Assert.Null(f.RevenueChurnRate);
        Assert.Null(f.NetRevenueRetention);
        Assert.Equal(91.67m, Cents(f.Arpa)); // 275 / 3
        Assert.Equal(0.8m, Ratio(f.GrossMargin)); // (275 - 55) / 275
        Assert.Null(f.TrailingChurnRate);
        Assert.Null(f.Ltv);
        Assert.Equal(200m, Cents(f.Cac)); // 600 / 3
        Assert.Null(f.LtvToCac);
        Assert.Equal(2.727273m, Ratio(f.CacPaybackMonths)); // 200 / (275 / 3 x 0.8)
        Assert.Equal(10_000m, f.Cash);
        Assert.Null(f.Burn);
        Assert.Null(f.RunwayMonths);
    }

    [Fact]
    public void Figures_ForFebruary_ShouldCountTheTrialEndAsNewAndTheUpgradeAsExpansion()
    {
        var f = Engine().Figures(February);
        // A 270 (150 x 2 x 0.9) + B 100 (1200 / 12, trial over Feb 4) + C 55; D canceled Feb 10.
        Assert.Equal(425m, Cents(f.Mrr));
        Assert.Equal(275m, Cents(f.StartingMrr));
        Assert.Equal((100m, 1), (Cents(f.Movements.New), f.Movements.NewCustomers));
        Assert.Equal((90m, 1), (Cents(f.Movements.Expansion), f.Movements.ExpandedCustomers));
        Assert.Equal((40m, 1), (Cents(f.Movements.Churn), f.Movements.ChurnedCustomers));
        Assert.Equal(0m, f.Movements.Contraction);
        Assert.Equal(0.545455m, Ratio(f.GrowthRate)); // 150 / 275
        Assert.Equal(0.333333m, Ratio(f.ChurnRate)); // 1 / 3
        Assert.Equal(0.145455m, Ratio(f.RevenueChurnRate)); // 40 / 275
        Assert.Equal(1.181818m, Ratio(f.NetRevenueRetention)); // (275 + 90 - 40) / 275
        Assert.Equal(141.67m, Cents(f.Arpa)); // 425 / 3
        Assert.Equal(0.8m, Ratio(f.GrossMargin)); // (425 - 85) / 425
        Assert.Equal(0.333333m, Ratio(f.TrailingChurnRate)); // only February has a starting base
        Assert.Equal(340m, Cents(f.Ltv)); // 141.67 x 0.8 / (1/3)
        Assert.Equal(250m, Cents(f.Cac)); // 250 / 1
        Assert.Equal(1.36m, Ratio(f.LtvToCac)); // 340 / 250
        Assert.Equal(3.125m, Ratio(f.CacPaybackMonths)); // 250 / (100 x 0.8)
    }

    [Fact]
    public void Figures_ForMarch_ShouldShowTheDowngradeTheRateChangeAndTheReactivation()
    {
        var f = Engine().Figures(March);
        // A 150 + B 100 + C 60 (50 x 1.20) + D 45 (new subscription after churn); E in trial.
        Assert.Equal(355m, Cents(f.Mrr));
        Assert.Equal((45m, 1), (Cents(f.Movements.Reactivation), f.Movements.ReactivatedCustomers));
        Assert.Equal((5m, 1), (Cents(f.Movements.Expansion), f.Movements.ExpandedCustomers)); // C: 55 -> 60 from the rate alone
        Assert.Equal((120m, 1), (Cents(f.Movements.Contraction), f.Movements.ContractedCustomers)); // A: 270 -> 150
        Assert.Equal(0, f.Movements.NewCustomers);
        Assert.Equal(-0.164706m, Ratio(f.GrowthRate)); // -70 / 425
        Assert.Equal(0m, Ratio(f.ChurnRate)); // 0 / 3
        Assert.Equal(0.282353m, Ratio(f.RevenueChurnRate)); // (0 + 120) / 425
        Assert.Equal(0.729412m, Ratio(f.NetRevenueRetention)); // (425 + 5 - 120) / 425
        Assert.Equal(4, f.PayingCustomers);
        Assert.Equal(88.75m, Cents(f.Arpa)); // 355 / 4
        Assert.Equal(71m, Cents(f.InfrastructureCost)); // 59 + 10 EUR x 1.20
        Assert.Equal(0.8m, Ratio(f.GrossMargin)); // (355 - 71) / 355
        Assert.Equal(0.166667m, Ratio(f.TrailingChurnRate)); // (1/3 + 0) / 2
        Assert.Equal(426m, Cents(f.Ltv)); // 88.75 x 0.8 / (1/6)
        Assert.Null(f.Cac); // 100 spent, no new customer
        Assert.Null(f.CacPaybackMonths);
        Assert.Null(f.Burn); // needs the cash of three months before
    }

    [Fact]
    public void Figures_ForApril_ShouldChurnTheCancelAndComputeBurnAndRunway()
    {
        var f = Engine().Figures(April);
        // B 100 + C 60 (March's rate carries) + D 45; A canceled Apr 5; E canceled inside its trial.
        Assert.Equal(205m, Cents(f.Mrr));
        Assert.Equal((150m, 1), (Cents(f.Movements.Churn), f.Movements.ChurnedCustomers));
        Assert.Equal(0.25m, Ratio(f.ChurnRate)); // 1 / 4
        Assert.Equal(-0.422535m, Ratio(f.GrowthRate)); // -150 / 355
        Assert.Equal(0.577465m, Ratio(f.NetRevenueRetention)); // 205 / 355
        Assert.Equal(68.33m, Cents(f.Arpa)); // 205 / 3
        Assert.Equal(0.8m, Ratio(f.GrossMargin)); // (205 - 41) / 205
        Assert.Equal(0.194444m, Ratio(f.TrailingChurnRate)); // (1/3 + 0 + 1/4) / 3 = 7/36
        Assert.Equal(281.14m, Cents(f.Ltv)); // 68.33 x 0.8 / (7/36) = 1968 / 7
        Assert.Null(f.Cac);
        Assert.Equal(800m, Cents(f.Burn)); // (10000 - 7600) / 3
        Assert.Equal(9.5m, Ratio(f.RunwayMonths)); // 7600 / 800
    }

    [Fact]
    public void Breakdown_ForMarch_ShouldSplitByProductTierAndSegment()
    {
        var b = Engine().BreakdownOf(March);
        Assert.Equal([("chatbot", 210m, 2), ("platform", 100m, 1), ("email_campaigns", 45m, 1)], b.Products.Select(p => (p.Key, Cents(p.Mrr)!.Value, p.Customers)));
        Assert.Equal([("basic", 195m, 2), ("pro", 160m, 2)], b.Tiers.Select(p => (p.Key, Cents(p.Mrr)!.Value, p.Customers)));
        Assert.Equal([("smb", 255m, 3), ("enterprise", 100m, 1)], b.Segments.Select(p => (p.Key, Cents(p.Mrr)!.Value, p.Customers)));
    }

    [Fact]
    public void Cohorts_ShouldGroupByFirstPayingMonth()
    {
        var cohorts = Engine().Cohorts();
        Assert.Equal([January, February], cohorts.Select(c => c.Month));
        var january = cohorts[0];
        // A, C, D: 275; Feb A 270 + C 55 = 325; Mar 150 + 60 + 45 = 255; Apr 60 + 45 = 105.
        Assert.Equal((3, 275m), (january.Customers, Cents(january.InitialMrr)!.Value));
        Assert.Equal([3, 2, 3, 2], january.ActiveCustomers);
        Assert.Equal([1m, 0.666667m, 1m, 0.666667m], january.LogoRetention.Select(Ratio));
        Assert.Equal([1m, 1.181818m, 0.927273m, 0.381818m], january.RevenueRetention.Select(Ratio));
        Assert.Equal([1m, 1m, 1m], cohorts[1].RevenueRetention.Select(Ratio));
    }

    [Fact]
    public void CustomerEconomics_ForMarch_ShouldAllocateSharedCostsByUsage()
    {
        var economics = Engine().CustomerEconomicsOf(March).ToDictionary(e => e.CustomerId);
        // The shared 59 of compute goes 3:1 to A and C by metered usage; B's 10 EUR storage is its own.
        Assert.Equal((150m, 0m, 44.25m), (economics["A"].Mrr, economics["A"].DirectCost, economics["A"].AllocatedCost));
        Assert.Equal((60m, 0m, 14.75m), (economics["C"].Mrr, economics["C"].DirectCost, economics["C"].AllocatedCost));
        Assert.Equal((100m, 12m, 0m), (economics["B"].Mrr, economics["B"].DirectCost, economics["B"].AllocatedCost));
        Assert.Equal(45m, economics["D"].Margin);
    }

    [Fact]
    public void ProductProfitability_ForMarch_ShouldSetEachProductsCostAgainstItsMrr()
    {
        var products = Engine().ProductProfitabilityOf(March).ToDictionary(p => p.Product);
        Assert.Equal((210m, 59m, 151m), (Cents(products["chatbot"].Mrr)!.Value, products["chatbot"].Cost, Cents(products["chatbot"].Profit)!.Value));
        Assert.Equal(0.88m, Ratio(products["platform"].Margin)); // (100 - 12) / 100
        Assert.Equal(1m, Ratio(products["email_campaigns"].Margin));
    }

    [Fact]
    public void Append_ShouldGiveTheSameFiguresAsComputingEverythingAgain()
    {
        var input = Input();
        var late = new LedgerEntry("C", "c1", Intelagent.Server.Billing.Kernel.SubscriptionEventType.Change, new DateTimeOffset(2026, 2, 20, 0, 0, 0, TimeSpan.Zero),
            "chatbot", "pro", Intelagent.Server.Billing.Kernel.BillingInterval.Month, 80m, "EUR", 1, 0m, null);
        var incremental = Engine();
        Assert.True(incremental.Append(late));
        var full = new MetricsEngine(input with { Ledger = [.. input.Ledger, late] }, April);
        foreach (var month in new[] { January, February, March, April })
            Assert.Equal(full.Figures(month), incremental.Figures(month));
        Assert.Equal(123m, Cents(incremental.Figures(February).Movements.Expansion)); // A +90, C +33 (80 x 1.10 - 55)
    }
}
