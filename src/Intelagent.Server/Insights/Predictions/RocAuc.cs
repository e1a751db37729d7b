namespace Intelagent.Server.Insights.Predictions;

/// <summary>
/// The area under the ROC curve as the Mann-Whitney statistic (the probability that a random
/// positive scores above a random negative, ties counting half), and its standard error after
/// Hanley and McNeil (1982), so a claimed AUC comes with an interval.
/// </summary>
public static class RocAuc
{
    public static double? Compute(IReadOnlyList<double> scores, IReadOnlyList<bool> labels)
    {
        var order = Enumerable.Range(0, scores.Count).OrderBy(i => scores[i]).ToArray();
        double positiveRankSum = 0;
        long positives = 0, negatives = 0;
        for (var start = 0; start < order.Length;)
        {
            var end = start;
            while (end + 1 < order.Length && scores[order[end + 1]] == scores[order[start]]) end++;
            var averageRank = (start + end) / 2.0 + 1.0; // tied scores share their ranks
            for (var i = start; i <= end; i++)
            {
                if (labels[order[i]]) { positives++; positiveRankSum += averageRank; }
                else negatives++;
            }
            start = end + 1;
        }
        if (positives == 0 || negatives == 0) return null;
        return (positiveRankSum - positives * (positives + 1) / 2.0) / (positives * (double)negatives);
    }

    /// <summary>
    /// Hanley-McNeil's standard error. <paramref name="positives"/> and <paramref name="negatives"/>
    /// should be independent units: we pass distinct customers, not month-end examples, because one
    /// customer's consecutive months are nearly copies of each other and would fake precision.
    /// </summary>
    public static double StandardError(double auc, int positives, int negatives)
    {
        if (positives == 0 || negatives == 0) return double.PositiveInfinity;
        var q1 = auc / (2 - auc);
        var q2 = 2 * auc * auc / (1 + auc);
        var variance = (auc * (1 - auc) + (positives - 1) * (q1 - auc * auc) + (negatives - 1) * (q2 - auc * auc)) / (positives * (double)negatives);
        return Math.Sqrt(Math.Max(variance, 0));
    }
}
