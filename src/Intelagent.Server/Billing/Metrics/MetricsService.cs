using Intelagent.Server.Billing.Kernel;
using Intelagent.Server.Billing.Metrics.Engine;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Problems;

namespace Intelagent.Server.Billing.Metrics;

/// <summary>The operator's read side: figures from the cached engine, presented for the API.</summary>
public sealed class MetricsService(AppDb db, MetricsCache cache, TimeProvider clock)
{
    private const int MaxMonths = 120;

    public Month CurrentMonth => Month.Of(clock.GetUtcNow());

    public Task<MetricsEngine> EngineAsync(CancellationToken cancellationToken) => cache.GetAsync(db, CurrentMonth, cancellationToken);

    /// <summary>A month, or a range (default: the twelve months up to the current one).</summary>
    public Result<(Month From, Month To)> Range(string? month, string? from, string? to)
    {
        if (month is not null)
        {
            if (from is not null || to is not null) return Error.Validation("month", "Give either month or from/to, not both.");
            return Month.TryParse(month, out var single) ? (single, single) : Error.Validation("month", "must be a month as yyyy-MM.");
        }
        var end = CurrentMonth;
        if (to is not null && !Month.TryParse(to, out end)) return Error.Validation("to", "must be a month as yyyy-MM.");
        var start = new Month(end.Index - 11);
        if (from is not null && !Month.TryParse(from, out start)) return Error.Validation("from", "must be a month as yyyy-MM.");
        if (start > end) return Error.Validation("from", "must not be after to.");
        if (end.Index - start.Index >= MaxMonths) return Error.Validation("from", $"a range covers at most {MaxMonths} months.");
        return (start, end);
    }

    public async Task<Result<MetricsResponse>> MetricsAsync(string? month, string? from, string? to, bool full, CancellationToken cancellationToken)
    {
        var range = Range(month, from, to);
        if (!range.IsSuccess) return range.Error!;
        var engine = await EngineAsync(cancellationToken);
        var presentation = new Presentation(full);
        var (start, end) = range.Value;
        var months = engine.Figures(start, end).Select(f => presentation.Month(engine, f)).ToList();
        return new MetricsResponse(Currencies.Reporting, start.ToString(), end.ToString(), months, engine.CurrenciesWithoutRate.Order(StringComparer.Ordinal).ToList());
    }

    public async Task<CohortsResponse> CohortsAsync(bool full, CancellationToken cancellationToken)
    {
        var engine = await EngineAsync(cancellationToken);
        var presentation = new Presentation(full);
        return new CohortsResponse(Currencies.Reporting, engine.Cohorts().Select(presentation.Cohort).ToList());
    }

    public async Task<Result<IReadOnlyList<CustomerEconomicsResponse>>> CustomerEconomicsAsync(string? month, int? limit, bool full, CancellationToken cancellationToken)
    {
        var which = CurrentMonth;
        if (month is not null && !Month.TryParse(month, out which)) return Error.Validation("month", "must be a month as yyyy-MM.");
        if (limit is < 1 or > 200) return Error.Validation("limit", "must be between 1 and 200.");
        var engine = await EngineAsync(cancellationToken);
        var presentation = new Presentation(full);
        return engine.CustomerEconomicsOf(which).Take(limit ?? 50)
            .Select(e => new CustomerEconomicsResponse(e.CustomerId, presentation.Money(e.Mrr), presentation.Money(e.DirectCost), presentation.Money(e.AllocatedCost), presentation.Money(e.Margin)))
            .ToList();
    }

    /// <summary>Forecasts from the months that have closed (the current month is still moving).</summary>
    public async Task<ForecastResponse> ForecastAsync(CancellationToken cancellationToken)
    {
        var engine = await EngineAsync(cancellationToken);
        var last = CurrentMonth.Previous;
        var history = last < engine.First ? [] : engine.Figures(engine.First, last).Select(f => f.Mrr).ToList();
        var forecast = Forecasting.Holt(history, last);
        var withCash = last < engine.First ? null : engine.Figures(engine.First, CurrentMonth).LastOrDefault(f => f.Burn is not null);
        var cash = withCash is null ? new CashProjection(null, null, []) : Forecasting.Cash(withCash);
        var p = new Presentation(false);
        return new ForecastResponse(Currencies.Reporting, "holt-linear", forecast.Alpha, forecast.Beta, p.Ratio(forecast.BacktestMape), forecast.BacktestPoints,
            forecast.Points.Select(f => new ForecastPointResponse(f.Month.ToString(), p.Money(f.Mrr), p.Money(f.Lower80), p.Money(f.Upper80), p.Money(f.Lower95), p.Money(f.Upper95))).ToList(),
            withCash?.Month.ToString(), p.Money(cash.MonthlyNetChange), p.Ratio(cash.RunwayMonths),
            cash.Points.Select(c => new CashPointResponse(c.Month.ToString(), p.Money(c.Cash))).ToList());
    }
}
