using Intelagent.Server.Billing.Metrics.Engine;

namespace Intelagent.Server.Insights.Predictions;

/// <param name="Origins">Forecast origins tried; each forecasts up to <see cref="Horizon"/> months ahead with only the months before it.</param>
/// <param name="MapeRatio">The forecast's MAPE over seasonal-naive's on the same points: below 1 the forecast is better.</param>
public sealed record ForecastBacktest(
    int Origins, int Horizon, int Points, double? Mape, double Mae, double? SeasonalNaiveMape, double SeasonalNaiveMae, double? MapeRatio, double? MaeRatio);

/// <summary>
/// A rolling-origin backtest of the metrics engine's forecast (Holt's linear trend,
/// <see cref="Forecasting.Holt"/>): at every origin t it is refitted on months 0..t-1 alone and
/// forecasts months t..t+h-1, which are then compared with what happened. The baseline is the
/// seasonal-naive forecast (the same month a year earlier), on exactly the same points. Unlike the
/// engine's in-sample one-step errors this measures what a forecast made then would have missed.
/// </summary>
public static class RevenueBacktest
{
    public const int Season = 12;
    public const int DefaultHorizon = 3;

    /// <summary>Null without a full season plus at least one month to forecast, counted from the first month with revenue.</summary>
    public static ForecastBacktest? Run(IReadOnlyList<decimal> months, int horizon = DefaultHorizon)
    {
        var history = months.SkipWhile(m => m == 0m).ToList();
        if (history.Count <= Season) return null;
        var errors = new List<(double Forecast, double Naive, double Actual)>();
        var origins = 0;
        for (var origin = Season; origin < history.Count; origin++)
        {
            origins++;
            var fit = Forecasting.Holt(history.Take(origin).ToList(), new Month(0), horizon);
            for (var step = 0; step < horizon && origin + step < history.Count; step++)
            {
                var target = origin + step;
                var naive = history[target - Season * (1 + step / Season)];
                errors.Add(((double)fit.Points[step].Mrr, (double)naive, (double)history[target]));
            }
        }
        var withActual = errors.Where(e => e.Actual != 0).ToList();
        double? Mape(Func<(double Forecast, double Naive, double Actual), double> pick) =>
            withActual.Count == 0 ? null : withActual.Average(e => Math.Abs(pick(e) - e.Actual) / Math.Abs(e.Actual));
        var mape = Mape(e => e.Forecast);
        var naiveMape = Mape(e => e.Naive);
        var mae = errors.Average(e => Math.Abs(e.Forecast - e.Actual));
        var naiveMae = errors.Average(e => Math.Abs(e.Naive - e.Actual));
        return new ForecastBacktest(origins, horizon, errors.Count, mape, mae, naiveMape, naiveMae,
            naiveMape > 0 ? mape / naiveMape : null, naiveMae > 0 ? mae / naiveMae : null);
    }
}
