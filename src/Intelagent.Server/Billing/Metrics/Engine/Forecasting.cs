namespace Intelagent.Server.Billing.Metrics.Engine;

public sealed record ForecastPoint(Month Month, decimal Mrr, decimal Lower80, decimal Upper80, decimal Lower95, decimal Upper95);

public sealed record MrrForecast(decimal Alpha, decimal Beta, decimal? BacktestMape, int BacktestPoints, IReadOnlyList<ForecastPoint> Points);

public sealed record CashPoint(Month Month, decimal Cash);

public sealed record CashProjection(decimal? MonthlyNetChange, decimal? RunwayMonths, IReadOnlyList<CashPoint> Points);

/// <summary>
/// Holt's linear trend method on month-end MRR. The smoothing constants are the pair on a 0.1 grid
/// with the smallest one-step-ahead squared error over history; those one-step-ahead errors are
/// also the backtest (MAPE) and give the residual spread for the prediction intervals, which widen
/// with the horizon as Holt's method's h-step variance does: sigma^2 (1 + sum_{j<h} (alpha (1 + beta j))^2).
/// </summary>
public static class Forecasting
{
    private const double Z80 = 1.2815515655446004;
    private const double Z95 = 1.959963984540054;

    public static MrrForecast Holt(IReadOnlyList<decimal> history, Month lastMonth, int horizon = 12)
    {
        if (history.Count < 3)
        {
            var flat = history.Count == 0 ? 0m : history[^1];
            return new MrrForecast(1m, 0m, null, 0, Enumerable.Range(1, horizon)
                .Select(h => new ForecastPoint(new Month(lastMonth.Index + h), flat, flat, flat, flat, flat)).ToList());
        }
        var best = (Alpha: 0.5m, Beta: 0.1m, Error: decimal.MaxValue);
        for (var a = 1; a <= 9; a++)
            for (var b = 1; b <= 9; b++)
            {
                var run = Run(history, a / 10m, b / 10m);
                var error = run.Residuals.Sum(r => r * r);
                if (error < best.Error) best = (a / 10m, b / 10m, error);
            }
        var fit = Run(history, best.Alpha, best.Beta);
        var sigma = Math.Sqrt(fit.Residuals.Sum(r => (double)(r * r)) / Math.Max(1, fit.Residuals.Count - 2));
        var percentages = fit.Residuals.Select((r, i) => (Residual: r, Actual: history[i + 2])).Where(p => p.Actual != 0m)
            .Select(p => Math.Abs(p.Residual / p.Actual)).ToList();
        var points = new List<ForecastPoint>(horizon);
        for (var h = 1; h <= horizon; h++)
        {
            var mean = fit.Level + h * fit.Trend;
            var variance = 1.0;
            for (var j = 1; j < h; j++) variance += Math.Pow((double)best.Alpha * (1 + (double)best.Beta * j), 2);
            var spread = sigma * Math.Sqrt(variance);
            points.Add(new ForecastPoint(new Month(lastMonth.Index + h), mean,
                mean - (decimal)(Z80 * spread), mean + (decimal)(Z80 * spread), mean - (decimal)(Z95 * spread), mean + (decimal)(Z95 * spread)));
        }
        return new MrrForecast(best.Alpha, best.Beta, percentages.Count == 0 ? null : percentages.Average(), percentages.Count, points);
    }

    /// <summary>Fits from the first two points; residuals are the one-step-ahead errors of points 3..n.</summary>
    private static (decimal Level, decimal Trend, List<decimal> Residuals) Run(IReadOnlyList<decimal> y, decimal alpha, decimal beta)
    {
        var level = y[1];
        var trend = y[1] - y[0];
        var residuals = new List<decimal>(y.Count);
        for (var t = 2; t < y.Count; t++)
        {
            var predicted = level + trend;
            residuals.Add(y[t] - predicted);
            var previous = level;
            level = alpha * y[t] + (1 - alpha) * predicted;
            trend = beta * (level - previous) + (1 - beta) * trend;
        }
        return (level, trend, residuals);
    }

    /// <summary>Cash carried forward by the average monthly change of the last three months (the burn, negated).</summary>
    public static CashProjection Cash(MonthFigures latest, int horizon = 12)
    {
        if (latest.Cash is not { } cash || latest.Burn is not { } burn) return new CashProjection(null, null, []);
        var points = Enumerable.Range(1, horizon).Select(h => new CashPoint(new Month(latest.Month.Index + h), cash - burn * h)).ToList();
        return new CashProjection(-burn, burn > 0m ? cash / burn : null, points);
    }
}
