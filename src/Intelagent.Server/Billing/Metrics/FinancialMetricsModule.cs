using Intelagent.Server.Billing.Kernel;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Intelagent.Server.Billing.Metrics;

public static class FinancialMetricsModule
{
    public static IServiceCollection AddFinancialMetrics(this IServiceCollection services)
    {
        services.AddSingleton<MetricsCache>();
        services.AddScoped<MetricsService>();
        services.AddScoped<ImportService>();
        services.AddScoped<FinanceDataService>();
        services.AddScoped<FinancialReportService>();
        services.AddScoped<CostAlertService>();
        // The operator's FX table replaces the kernel's reporting-currency-only default.
        services.Replace(ServiceDescriptor.Scoped<IExchangeRates, FxRateTable>());
        return services;
    }

    public static IEndpointRouteBuilder MapFinancialMetrics(this IEndpointRouteBuilder app) => app.MapFinancialMetricsEndpoints();
}
