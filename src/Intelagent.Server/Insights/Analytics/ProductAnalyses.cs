using System.Globalization;

namespace Intelagent.Server.Insights.Analytics;

/// <summary>Sends and engaged messages (opened or clicked) of one weekday-hour of send time (ISO weekday, UTC hour).</summary>
public sealed record SendCell(int Weekday, int Hour, long Sent, long Engaged)
{
    public double Rate => Sent == 0 ? 0 : (double)Engaged / Sent;

    public string Key => $"{Weekday}-{Hour}";

    public string Label => $"{CultureInfo.InvariantCulture.DateTimeFormat.GetDayName((DayOfWeek)(Weekday % 7))} {Clock(Hour)} UTC";

    private static string Clock(int hour) => hour switch { 0 => "12am", < 12 => $"{hour}am", 12 => "12pm", _ => $"{hour - 12}pm" };
}

public sealed record SendTimeFinding(SendCell Best, double RestRate, double Lift, double AdjustedP, int CellsTested, long TotalSent);

public sealed record ProportionFinding(long Successes1, long Trials1, long Successes2, long Trials2, double Z, double P)
{
    public double Rate1 => (double)Successes1 / Trials1;
    public double Rate2 => (double)Successes2 / Trials2;
}

/// <summary>The statistical cores of the product-event detectors: pure functions, so they can be measured on thousands of simulated data sets.</summary>
public static class ProductAnalyses
{
    /// <summary>A cell is tested only with this many sends: below it the normal approximation is poor and the cell cannot reach significance anyway.</summary>
    public const int MinSendsPerCell = 50;
    public const int MinGroupSize = 30;

    /// <summary>
    /// Each cell's engagement against all other cells' (two-proportion z-test), Holm-adjusted across
    /// every tested cell; the claim is the significant cell with the largest positive lift, or none.
    /// </summary>
    public static SendTimeFinding? BestSendTime(IReadOnlyList<SendCell> cells, double familyAlpha)
    {
        var tested = cells.Where(c => c.Sent >= MinSendsPerCell).ToList();
        if (tested.Count < 2) return null;
        var totalSent = tested.Sum(c => c.Sent);
        var totalEngaged = tested.Sum(c => c.Engaged);
        var tests = tested.Select(c => Statistics.TwoProportion(c.Engaged, c.Sent, totalEngaged - c.Engaged, totalSent - c.Sent)).ToList();
        var adjusted = Statistics.Holm(tests.Select(t => t.P).ToList());
        SendTimeFinding? best = null;
        for (var i = 0; i < tested.Count; i++)
        {
            if (adjusted[i] >= familyAlpha || tests[i].Z <= 0) continue;
            var rest = (double)(totalEngaged - tested[i].Engaged) / (totalSent - tested[i].Sent);
            if (rest <= 0) continue;
            var lift = tested[i].Rate / rest - 1;
            if (best is null || lift > best.Lift) best = new SendTimeFinding(tested[i], rest, lift, adjusted[i], tested.Count, totalSent);
        }
        return best;
    }

    /// <summary>Response rate of one group against another (two-sided two-proportion test); a claim only at p below alpha with both groups large enough.</summary>
    public static ProportionFinding? CompareRates(long successes1, long trials1, long successes2, long trials2, double alpha)
    {
        if (trials1 < MinGroupSize || trials2 < MinGroupSize) return null;
        var (z, p) = Statistics.TwoProportion(successes1, trials1, successes2, trials2);
        return p < alpha ? new ProportionFinding(successes1, trials1, successes2, trials2, z, p) : null;
    }
}
