using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Http;
using Microsoft.AspNetCore.Mvc;

namespace Intelagent.Server.Billing.Metrics;

/// <summary>The operator's company finance: metrics, cohorts, forecast, import and the tables behind them.</summary>
public static class FinancialMetricsEndpoints
{
    /// <summary>Import files carry years of history; the default 30 MB request limit would refuse them.</summary>
    private const long ImportSizeLimit = 512L * 1024 * 1024;

    public static IEndpointRouteBuilder MapFinancialMetricsEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/financial").WithTags("Financial metrics");
        group.MapGet("/metrics", MetricsAsync).RequirePermission(Permissions.PlatformFinanceRead).WithName("GetFinancialMetrics")
            .WithSummary("Every figure of a month (?month=2026-03) or a range (?from=&to=); ?precision=full keeps every digit").Produces<MetricsResponse>().WithProblems(400, 403);
        group.MapGet("/cohorts", CohortsAsync).RequirePermission(Permissions.PlatformFinanceRead).WithName("GetFinancialCohorts")
            .WithSummary("Customers by first paying month: logo and revenue retention per month since").Produces<CohortsResponse>().WithProblems(403);
        group.MapGet("/customer-economics", CustomerEconomicsAsync).RequirePermission(Permissions.PlatformFinanceRead).WithName("GetCustomerEconomics")
            .WithSummary("Revenue against cost per customer in a month, highest MRR first").Produces<IReadOnlyList<CustomerEconomicsResponse>>().WithProblems(400, 403);
        group.MapGet("/forecast", ForecastAsync).RequirePermission(Permissions.PlatformFinanceRead).WithName("GetFinancialForecast")
            .WithSummary("MRR forecast for 12 months with 80% and 95% intervals, its backtest error, and the cash projection").Produces<ForecastResponse>().WithProblems(403);
        group.MapPost("/import", ImportAsync).RequirePermission(Permissions.PlatformFinanceManage).WithName("ImportFinancialHistory")
            .WithSummary("Load customers, subscription events, costs, cash, acquisition spend and FX rates; all or nothing, idempotent")
            .WithMetadata(new RequestSizeLimitAttribute(ImportSizeLimit)).Accepts<ImportFile>("application/json")
            .Produces<ImportResult>().WithProblems(400, 403, 413, 422);

        group.MapPost("/costs", AddCostAsync).RequirePermission(Permissions.PlatformFinanceManage).WithName("AddCost")
            .WithSummary("Record an infrastructure cost (compute, storage, bandwidth, other) per product, optionally per customer").Produces<CostResponse>(201).WithProblems(400, 403);
        group.MapPost("/cost-alerts", async (CostAlertRequest request, CostAlertService alerts, CancellationToken ct) =>
                (await alerts.CreateAsync(request, ct)).ToHttp(a => TypedResults.Created($"/api/financial/cost-alerts/{a.Id}", a)))
            .RequirePermission(Permissions.PlatformFinanceManage).WithName("CreateCostAlert")
            .WithSummary("Alert operators (by email) when a month's cost passes an amount or rises by a percent").Produces<CostAlertResponse>(201).WithProblems(400, 403, 422);
        group.MapGet("/cost-alerts", async (CostAlertService alerts, CancellationToken ct) => TypedResults.Ok(await alerts.ListAsync(ct)))
            .RequirePermission(Permissions.PlatformFinanceRead).WithName("ListCostAlerts").Produces<IReadOnlyList<CostAlertResponse>>().WithProblems(403);
        group.MapDelete("/cost-alerts/{alertId}", async (string alertId, CostAlertService alerts, CancellationToken ct) => (await alerts.DeleteAsync(alertId, ct)).ToHttp(_ => TypedResults.NoContent()))
            .RequirePermission(Permissions.PlatformFinanceManage).WithName("DeleteCostAlert").Produces(204).WithProblems(403, 404);
        group.MapGet("/cost-alerts/firings", async (CostAlertService alerts, CancellationToken ct) => TypedResults.Ok(await alerts.FiringsAsync(ct)))
            .RequirePermission(Permissions.PlatformFinanceRead).WithName("ListCostAlertFirings").Produces<IReadOnlyList<CostAlertFiringResponse>>().WithProblems(403);
        group.MapGet("/costs", CostsAsync).RequirePermission(Permissions.PlatformFinanceRead).WithName("ListCosts")
            .Produces<Page<CostResponse>>().WithProblems(400, 403);
        group.MapPut("/cash/{month}", SetCashAsync).RequirePermission(Permissions.PlatformFinanceManage).WithName("SetCashBalance")
            .WithSummary("The company's cash at the end of a month").Produces<MonthAmountResponse>().WithProblems(400, 403);
        group.MapGet("/cash", CashAsync).RequirePermission(Permissions.PlatformFinanceRead).WithName("ListCashBalances").Produces<IReadOnlyList<MonthAmountResponse>>().WithProblems(403);
        group.MapPut("/acquisition-spend/{month}", SetSpendAsync).RequirePermission(Permissions.PlatformFinanceManage).WithName("SetAcquisitionSpend")
            .WithSummary("Sales and marketing spend of a month, in one currency").Produces<MonthAmountResponse>().WithProblems(400, 403);
        group.MapGet("/acquisition-spend", SpendAsync).RequirePermission(Permissions.PlatformFinanceRead).WithName("ListAcquisitionSpend").Produces<IReadOnlyList<MonthAmountResponse>>().WithProblems(403);
        group.MapPut("/fx-rates/{month}/{currency}", SetRateAsync).RequirePermission(Permissions.PlatformFinanceManage).WithName("SetFxRate")
            .WithSummary("One unit of the currency in the reporting currency, for a month").Produces<FxRateResponse>().WithProblems(400, 403);
        group.MapGet("/fx-rates", RatesAsync).RequirePermission(Permissions.PlatformFinanceRead).WithName("ListFxRates").Produces<IReadOnlyList<FxRateResponse>>().WithProblems(403);
        group.MapGet("/export", ExportAsync).RequirePermission(Permissions.PlatformFinanceRead).WithName("ExportFinancialMetrics")
            .WithSummary("The company's figures for a month or range as CSV or PDF (?format=csv|pdf&from=&to=)").Produces(200, contentType: "text/csv", additionalContentTypes: ["application/pdf"]).WithProblems(400, 403);
        group.MapGet("/reports", ReportsAsync).RequirePermission(Permissions.PlatformFinanceRead).WithName("ListFinancialReports")
            .WithSummary("The monthly reports the job generated and kept, newest first").Produces<IReadOnlyList<FinancialReportResponse>>().WithProblems(403);
        group.MapGet("/reports/{reportId}", ReportAsync).RequirePermission(Permissions.PlatformFinanceRead).WithName("DownloadFinancialReport")
            .WithSummary("One kept report (?format=pdf|csv)").Produces(200, contentType: "application/pdf", additionalContentTypes: ["text/csv"]).WithProblems(400, 403, 404);
        return app;
    }

    private static async Task<IResult> ExportAsync(string? format, string? month, string? from, string? to, MetricsService metrics, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (format is not ("csv" or "pdf" or null)) return Platform.Problems.Error.Validation("format", "must be csv or pdf.").ToResult();
        var result = await metrics.MetricsAsync(month, from, to, full: false, cancellationToken);
        if (!result.IsSuccess) return result.Error!.ToResult();
        var name = $"financial-{result.Value!.From}-{result.Value.To}";
        return format == "pdf"
            ? TypedResults.File(FinancialDocuments.Pdf(result.Value.Months, clock.GetUtcNow()), "application/pdf", name + ".pdf")
            : TypedResults.File(System.Text.Encoding.UTF8.GetBytes(FinancialDocuments.Csv(result.Value.Months)), "text/csv", name + ".csv");
    }

    private static async Task<IResult> ReportsAsync(Platform.Data.AppDb db, CancellationToken cancellationToken) =>
        TypedResults.Ok((await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.ToListAsync(
            db.Set<FinancialReport>().OrderByDescending(r => r.Month).Select(r => new { r.Id, r.Month, r.CreatedAt }), cancellationToken))
            .Select(r => new FinancialReportResponse(r.Id, r.Month, r.CreatedAt, $"/api/financial/reports/{r.Id}?format=pdf", $"/api/financial/reports/{r.Id}?format=csv")).ToList());

    private static async Task<IResult> ReportAsync(string reportId, string? format, Platform.Data.AppDb db, CancellationToken cancellationToken)
    {
        if (format is not ("csv" or "pdf" or null)) return Platform.Problems.Error.Validation("format", "must be csv or pdf.").ToResult();
        var report = await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.FirstOrDefaultAsync(db.Set<FinancialReport>(), r => r.Id == reportId, cancellationToken);
        if (report is null) return Platform.Problems.Error.NotFound("report").ToResult();
        return format == "csv"
            ? TypedResults.File(System.Text.Encoding.UTF8.GetBytes(report.Csv), "text/csv", $"financial-report-{report.Month}.csv")
            : TypedResults.File(report.Pdf, "application/pdf", $"financial-report-{report.Month}.pdf");
    }

    private static bool Full(string? precision) => string.Equals(precision, "full", StringComparison.OrdinalIgnoreCase);

    private static async Task<IResult> MetricsAsync(string? month, string? from, string? to, string? precision, MetricsService metrics, CancellationToken cancellationToken) =>
        (await metrics.MetricsAsync(month, from, to, Full(precision), cancellationToken)).ToHttp(TypedResults.Ok);

    private static async Task<IResult> CohortsAsync(string? precision, MetricsService metrics, CancellationToken cancellationToken) =>
        TypedResults.Ok(await metrics.CohortsAsync(Full(precision), cancellationToken));

    private static async Task<IResult> CustomerEconomicsAsync(string? month, int? limit, string? precision, MetricsService metrics, CancellationToken cancellationToken) =>
        (await metrics.CustomerEconomicsAsync(month, limit, Full(precision), cancellationToken)).ToHttp(TypedResults.Ok);

    private static async Task<IResult> ForecastAsync(MetricsService metrics, CancellationToken cancellationToken) =>
        TypedResults.Ok(await metrics.ForecastAsync(cancellationToken));

    private static async Task<IResult> ImportAsync(HttpRequest request, ImportService import, CostAlertService alerts, CancellationToken cancellationToken)
    {
        var result = await import.ImportAsync(request.Body, cancellationToken);
        if (result.IsSuccess) await alerts.CheckAsync(cancellationToken);
        return result.ToHttp(TypedResults.Ok);
    }

    private static async Task<IResult> AddCostAsync(CreateCostRequest request, FinanceDataService data, CostAlertService alerts, CancellationToken cancellationToken)
    {
        var result = await data.AddCostAsync(request, cancellationToken);
        if (result.IsSuccess) await alerts.CheckAsync(cancellationToken);
        return result.ToHttp(c => TypedResults.Created($"/api/financial/costs?month={c.Month}", c));
    }

    private static async Task<IResult> CostsAsync(string? month, int? limit, string? cursor, FinanceDataService data, CancellationToken cancellationToken) =>
        (await data.CostsAsync(month, limit, cursor, cancellationToken)).ToHttp(TypedResults.Ok);

    private static async Task<IResult> SetCashAsync(string month, SetMonthAmountRequest request, FinanceDataService data, CancellationToken cancellationToken) =>
        (await data.SetCashAsync(month, request, cancellationToken)).ToHttp(TypedResults.Ok);

    private static async Task<IResult> CashAsync(FinanceDataService data, CancellationToken cancellationToken) => TypedResults.Ok(await data.CashAsync(cancellationToken));

    private static async Task<IResult> SetSpendAsync(string month, SetMonthAmountRequest request, FinanceDataService data, CancellationToken cancellationToken) =>
        (await data.SetAcquisitionSpendAsync(month, request, cancellationToken)).ToHttp(TypedResults.Ok);

    private static async Task<IResult> SpendAsync(FinanceDataService data, CancellationToken cancellationToken) => TypedResults.Ok(await data.AcquisitionSpendAsync(cancellationToken));

    private static async Task<IResult> SetRateAsync(string month, string currency, SetFxRateRequest request, FinanceDataService data, CancellationToken cancellationToken) =>
        (await data.SetRateAsync(month, currency, request, cancellationToken)).ToHttp(TypedResults.Ok);

    private static async Task<IResult> RatesAsync(FinanceDataService data, CancellationToken cancellationToken) => TypedResults.Ok(await data.RatesAsync(cancellationToken));
}
