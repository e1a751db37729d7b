using Intelagent.Server.Billing.Metrics.Engine;
using Intelagent.Server.Insights.Finance;
using Intelagent.Server.Insights.Predictions;

namespace Intelagent.Tests.Insights;

/// <summary>The statistics behind the revenue-trend finding and the forecast's backtest.</summary>
public sealed class RevenueTrendTests
{
    [Fact]
    public void Trend_WhenRevenueGrowsSteadily_ShouldBeSignificant()
    {
        var random = new Random(3);
        var series = Enumerable.Range(0, 12).Select(i => Math.Log(10_000 * Math.Pow(1.04, i) * (1 + 0.01 * (random.NextDouble() - 0.5)))).ToList();

        var (slope, _, p) = FinanceStatistics.Trend(series);

        Assert.InRange(Math.Exp(slope) - 1, 0.035, 0.045);
        Assert.True(p < 0.001);
    }

    [Fact]
    public void Trend_WhenRevenueIsFlatNoise_ShouldNotBeSignificantOnMostSeeds()
    {
        var significant = 0;
        for (var seed = 0; seed < 200; seed++)
        {
            var random = new Random(seed);
            var series = Enumerable.Range(0, 12).Select(_ => Math.Log(10_000 * (1 + 0.05 * (random.NextDouble() - 0.5)))).ToList();
            if (FinanceStatistics.Trend(series).PValue < 0.05) significant++;
        }

        Assert.InRange(significant, 0, 20); // about 5% by construction; 10% is the bound
    }

    [Fact]
    public void Backtest_WhenRevenueGrowsWithoutSeasonality_ShouldBeatSeasonalNaive()
    {
        var history = Enumerable.Range(0, 24).Select(i => 10_000m + 400m * i).ToList();

        var backtest = RevenueBacktest.Run(history)!;

        Assert.Equal(12, backtest.Origins);
        Assert.True(backtest.MapeRatio < 0.2, $"ratio {backtest.MapeRatio}");
    }

    [Fact]
    public void Backtest_WhenHistoryIsShorterThanASeason_ShouldSayNothing()
    {
        Assert.Null(RevenueBacktest.Run([0m, 0m, 100m, 120m, 130m, 150m, 160m, 170m, 180m, 190m, 200m, 210m, 220m, 230m]));
    }

    [Fact]
    public void UpperTail_WhenTheLatestChangeIsFarAboveTheEarlierOnes_ShouldBeSmall()
    {
        Assert.True(FinanceStatistics.UpperTailPValue([10, -12, 5, 8, -3, 0], 120) < 0.01);
        Assert.True(FinanceStatistics.UpperTailPValue([10, -12, 5, 8, -3, 0], 9) > 0.1);
    }

    [Fact]
    public void SignTest_WhenEveryMonthIsNegative_ShouldGiveTheCoinFlipProbability()
    {
        Assert.Equal(1.0 / 64, FinanceStatistics.SignTestPValue(6, 6), 10);
        Assert.Equal(1.0, FinanceStatistics.SignTestPValue(0, 6), 10);
    }
}
