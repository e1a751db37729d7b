using Intelagent.Server.Organizations;
using Intelagent.Server.Portal.Admin;
using Intelagent.Server.Portal.Admin.Finance;
using Intelagent.Server.Usage;

namespace Intelagent.Tests.Portal;

public sealed class OrganizationHealthTests
{
    private static UsageMeter Meter(long used, long? limit) => new(used, limit, limit is > 0 ? (decimal)used / limit.Value : null);

    private static HealthSignals Signals(long lastWeek = 700, long weekBefore = 700, int failedPayments = 0, long seats = 3, long seatLimit = 5, long callsToday = 10) =>
        new(new OrganizationUsageResponse("org_1", "Acme", SubscriptionTier.Basic, Meter(callsToday, 1000), Meter(0, 1_000_000), Meter(0, 1_000_000),
            Meter(seats, seatLimit), Meter(1, 10)), lastWeek, weekBefore, failedPayments);

    [Fact]
    public void Assess_WhenNothingIsWrong_ShouldBeHealthy()
    {
        var health = OrganizationHealth.Assess(Signals());

        Assert.Equal(HealthStatus.Healthy, health.Status);
        Assert.Equal("No warning signs", health.Summary);
    }

    [Theory]
    [InlineData(1, HealthStatus.Watch)]
    [InlineData(2, HealthStatus.AtRisk)]
    public void Assess_WhenPaymentsFailed_ShouldWatchOnceAndWorryTwice(int failures, HealthStatus expected)
    {
        var health = OrganizationHealth.Assess(Signals(failedPayments: failures));

        Assert.Equal(expected, health.Status);
        Assert.Contains("failed payment", health.Summary);
    }

    [Theory]
    [InlineData(700, 1000, HealthStatus.Watch)] // down 30%
    [InlineData(400, 1000, HealthStatus.AtRisk)] // down 60%
    [InlineData(900, 1000, HealthStatus.Healthy)] // down 10%: noise
    [InlineData(0, 60, HealthStatus.Healthy)] // below the base a drop is not a trend
    public void Assess_WhenApiCallsFall_ShouldFollowTheDrop(long lastWeek, long weekBefore, HealthStatus expected) =>
        Assert.Equal(expected, OrganizationHealth.Assess(Signals(lastWeek, weekBefore)).Status);

    [Fact]
    public void Assess_WhenAMeterIsAtItsLimit_ShouldWatchAndSayWhich()
    {
        var health = OrganizationHealth.Assess(Signals(callsToday: 1000));

        Assert.Equal(HealthStatus.Watch, health.Status);
        Assert.Contains("daily API call limit", health.Summary);
    }

    [Fact]
    public void Assess_WhenFewOfManySeatsAreUsed_ShouldWatch()
    {
        Assert.Equal(HealthStatus.Watch, OrganizationHealth.Assess(Signals(seats: 2, seatLimit: 50)).Status);
        // Small plans are left alone: one person on a five-seat plan is normal.
        Assert.Equal(HealthStatus.Healthy, OrganizationHealth.Assess(Signals(seats: 1, seatLimit: 5)).Status);
    }

    [Fact]
    public void Assess_WithSeveralSigns_ShouldTakeTheWorstAndListItFirst()
    {
        var health = OrganizationHealth.Assess(Signals(lastWeek: 800, weekBefore: 1000, failedPayments: 3, callsToday: 1000));

        Assert.Equal(HealthStatus.AtRisk, health.Status);
        Assert.StartsWith("3 failed payments", health.Reasons[0]);
        Assert.Equal(2, health.Reasons.Count);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(0.3)]
    [InlineData(0.55)]
    [InlineData(0.6)]
    [InlineData(0.75)]
    [InlineData(1)]
    [InlineData(1.5)]
    public void HeatmapColour_ForAnyRetention_ShouldKeepAaContrast(decimal ratio) =>
        Assert.True(HeatmapColour.ContrastWithText(ratio) >= 4.5, $"{ratio}: {HeatmapColour.Of(ratio)} gives {HeatmapColour.ContrastWithText(ratio):0.00}");

    [Fact]
    public void ChartScale_ShouldCoverTheValuesWithRoundTicks()
    {
        var scale = new ChartScale([0m, 1234m, 870m]);

        Assert.Equal(0m, scale.Min);
        Assert.True(scale.Max >= 1234m);
        Assert.All(scale.Ticks, t => Assert.Equal(0m, t % 250m));
        Assert.Equal(260, scale.Position(scale.Min, 260, 20));
        Assert.Equal(20, scale.Position(scale.Max, 260, 20));
    }
}
