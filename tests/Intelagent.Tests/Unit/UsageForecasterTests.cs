using Intelagent.Server.Usage;

namespace Intelagent.Tests.Unit;

public sealed class UsageForecasterTests
{
    private static readonly DateOnly Today = new(2026, 3, 10);

    [Fact]
    public void Line_OfExactPoints_ShouldRecoverInterceptAndSlope()
    {
        var (intercept, slope) = UsageForecaster.Line([3, 5, 7, 9]);
        Assert.Equal(3, intercept, 9);
        Assert.Equal(2, slope, 9);
    }

    [Fact]
    public void DailyQuota_WhenAlreadySpentToday_ShouldSayTodayAndReached()
    {
        var forecast = UsageForecaster.DailyQuota("API usage", [10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10], 1000, 1000, Today);
        Assert.Equal(Today, forecast!.Date);
        Assert.Equal("API usage flat, has reached its limit", forecast.Statement);
    }

    [Fact]
    public void DailyQuota_WithTooLittleHistoryOrAFallingTrend_ShouldBeNull()
    {
        Assert.Null(UsageForecaster.DailyQuota("API usage", [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 500, 900], 0, 1000, Today));
        Assert.Null(UsageForecaster.DailyQuota("API usage", [900, 850, 800, 750, 700, 650, 600, 550, 500, 450, 400, 350, 300, 250], 0, 1000, Today));
        Assert.Null(UsageForecaster.DailyQuota("API usage", [100, 200, 300], 0, null, Today));
    }

    [Fact]
    public void PeriodTotal_WhenTheLimitIsNotReachedBeforeThePeriodEnds_ShouldBeNull()
    {
        Assert.Null(UsageForecaster.PeriodTotal("Bandwidth", [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], 10, 100, Today, new DateOnly(2026, 3, 31)));
        var forecast = UsageForecaster.PeriodTotal("Bandwidth", [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], 10, 15, Today, new DateOnly(2026, 3, 31));
        Assert.Equal(Today.AddDays(5), forecast!.Date);
    }

    [Fact]
    public void Change_ShouldCompareTheLastSevenDaysWithTheSevenBefore()
    {
        Assert.Equal(100, UsageForecaster.Change([1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2]));
        Assert.Null(UsageForecaster.Change([0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 2, 2, 2]));
    }
}
