using Intelagent.Server.Billing.Kernel;
using Intelagent.Server.Billing.Metrics.Engine;
using Intelagent.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Billing.Metrics;

/// <summary>The kernel's <see cref="IExchangeRates"/> over the operator's FX table: the month's rate, else the latest earlier month's.</summary>
public sealed class FxRateTable(AppDb db) : IExchangeRates
{
    public async Task<decimal?> RateToReportingAsync(string currency, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (currency == Currencies.Reporting) return 1m;
        var month = Month.Of(at).ToString();
        // yyyy-MM sorts as text, so "at or before" is a string comparison in both databases.
        var rate = await db.Set<ExchangeRate>().AsNoTracking()
            .Where(r => r.Currency == currency && string.Compare(r.Month, month) <= 0)
            .OrderByDescending(r => r.Month).Select(r => (decimal?)r.RateToReporting).FirstOrDefaultAsync(cancellationToken);
        return rate;
    }
}
