namespace Intelagent.Server.Billing.Metrics.Engine;

public sealed partial class MetricsEngine
{
    private static decimal? Ratio(decimal numerator, decimal denominator) => denominator == 0m ? null : numerator / denominator;

    public IEnumerable<MonthFigures> Figures(Month from, Month to)
    {
        for (var month = from; month <= to; month = month.Next) yield return Figures(month);
    }

    public MonthFigures Figures(Month month)
    {
        var m = month.Index - First.Index;
        if (m < 0 || m >= MonthCount) return Empty(month);
        var s = _sums;
        var mrr = s.Units[m] / 12m;
        var startingMrr = m > 0 ? s.Units[m - 1] / 12m : 0m;
        var startingPaying = m > 0 ? s.Paying[m - 1] : 0;
        var movements = new Movements(
            s.NewUnits[m] / 12m, s.NewCount[m], s.ReactivationUnits[m] / 12m, s.ReactivationCount[m],
            s.ExpansionUnits[m] / 12m, s.ExpansionCount[m], s.ContractionUnits[m] / 12m, s.ContractionCount[m],
            s.ChurnUnits[m] / 12m, s.ChurnCount[m]);
        var arpa = Ratio(mrr, s.Paying[m]);
        var cost = _costs[m];
        var grossMargin = Ratio(mrr - cost, mrr);
        var trailing = TrailingChurnRate(m);
        decimal? ltv = arpa is { } a && grossMargin is { } g && trailing is { } t && t != 0m ? a * g / t : null;
        var spend = _acquisition[m];
        var cac = Ratio(spend, s.NewCount[m]);
        decimal? ltvToCac = ltv is { } l && cac is { } c && c != 0m ? l / c : null;
        decimal? newMrrPerCustomer = s.NewCount[m] == 0 ? null : movements.New / s.NewCount[m];
        decimal? payback = cac is { } cc && newMrrPerCustomer is { } n && grossMargin is { } gm && n * gm != 0m ? cc / (n * gm) : null;
        var cash = _cash[m];
        var burn = m >= 3 && _cash[m - 3] is { } before && cash is { } now ? (before - now) / 3m : (decimal?)null;
        decimal? runway = burn is > 0m && cash is { } balance ? balance / burn.Value : null;
        return new MonthFigures(month, mrr, mrr * 12m, startingMrr, s.Paying[m], startingPaying, movements,
            Ratio(mrr - startingMrr, startingMrr), Ratio(s.ChurnCount[m], startingPaying),
            Ratio(movements.Churn + movements.Contraction, startingMrr),
            Ratio(startingMrr + movements.Expansion - movements.Contraction - movements.Churn, startingMrr),
            arpa, cost, grossMargin, trailing, ltv, spend, cac, ltvToCac, payback, cash, burn, runway);
    }

    /// <summary>
    /// A month's movements in the engine's exact unit (12 x MRR): here the identity holds to the last
    /// digit. Monthly figures divide these by 12, which decimal rounds in the 28th significant digit.
    /// </summary>
    public ExactMovements ExactMovementsOf(Month month)
    {
        var m = month.Index - First.Index;
        if (m < 0 || m >= MonthCount) return new ExactMovements(0m, 0m, 0m, 0m, 0m, 0m, 0m);
        var s = _sums;
        return new ExactMovements(m > 0 ? s.Units[m - 1] : 0m, s.Units[m], s.NewUnits[m], s.ReactivationUnits[m], s.ExpansionUnits[m], s.ContractionUnits[m], s.ChurnUnits[m]);
    }

    private MonthFigures Empty(Month month) => new(month, 0m, 0m, 0m, 0, 0, new Movements(0m, 0, 0m, 0, 0m, 0, 0m, 0, 0m, 0),
        null, null, null, null, null, 0m, null, null, null, 0m, null, null, null, null, null, null);

    /// <summary>The mean logo churn rate of months M-2, M-1 and M (decisions), over those of them that have a rate.</summary>
    private decimal? TrailingChurnRate(int m)
    {
        var sum = 0m;
        var count = 0;
        for (var k = Math.Max(1, m - 2); k <= m; k++)
        {
            if (_sums.Paying[k - 1] == 0) continue;
            sum += (decimal)_sums.ChurnCount[k] / _sums.Paying[k - 1];
            count++;
        }
        return count == 0 ? null : sum / count;
    }

    public Breakdown BreakdownOf(Month month)
    {
        var m = month.Index - First.Index;
        return m < 0 || m >= MonthCount ? new Breakdown(month, [], [], [])
            : new Breakdown(month, Items(_sums.Products, m), Items(_sums.Tiers, m), Items(_sums.Segments, m));
    }

    private static List<BreakdownItem> Items(Dimension dimension, int m) => dimension.Keys
        .Select((key, i) => new BreakdownItem(key, dimension.Units[i][m] / 12m, dimension.Customers[i][m]))
        .Where(item => item.Customers != 0)
        .OrderByDescending(item => item.Mrr).ThenBy(item => item.Key, StringComparer.Ordinal)
        .ToList();

    public IReadOnlyList<Cohort> Cohorts() => _sums.Cohorts
        .Where(c => c.Value.Size != 0)
        .OrderBy(c => c.Key)
        .Select(c => new Cohort(new Month(First.Index + c.Key), c.Value.Size, c.Value.InitialUnits / 12m,
            c.Value.Customers.Select(n => Ratio(n, c.Value.Size)).ToList(),
            c.Value.Units.Select(u => Ratio(u, c.Value.InitialUnits)).ToList(),
            c.Value.Customers.ToList(),
            c.Value.Units.Select(u => u / 12m).ToList()))
        .ToList();
}
