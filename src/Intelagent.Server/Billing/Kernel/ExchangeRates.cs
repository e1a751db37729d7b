namespace Intelagent.Server.Billing.Kernel;

/// <summary>
/// The operator's FX-rate table: how much one unit of a currency is worth in the reporting currency
/// in a month (decisions: "convert with the month's rate"). The financial-metrics module keeps the
/// table; billing uses it to keep the organization's <c>mrr</c> in the reporting currency.
/// </summary>
public interface IExchangeRates
{
    /// <summary>The rate of <paramref name="currency"/> for the month containing <paramref name="at"/> (the latest earlier month's if that month has none); null when unknown.</summary>
    Task<decimal?> RateToReportingAsync(string currency, DateTimeOffset at, CancellationToken cancellationToken);
}

/// <summary>Until the operator keeps rates: the reporting currency converts 1:1, others are unknown.</summary>
public sealed class ReportingCurrencyOnly : IExchangeRates
{
    public Task<decimal?> RateToReportingAsync(string currency, DateTimeOffset at, CancellationToken cancellationToken) =>
        Task.FromResult<decimal?>(currency == Currencies.Reporting ? 1m : null);
}
