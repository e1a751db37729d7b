using static Intelagent.Server.Platform.Authorization.Permissions;
using static Intelagent.Tests.Isolation.RowBuilder;

namespace Intelagent.Tests.Isolation;

/// <summary>The operator's company finance: every route is operator-only, tenants get 403.</summary>
public static class FinanceRows
{
    public static readonly Row[] All =
    [
        R(Get, "/api/financial/metrics", PlatformFinanceRead, _ => "/api/financial/metrics?month=2026-03"),
        R(Get, "/api/financial/cohorts", PlatformFinanceRead, _ => "/api/financial/cohorts"),
        R(Get, "/api/financial/customer-economics", PlatformFinanceRead, _ => "/api/financial/customer-economics?month=2026-03"),
        R(Get, "/api/financial/forecast", PlatformFinanceRead, _ => "/api/financial/forecast"),
        R(Post, "/api/financial/import", PlatformFinanceManage, _ => "/api/financial/import", _ => new { fxRates = new[] { new { month = "2020-01", currency = "CHF", rateToReporting = 1.1m } } }),
        R(Post, "/api/financial/costs", PlatformFinanceManage, _ => "/api/financial/costs", _ => new { month = "2020-01", category = "other", product = "chatbot", amount = 1m, currency = "USD" }),
        R(Get, "/api/financial/costs", PlatformFinanceRead, _ => "/api/financial/costs"),
        R(Post, "/api/financial/cost-alerts", PlatformFinanceManage, _ => "/api/financial/cost-alerts", _ => new { kind = "threshold", amount = 1000000m }),
        R(Get, "/api/financial/cost-alerts", PlatformFinanceRead, _ => "/api/financial/cost-alerts"),
        R(Delete, "/api/financial/cost-alerts/{alertId}", PlatformFinanceManage, _ => "/api/financial/cost-alerts/calrt_01jd3k0000000000000000000")
            with { Overrides = new Dictionary<Caller, int> { [Caller.Operator] = 404 } },
        R(Get, "/api/financial/cost-alerts/firings", PlatformFinanceRead, _ => "/api/financial/cost-alerts/firings"),
        R(Put, "/api/financial/cash/{month}", PlatformFinanceManage, _ => "/api/financial/cash/2020-01", _ => new { amount = 1000m, currency = "USD" }),
        R(Get, "/api/financial/cash", PlatformFinanceRead, _ => "/api/financial/cash"),
        R(Put, "/api/financial/acquisition-spend/{month}", PlatformFinanceManage, _ => "/api/financial/acquisition-spend/2020-01", _ => new { amount = 10m, currency = "USD" }),
        R(Get, "/api/financial/acquisition-spend", PlatformFinanceRead, _ => "/api/financial/acquisition-spend"),
        R(Put, "/api/financial/fx-rates/{month}/{currency}", PlatformFinanceManage, _ => "/api/financial/fx-rates/2020-01/JPY", _ => new { rateToReporting = 0.0067m }),
        R(Get, "/api/financial/fx-rates", PlatformFinanceRead, _ => "/api/financial/fx-rates"),
        R(Get, "/api/financial/export", PlatformFinanceRead, _ => "/api/financial/export?format=csv&month=2026-03"),
        R(Get, "/api/financial/reports", PlatformFinanceRead, _ => "/api/financial/reports"),
        // No report exists in the matrix's database: past authorization the operator gets the report's 404.
        R(Get, "/api/financial/reports/{reportId}", PlatformFinanceRead, _ => "/api/financial/reports/frep_00000000000000000000000000")
            with { Overrides = new Dictionary<Caller, int> { [Caller.Operator] = 404 } },
    ];
}
