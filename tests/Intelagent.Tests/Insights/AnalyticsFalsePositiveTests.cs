using Intelagent.Server.Insights.Analytics;
using MathNet.Numerics.Distributions;
using Xunit.Abstractions;

namespace Intelagent.Tests.Insights;

/// <summary>
/// The statistical detectors on simulated data: with no effect they must stay silent (the rate of
/// any claim, over many seeds, at most <see cref="StatedFalsePositiveLevel"/>), and with a planted
/// effect of the spec's size they must find it (power at least <see cref="RequiredPower"/>). The
/// seeds are fixed, so the measured rates are reproducible; docs/decisions/019 quotes them.
/// </summary>
public sealed class AnalyticsFalsePositiveTests(ITestOutputHelper output)
{
    public const int Seeds = 300;
    public const double StatedFalsePositiveLevel = 0.05;
    public const double RequiredPower = 0.90;
    private const double Alpha = 0.01; // InsightOptions.FamilyAlpha's default

    private static readonly DateOnly Today = new(2026, 11, 26);

    /// <summary>Weekdays 1-5, hours 8-17 UTC: 50 weekday-hours, each with <paramref name="sendsPerCell"/> sends.</summary>
    public static List<SendCell> EmailCells(Random random, int sendsPerCell, double baseRate, double plantedLift)
    {
        var cells = new List<SendCell>();
        for (var weekday = 1; weekday <= 5; weekday++)
            for (var hour = 8; hour <= 17; hour++)
            {
                var rate = weekday == 2 && hour == 10 ? baseRate * (1 + plantedLift) : baseRate;
                var sent = sendsPerCell + random.Next(-sendsPerCell / 10, sendsPerCell / 10 + 1);
                cells.Add(new SendCell(weekday, hour, sent, Binomial.Sample(random, rate, sent)));
            }
        return cells;
    }

    public static ProportionFinding? Leads(Random random, int perGroup, double enrichedRate, double baselineRate) =>
        ProductAnalyses.CompareRates(Binomial.Sample(random, enrichedRate, perGroup), perGroup, Binomial.Sample(random, baselineRate, perGroup), perGroup, Alpha);

    /// <summary>Ten weeks of daily API calls with a weekday profile, 8% noise, and a few old outliers; optionally a spike two days ago.</summary>
    public static UsageAnomaly? Usage(Random random, double spike)
    {
        var series = new List<DailyValue>();
        for (var day = Today.AddDays(-70); day < Today; day = day.AddDays(1))
        {
            var level = day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? 300.0 : 1000.0;
            var value = level * (1 + 0.08 * Normal.Sample(random, 0, 1));
            if (day < Today.AddDays(-7) && random.NextDouble() < 1.0 / 30) value *= 3; // past incidents the baseline must shrug off
            if (day == Today.AddDays(-2)) value *= spike;
            series.Add(new DailyValue(day, Math.Max(0, Math.Round(value))));
        }
        return UsageAnomalyAnalysis.Detect(series, Today.AddDays(-70), Today, Alpha);
    }

    [Fact]
    public void Detectors_OnDataWithNoEffect_ShouldClaimAnythingAtMostAtTheStatedRate()
    {
        int email = 0, leads = 0, usage = 0, any = 0;
        for (var seed = 0; seed < Seeds; seed++)
        {
            var random = new Random(seed);
            var e = ProductAnalyses.BestSendTime(EmailCells(random, 600, 0.25, 0), Alpha) is not null;
            var l = Leads(random, 300, 0.10, 0.10) is not null;
            var u = Usage(random, 1) is not null;
            email += e ? 1 : 0;
            leads += l ? 1 : 0;
            usage += u ? 1 : 0;
            any += e || l || u ? 1 : 0;
        }
        output.WriteLine($"False-positive rates over {Seeds} seeds without effect: email send time {Rate(email)}, lead enrichment {Rate(leads)}, usage anomaly {Rate(usage)}, any claim {Rate(any)} (stated level {StatedFalsePositiveLevel:P0})");
        Assert.True((double)any / Seeds <= StatedFalsePositiveLevel, $"any claim in {Rate(any)} of the seeds");
    }

    [Fact]
    public void Detectors_OnDataWithAPlantedEffect_ShouldFindIt()
    {
        int email = 0, leads = 0, usage = 0, emailSmall = 0;
        for (var seed = 0; seed < Seeds; seed++)
        {
            var random = new Random(10_000 + seed);
            var found = ProductAnalyses.BestSendTime(EmailCells(random, 1200, 0.25, 0.30), Alpha);
            email += found is { Best.Weekday: 2, Best.Hour: 10 } ? 1 : 0;
            emailSmall += ProductAnalyses.BestSendTime(EmailCells(random, 600, 0.25, 0.30), Alpha) is { Best.Weekday: 2, Best.Hour: 10 } ? 1 : 0;
            leads += Leads(random, 300, 0.23, 0.08) is { Rate1: > 0.15 } ? 1 : 0;
            usage += Usage(random, 2.5) is { IsSpike: true } anomaly && anomaly.Day == Today.AddDays(-2) ? 1 : 0;
        }
        output.WriteLine($"Power over {Seeds} seeds with a planted effect: email Tuesday 10am +30% at 1,200 sends per weekday-hour {Rate(email)} "
            + $"(at 600: {Rate(emailSmall)}), enriched leads 23% vs 8% with 300 per group {Rate(leads)}, usage spike x2.5 {Rate(usage)} (required {RequiredPower:P0})");
        Assert.True((double)email / Seeds >= RequiredPower, $"email power {Rate(email)}");
        Assert.True((double)leads / Seeds >= RequiredPower, $"lead power {Rate(leads)}");
        Assert.True((double)usage / Seeds >= RequiredPower, $"usage power {Rate(usage)}");
    }

    [Fact]
    public void Holm_ShouldMatchTheTextbookExample()
    {
        // Holm (1979) step-down: sorted p 0.01, 0.02, 0.03, 0.04 with m = 4 -> 0.04, 0.06, 0.06, 0.06.
        var adjusted = Statistics.Holm([0.03, 0.01, 0.04, 0.02]);
        Assert.Equal([0.06, 0.04, 0.06, 0.06], adjusted.Select(p => Math.Round(p, 10)));
        var (lower, upper) = Statistics.Wilson(40, 100);
        Assert.Equal(0.3094, Math.Round(lower, 4));
        Assert.Equal(0.4980, Math.Round(upper, 4));
    }

    private static string Rate(int count) => $"{(double)count / Seeds:P1} ({count}/{Seeds})";
}
