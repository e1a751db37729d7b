using Intelagent.Server.Billing.Kernel;
using Intelagent.Server.Billing.Metrics.Engine;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Http;
using Intelagent.Server.Platform.Ids;
using Intelagent.Server.Platform.Problems;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Billing.Metrics;

/// <summary>The operator's own finance tables: costs, cash balances, acquisition spend and FX rates.</summary>
public sealed class FinanceDataService(AppDb db, TimeProvider clock, MetricsCache cache)
{
    public async Task<Result<CostResponse>> AddCostAsync(CreateCostRequest request, CancellationToken cancellationToken)
    {
        var validation = new Validation()
            .When(!Month.TryParse(request.Month, out _), "month", "must be a month as yyyy-MM.")
            .When(!CostCategories.All.Contains(request.Category), "category", "must be compute, storage, bandwidth or other.")
            .RequiredText("product", request.Product, 40)
            .When(request.Amount is not >= 0m, "amount", "is required and must not be negative.")
            .Amount("amount", request.Amount)
            .When(!Currencies.IsSupported(request.Currency), "currency", "must be a supported ISO 4217 code.");
        if (validation.Failed) return validation.ToError();
        if (request.OrganizationId is not null && !await db.Organizations.IgnoreQueryFilters().AnyAsync(o => o.Id == request.OrganizationId, cancellationToken))
            return Error.Validation("organizationId", "names no organization.");
        var now = clock.GetUtcNow();
        var entry = new CostEntry
        {
            Id = Id.New(IdPrefix.CostEntry, clock),
            Month = request.Month!,
            Category = request.Category!,
            Product = request.Product!.Trim(),
            OrganizationId = request.OrganizationId,
            Amount = request.Amount!.Value,
            Currency = request.Currency!,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Set<CostEntry>().Add(entry);
        await db.SaveChangesAsync(cancellationToken);
        cache.Invalidate();
        return ToResponse(entry);
    }

    public async Task<Result<Page<CostResponse>>> CostsAsync(string? month, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        var page = PageRequest.From(limit, cursor);
        if (!page.IsSuccess) return page.Error!;
        if (month is not null && !Month.TryParse(month, out _)) return Error.Validation("month", "must be a month as yyyy-MM.");
        var query = db.Set<CostEntry>().AsNoTracking();
        if (month is not null) query = query.Where(c => c.Month == month);
        return await query.OrderByDescending(c => c.Id).ToPageAsync(page.Value!, (q, after) => q.Where(c => string.Compare(c.Id, after) < 0),
            c => c.Id, ToResponse, cancellationToken);
    }

    private static CostResponse ToResponse(CostEntry c) => new(c.Id, c.Month, c.Category, c.Product, c.OrganizationId, c.Amount, c.Currency, c.CreatedAt);

    public async Task<Result<MonthAmountResponse>> SetCashAsync(string month, SetMonthAmountRequest request, CancellationToken cancellationToken)
    {
        var invalid = CheckMonthAmount(month, request, allowNegative: true);
        if (invalid is not null) return invalid;
        var row = await db.Set<CashBalance>().FirstOrDefaultAsync(c => c.Month == month, cancellationToken);
        if (row is null) db.Set<CashBalance>().Add(row = new CashBalance { Month = month, Currency = request.Currency! });
        (row.Balance, row.Currency, row.UpdatedAt) = (request.Amount!.Value, request.Currency!, clock.GetUtcNow());
        await db.SaveChangesAsync(cancellationToken);
        cache.Invalidate();
        return new MonthAmountResponse(row.Month, row.Balance, row.Currency);
    }

    public async Task<IReadOnlyList<MonthAmountResponse>> CashAsync(CancellationToken cancellationToken) =>
        await db.Set<CashBalance>().AsNoTracking().OrderBy(c => c.Month).Select(c => new MonthAmountResponse(c.Month, c.Balance, c.Currency)).ToListAsync(cancellationToken);

    public async Task<Result<MonthAmountResponse>> SetAcquisitionSpendAsync(string month, SetMonthAmountRequest request, CancellationToken cancellationToken)
    {
        var invalid = CheckMonthAmount(month, request, allowNegative: false);
        if (invalid is not null) return invalid;
        var row = await db.Set<AcquisitionSpend>().FirstOrDefaultAsync(c => c.Month == month && c.Currency == request.Currency, cancellationToken);
        if (row is null) db.Set<AcquisitionSpend>().Add(row = new AcquisitionSpend { Month = month, Currency = request.Currency! });
        (row.Amount, row.UpdatedAt) = (request.Amount!.Value, clock.GetUtcNow());
        await db.SaveChangesAsync(cancellationToken);
        cache.Invalidate();
        return new MonthAmountResponse(row.Month, row.Amount, row.Currency);
    }

    public async Task<IReadOnlyList<MonthAmountResponse>> AcquisitionSpendAsync(CancellationToken cancellationToken) =>
        await db.Set<AcquisitionSpend>().AsNoTracking().OrderBy(c => c.Month).ThenBy(c => c.Currency)
            .Select(c => new MonthAmountResponse(c.Month, c.Amount, c.Currency)).ToListAsync(cancellationToken);

    public async Task<Result<FxRateResponse>> SetRateAsync(string month, string currency, SetFxRateRequest request, CancellationToken cancellationToken)
    {
        var validation = new Validation()
            .When(!Month.TryParse(month, out _), "month", "must be a month as yyyy-MM.")
            .When(!Currencies.IsSupported(currency) || currency == Currencies.Reporting, "currency", $"must be a supported currency other than {Currencies.Reporting}.")
            .When(request.RateToReporting is not > 0m, "rateToReporting", "is required and must be positive.")
            .Amount("rateToReporting", request.RateToReporting);
        if (validation.Failed) return validation.ToError();
        var row = await db.Set<ExchangeRate>().FirstOrDefaultAsync(r => r.Month == month && r.Currency == currency, cancellationToken);
        if (row is null) db.Set<ExchangeRate>().Add(row = new ExchangeRate { Month = month, Currency = currency });
        (row.RateToReporting, row.UpdatedAt) = (request.RateToReporting!.Value, clock.GetUtcNow());
        await db.SaveChangesAsync(cancellationToken);
        cache.Invalidate();
        return new FxRateResponse(row.Month, row.Currency, row.RateToReporting);
    }

    public async Task<IReadOnlyList<FxRateResponse>> RatesAsync(CancellationToken cancellationToken) =>
        await db.Set<ExchangeRate>().AsNoTracking().OrderBy(r => r.Month).ThenBy(r => r.Currency)
            .Select(r => new FxRateResponse(r.Month, r.Currency, r.RateToReporting)).ToListAsync(cancellationToken);

    private static Error? CheckMonthAmount(string month, SetMonthAmountRequest request, bool allowNegative)
    {
        var validation = new Validation()
            .When(!Month.TryParse(month, out _), "month", "must be a month as yyyy-MM.")
            .When(request.Amount is null || (!allowNegative && request.Amount < 0m), "amount", allowNegative ? "is required." : "is required and must not be negative.")
            .Amount("amount", request.Amount)
            .When(!Currencies.IsSupported(request.Currency), "currency", "must be a supported ISO 4217 code.");
        return validation.Failed ? validation.ToError() : null;
    }
}
