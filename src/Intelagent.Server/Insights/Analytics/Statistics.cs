using MathNet.Numerics.Distributions;

namespace Intelagent.Server.Insights.Analytics;

/// <summary>The few tests the detectors use, written out so each claim can be traced to its formula.</summary>
public static class Statistics
{
    /// <summary>Two-proportion z-test with the pooled standard error; two-sided p-value.</summary>
    public static (double Z, double P) TwoProportion(long successes1, long trials1, long successes2, long trials2)
    {
        if (trials1 == 0 || trials2 == 0) return (0, 1);
        var pooled = (double)(successes1 + successes2) / (trials1 + trials2);
        var standardError = Math.Sqrt(pooled * (1 - pooled) * (1.0 / trials1 + 1.0 / trials2));
        if (standardError == 0) return (0, 1);
        var z = ((double)successes1 / trials1 - (double)successes2 / trials2) / standardError;
        return (z, TwoSided(z));
    }

    public static double TwoSided(double z) => 2 * (1 - Normal.CDF(0, 1, Math.Abs(z)));

    /// <summary>Holm's step-down adjustment: controls the family-wise error rate across all the tests, under any dependence.</summary>
    public static double[] Holm(IReadOnlyList<double> pValues)
    {
        var m = pValues.Count;
        var order = Enumerable.Range(0, m).OrderBy(i => pValues[i]).ToArray();
        var adjusted = new double[m];
        var running = 0.0;
        for (var rank = 0; rank < m; rank++)
        {
            running = Math.Max(running, Math.Min(1, (m - rank) * pValues[order[rank]]));
            adjusted[order[rank]] = running;
        }
        return adjusted;
    }

    /// <summary>Wilson score interval of a proportion (95% by default): honest at small counts and near 0 or 1.</summary>
    public static (double Lower, double Upper) Wilson(long successes, long trials, double z = 1.959964)
    {
        if (trials == 0) return (0, 1);
        var p = (double)successes / trials;
        var denominator = 1 + z * z / trials;
        var centre = (p + z * z / (2.0 * trials)) / denominator;
        var half = z * Math.Sqrt(p * (1 - p) / trials + z * z / (4.0 * trials * trials)) / denominator;
        return (Math.Max(0, centre - half), Math.Min(1, centre + half));
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        if (sorted.Length == 0) return double.NaN;
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    /// <summary>The median absolute deviation scaled to estimate a normal standard deviation (×1.4826).</summary>
    public static double RobustScale(IEnumerable<double> values)
    {
        var list = values.ToList();
        var median = Median(list);
        return 1.4826 * Median(list.Select(v => Math.Abs(v - median)));
    }
}
