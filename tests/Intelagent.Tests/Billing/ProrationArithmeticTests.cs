using Intelagent.Server.Billing.Invoicing;
using Intelagent.Server.Billing.Kernel;
using Intelagent.Server.Billing.Subscriptions;
using Microsoft.Extensions.Time.Testing;

namespace Intelagent.Tests.Billing;

/// <summary>Proration, tax and rounding against cases computed by hand (the arithmetic is in the comments).</summary>
public sealed class ProrationArithmeticTests
{
    private static readonly DateTimeOffset January = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset February = new(2026, 2, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void RemainingFraction_WhenTenDaysOfJanuaryAreUsed_ShouldCountWholeSecondsLeft()
    {
        // January has 31 days = 2,678,400 s. On Jan 11 00:00, 21 days = 1,814,400 s remain: 1,814,400 / 2,678,400 = 21/31.
        Assert.Equal(1_814_400m / 2_678_400m, Proration.RemainingFraction(January, February, January.AddDays(10)));
        // Half a second into the last second of the period leaves 0 whole seconds; before the start the whole period remains.
        Assert.Equal(0m, Proration.RemainingFraction(January, February, February.AddMilliseconds(-500)));
        Assert.Equal(1m, Proration.RemainingFraction(January, February, January.AddDays(-1)));
    }

    [Fact]
    public void Amounts_WhenUpgradingBasicToProOnJanuary11_ShouldCreditAndChargeToTheCent()
    {
        var fraction = Proration.RemainingFraction(January, February, January.AddDays(10));
        var (credit, charge) = Proration.Amounts(49m, fraction, 199m, fraction, "USD");
        // credit = 49 x 21/31 = 33.193548... -> 33.19 (credited, so -33.19)
        Assert.Equal(-33.19m, credit);
        // charge = 199 x 21/31 = 134.806451... -> 134.81
        Assert.Equal(134.81m, charge);
        // net = 134.81 - 33.19 = 101.62
        Assert.Equal(101.62m, credit + charge);
    }

    [Fact]
    public void Amounts_WhenDowngradingThreeSeatsToTwoWithADiscountAtNoonOfJanuary21_ShouldProrateTheDiscountedAmounts()
    {
        // Old: 3 seats x 49 x (1 - 20%) - 5 off = 117.60 - 5 = 112.60; new: 2 x 49 x 0.8 - 5 = 78.40 - 5 = 73.40.
        var old = Proration.PeriodAmount(49m, 3, 20m, 5m);
        var updated = Proration.PeriodAmount(49m, 2, 20m, 5m);
        Assert.Equal(112.60m, old);
        Assert.Equal(73.40m, updated);
        // Jan 21 12:00: 10.5 days = 907,200 s remain of 2,678,400 s.
        var fraction = Proration.RemainingFraction(January, February, January.AddDays(20.5));
        Assert.Equal(907_200m / 2_678_400m, fraction);
        var (credit, charge) = Proration.Amounts(old, fraction, updated, fraction, "USD");
        // credit = 112.60 x 907,200 / 2,678,400 = 38.1387096... -> 38.14; charge = 73.40 x 0.338709677... = 24.8612903... -> 24.86
        Assert.Equal(-38.14m, credit);
        Assert.Equal(24.86m, charge);
    }

    [Fact]
    public void PeriodAmount_WhenTheFixedDiscountExceedsThePrice_ShouldNotGoBelowZero() =>
        // 1 x 10 x (1 - 50%) - 20 = -15 -> 0
        Assert.Equal(0m, Proration.PeriodAmount(10m, 1, 50m, 20m));

    [Fact]
    public void Build_WhenTaxedAt8Point25Percent_ShouldRoundTaxPerLineAndSumIt()
    {
        var invoice = InvoiceMath.Build("org_x", "USD", 8.25m,
        [
            new LineDraft(InvoiceLineKind.Proration, "credit", 1m, -33.19m, -33.19m),
            new LineDraft(InvoiceLineKind.Proration, "charge", 1m, 134.81m, 134.81m),
        ], new FakeTimeProvider(January));
        // tax(-33.19) = -2.738175 -> -2.74; tax(134.81) = 11.121825 -> 11.12 (half away from zero, per line)
        Assert.Equal([-2.74m, 11.12m], invoice.Lines.Select(l => l.Tax));
        // subtotal 101.62, tax -2.74 + 11.12 = 8.38, total 110.00
        Assert.Equal(101.62m, invoice.Subtotal);
        Assert.Equal(8.38m, invoice.Tax);
        Assert.Equal(110.00m, invoice.Total);
    }

    [Fact]
    public void Build_WhenLinesHitHalfACent_ShouldRoundHalfAwayFromZeroOnEachLine()
    {
        var invoice = InvoiceMath.Build("org_x", "USD", 5m,
        [
            // 3 x 0.041666 = 0.124998 -> 0.12; 0.125 -> 0.13; -0.125 -> -0.13 (away from zero, not to even)
            new LineDraft(InvoiceLineKind.OneOff, "a", 3m, 0.041666m),
            new LineDraft(InvoiceLineKind.OneOff, "b", 1m, 0.125m),
            new LineDraft(InvoiceLineKind.OneOff, "c", 1m, -0.125m),
            // three lines of 0.10 at 5%: 0.005 each -> 0.01 each
            new LineDraft(InvoiceLineKind.OneOff, "d", 1m, 0.10m),
            new LineDraft(InvoiceLineKind.OneOff, "e", 1m, 0.10m),
            new LineDraft(InvoiceLineKind.OneOff, "f", 1m, 0.10m),
        ], new FakeTimeProvider(January));
        Assert.Equal([0.12m, 0.13m, -0.13m, 0.10m, 0.10m, 0.10m], invoice.Lines.Select(l => l.Amount));
        // taxes: 0.006 -> 0.01, 0.0065 -> 0.01, -0.0065 -> -0.01, 0.005 -> 0.01 (x3): the total tax is the sum, 0.04,
        // not 5% of the 0.42 subtotal (0.021 -> 0.02): every figure on the document adds up.
        Assert.Equal(0.42m, invoice.Subtotal);
        Assert.Equal(0.04m, invoice.Tax);
        Assert.Equal(0.46m, invoice.Total);
    }

    [Fact]
    public void Build_WhenTheCurrencyHasNoMinorUnit_ShouldRoundToWholeYen()
    {
        // 3 x 333.5 = 1000.5 -> 1001 JPY; tax 10% = 100.1 -> 100
        var invoice = InvoiceMath.Build("org_x", "JPY", 10m, [new LineDraft(InvoiceLineKind.OneOff, "yen", 3m, 333.5m)], new FakeTimeProvider(January));
        Assert.Equal(1001m, invoice.Subtotal);
        Assert.Equal(100m, invoice.Tax);
        Assert.Equal(1101m, invoice.Total);
    }

    [Fact]
    public void Format_ShouldPadTheSequenceToSixDigitsAfterTheYear() =>
        Assert.Equal("INV-2026-000123", InvoiceIssuer.Format(January, 123));
}
