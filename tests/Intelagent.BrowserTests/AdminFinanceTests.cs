using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Intelagent.BrowserTests.PortalPages;

namespace Intelagent.BrowserTests;

/// <summary>
/// The operator's finance, costs and usage pages. The browser suite's server starts without the
/// generated demo finances, so each test imports a small history of its own through the real
/// import endpoint (unique ids, so tests and reruns do not collide) and compares the page with the API.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class AdminFinanceTests(PortalFixture portal)
{
    private const string Operator = "operator@intelagent.test";

    private static string CurrentMonth => DateTime.UtcNow.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    /// <summary>
    /// Three customers from three months ago: "Grow" 100 then 250 a month, "Steady" 80, "Gone" 60 until it
    /// cancels last month; this month "Costly" pays 50 and has 500 of compute booked to it.
    /// </summary>
    private static async Task<string> ImportHistoryAsync(IPage page)
    {
        var prefix = $"bt{Guid.NewGuid():N}"[..10];
        var monthStart = new DateTimeOffset(DateTime.UtcNow.Year, DateTime.UtcNow.Month, 1, 0, 0, 0, TimeSpan.Zero);
        var start = monthStart.AddMonths(-3).AddDays(2);
        object Event(string id, string customer, string type, DateTimeOffset at, decimal amount) => new
        {
            id = $"{prefix}-{id}",
            customerId = $"{prefix}-{customer}",
            subscriptionId = $"{prefix}-{customer}-sub",
            type,
            at,
            product = "chatbot",
            tier = "pro",
            interval = "month",
            amount,
            currency = "USD",
            quantity = 1,
            discountPercent = 0m,
        };
        var file = new
        {
            customers = new[] { "grow", "steady", "gone", "costly" }
                .Select(c => new { id = $"{prefix}-{c}", name = $"{char.ToUpperInvariant(c[0])}{c[1..]} {prefix}", segment = "smb", country = "DE", createdAt = start.AddDays(-30) }),
            subscriptionEvents = new[]
            {
                Event("1", "grow", "start", start, 100m), Event("2", "grow", "change", start.AddMonths(2), 250m),
                Event("3", "steady", "start", start, 80m),
                Event("4", "gone", "start", start, 60m), Event("5", "gone", "cancel", monthStart.AddMonths(-1).AddDays(5), 60m),
                Event("6", "costly", "start", monthStart, 50m),
            },
            costs = new[] { new { month = CurrentMonth, category = "compute", product = "chatbot", customerId = $"{prefix}-costly", amount = 500m, currency = "USD" } },
        };
        var imported = await page.APIRequest.PostAsync("/api/financial/import", new() { DataObject = file });
        Assert.True(imported.Ok, await imported.TextAsync());
        return prefix;
    }

    private static string Usd(decimal amount) => amount.ToString("N2", CultureInfo.InvariantCulture) + " USD";

    [Fact]
    public async Task Operator_OnFinance_ShouldSeeTheApisFiguresWithWaterfallHeatMapAndACsvExport()
    {
        var page = await portal.NewPageAsync();
        await SignInAsync(page, Operator, returnPath: "/admin");
        await ImportHistoryAsync(page);
        var metrics = JsonDocument.Parse(await (await page.APIRequest.GetAsync($"/api/financial/metrics?month={CurrentMonth}")).TextAsync()).RootElement;
        var month = metrics.GetProperty("months")[0];

        await page.GotoAsync("/admin/finance");
        await Assertions.Expect(Heading(page, "Finance")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("kpi-mrr").GetByTestId("kpi-value")).ToHaveTextAsync(Usd(month.GetProperty("mrr").GetDecimal()));
        await Assertions.Expect(page.GetByTestId("kpi-arr").GetByTestId("kpi-value")).ToHaveTextAsync(Usd(month.GetProperty("arr").GetDecimal()));
        await Assertions.Expect(page.GetByTestId("kpi-customers").GetByTestId("kpi-value")).ToHaveTextAsync(month.GetProperty("payingCustomers").GetInt32().ToString("N0", CultureInfo.InvariantCulture));
        Assert.True(month.GetProperty("mrr").GetDecimal() >= 380m, "the imported customers pay 250 + 80 + 50 this month");

        // The waterfall: seven bars, its table ends at the month's MRR.
        await Assertions.Expect(page.GetByTestId("mrr-waterfall").GetByTestId("waterfall-bar")).ToHaveCountAsync(7);
        await Assertions.Expect(page.GetByTestId("movements-table").GetByRole(AriaRole.Row).Filter(new() { HasText = "Ending" }))
            .ToContainTextAsync(Usd(month.GetProperty("mrr").GetDecimal()));
        await Assertions.Expect(page.GetByTestId("mrr-chart")).ToBeVisibleAsync();
        // The heat map is a table with the imported cohort's row, its first month at 100%.
        var cohortLabel = DateTime.UtcNow.AddMonths(-3).ToString("MMM yyyy", CultureInfo.InvariantCulture);
        var cohortRow = page.GetByTestId("cohort-heatmap").GetByRole(AriaRole.Row).Filter(new() { Has = page.GetByRole(AriaRole.Rowheader, new() { Name = cohortLabel }) });
        await Assertions.Expect(cohortRow.GetByRole(AriaRole.Cell).Nth(1)).ToHaveTextAsync("100%");
        await ScreenshotAsync(page, "admin-finance");
        await Accessibility.AssertNoSeriousViolationsAsync(page, "/admin/finance");

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("export-csv").ClickAsync());
        Assert.EndsWith(".csv", download.SuggestedFilename);
        var csv = await File.ReadAllLinesAsync((await download.PathAsync())!);
        Assert.StartsWith("month,mrr,arr,paying_customers,new", csv[0]);
        Assert.Contains(csv, line => line.StartsWith(CurrentMonth + ",", StringComparison.Ordinal));

        await page.SetViewportSizeAsync(390, 844);
        await Assertions.Expect(page.GetByTestId("kpi-mrr")).ToBeVisibleAsync();
        await ScreenshotAsync(page, "admin-finance-phone");
    }

    [Fact]
    public async Task Operator_OnCostsAndOrganizations_ShouldFlagTheLossMakerAndShowTheEnginesMrr()
    {
        var page = await portal.NewPageAsync();
        await SignInAsync(page, Operator, returnPath: "/admin");
        var prefix = await ImportHistoryAsync(page);

        await page.GotoAsync("/admin/costs");
        await Assertions.Expect(Heading(page, "Costs and profitability")).ToBeVisibleAsync();
        var costly = page.GetByTestId("customers-table").GetByRole(AriaRole.Row).Filter(new() { HasText = $"Costly {prefix}" });
        await Assertions.Expect(costly.GetByTestId("loss-flag")).ToContainTextAsync("costs more than it pays");
        await Assertions.Expect(costly.GetByTestId("customer-margin")).ToHaveTextAsync(new Regex(@"^-4\d\d\.\d\d USD$"));
        var steady = page.GetByTestId("customers-table").GetByRole(AriaRole.Row).Filter(new() { HasText = $"Steady {prefix}" });
        await Assertions.Expect(steady.GetByTestId("loss-flag")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByTestId("products-table").GetByRole(AriaRole.Row).Filter(new() { HasText = "chatbot" })).ToBeVisibleAsync();
        await ScreenshotAsync(page, "admin-costs");
        await Accessibility.AssertNoSeriousViolationsAsync(page, "/admin/costs");

        // Imported organizations have no stored MRR: the list shows the finance engine's.
        await page.GotoAsync("/admin");
        await page.GetByLabel("Search by name").FillAsync($"Grow {prefix}");
        var row = page.GetByTestId("organizations-table").GetByRole(AriaRole.Row).Filter(new() { HasText = $"Grow {prefix}" });
        await Assertions.Expect(row.GetByTestId("organization-mrr")).ToHaveTextAsync(Usd(250m));
        await Assertions.Expect(row.GetByTestId("organization-health")).ToContainTextAsync("Healthy");
        await Assertions.Expect(page.GetByTestId("organizations-table").GetByRole(AriaRole.Row)).ToHaveCountAsync(2);

        // Pages: three of the four imported organizations, then "Show more" brings the fourth and goes.
        await page.GotoAsync("/admin?pageSize=3");
        await page.GetByLabel("Search by name").FillAsync(prefix);
        var rows = page.GetByTestId("organizations-table").GetByRole(AriaRole.Row);
        await Assertions.Expect(rows).ToHaveCountAsync(4); // the header and three organizations
        await Assertions.Expect(page.GetByTestId("organizations-shown")).ToContainTextAsync("Showing 3 organizations");
        await page.GetByTestId("organizations-more").ClickAsync();
        await Assertions.Expect(rows).ToHaveCountAsync(5);
        await Assertions.Expect(page.GetByTestId("organizations-more")).ToHaveCountAsync(0);
        foreach (var name in new[] { "Grow", "Steady", "Gone", "Costly" })
            await Assertions.Expect(rows.Filter(new() { HasText = $"{name} {prefix}" })).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task Operator_OnUsage_ShouldSeeEachOrganizationAgainstItsLimits()
    {
        var page = await portal.NewPageAsync();
        await SignInAsync(page, Operator, returnPath: "/admin/usage");

        await Assertions.Expect(Heading(page, "Usage across customers")).ToBeVisibleAsync();
        var acme = page.GetByTestId("usage-table").GetByRole(AriaRole.Row).Filter(new() { HasText = "Acme Support Co" });
        await Assertions.Expect(acme).ToBeVisibleAsync();
        // Acme's seats: its five demo people (and any invitations) against the enterprise limit, as the API counts them.
        var usage = JsonDocument.Parse(await (await page.APIRequest.GetAsync("/api/admin/usage?limit=200")).TextAsync()).RootElement;
        var seats = usage.GetProperty("items").EnumerateArray().First(o => o.GetProperty("name").GetString() == "Acme Support Co").GetProperty("seats");
        await Assertions.Expect(acme).ToContainTextAsync($"{seats.GetProperty("used").GetInt64():N0} of {seats.GetProperty("limit").GetInt64():N0}");
        await Assertions.Expect(page.GetByTestId("near-summary")).ToContainTextAsync("organizations are at 80% or more of a limit");
        await ScreenshotAsync(page, "admin-usage");
        await Accessibility.AssertNoSeriousViolationsAsync(page, "/admin/usage");

        await page.GetByLabel("Search by name").FillAsync("Hooli");
        await Assertions.Expect(page.GetByTestId("usage-table").GetByRole(AriaRole.Row)).ToHaveCountAsync(2);
        await Assertions.Expect(page.GetByTestId("usage-table")).ToContainTextAsync("Hooli Startup");
    }

    [Theory]
    [InlineData("/admin/finance")]
    [InlineData("/admin/costs")]
    [InlineData("/admin/usage")]
    public async Task Owner_OnAnAdminPage_ShouldBeRefusedAndSeeNoFigures(string path)
    {
        var page = await portal.NewPageAsync();
        await SignInAsync(page, "owner@acme.test", returnPath: path);

        await Assertions.Expect(page.GetByTestId("admin-refused")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("kpi-tiles")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByTestId("customers-table")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByTestId("usage-table")).ToHaveCountAsync(0);
        Assert.Equal(403, (await page.APIRequest.GetAsync("/api/financial/export?format=csv")).Status);
    }
}
