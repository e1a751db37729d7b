using MathNet.Numerics.Distributions;

namespace Intelagent.Server.Insights.Finance;

/// <summary>The small statistics the finance detectors share, on MathNet's distributions.</summary>
public static class FinanceStatistics
{
    /// <summary>Least squares of y on 0..n-1: slope, its standard error and the two-sided p-value of "slope = 0" (Student t, n-2 degrees of freedom).</summary>
    public static (double Slope, double StandardError, double PValue) Trend(IReadOnlyList<double> y)
    {
        var n = y.Count;
        if (n < 3) return (0, double.PositiveInfinity, 1);
        var meanX = (n - 1) / 2.0;
        var meanY = y.Average();
        double sxx = 0, sxy = 0;
        for (var x = 0; x < n; x++) { sxx += (x - meanX) * (x - meanX); sxy += (x - meanX) * (y[x] - meanY); }
        var slope = sxy / sxx;
        var residuals = 0.0;
        for (var x = 0; x < n; x++) { var r = y[x] - (meanY + slope * (x - meanX)); residuals += r * r; }
        var standardError = Math.Sqrt(residuals / (n - 2) / sxx);
        if (standardError == 0) return (slope, 0, slope == 0 ? 1 : 0);
        var t = Math.Abs(slope / standardError);
        return (slope, standardError, 2 * (1 - StudentT.CDF(0, 1, n - 2, t)));
    }

    /// <summary>
    /// One-sided p-value that <paramref name="latest"/> is above what the earlier values predict: a
    /// Student-t prediction interval from their mean and spread (n-1 degrees of freedom).
    /// </summary>
    public static double UpperTailPValue(IReadOnlyList<double> earlier, double latest)
    {
        var n = earlier.Count;
        if (n < 3) return 1;
        var mean = earlier.Average();
        var deviation = Math.Sqrt(earlier.Sum(v => (v - mean) * (v - mean)) / (n - 1));
        if (deviation == 0) return latest > mean ? 0 : 1;
        var t = (latest - mean) / (deviation * Math.Sqrt(1 + 1.0 / n));
        return 1 - StudentT.CDF(0, 1, n - 1, t);
    }

    /// <summary>Sign test: the probability of at least <paramref name="successes"/> of <paramref name="trials"/> by a fair coin.</summary>
    public static double SignTestPValue(int successes, int trials) =>
        successes <= 0 ? 1 : 1 - Binomial.CDF(0.5, trials, successes - 1);
}
