using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Intelagent.BrowserTests.PortalPages;

namespace Intelagent.BrowserTests;

[Collection(PortalCollection.Name)]
public sealed class BillingAndUsageTests(PortalFixture portal)
{
    [Fact]
    public async Task Owner_ChangingPlan_ShouldSeeTheProrationPreviewThenTheNewPlanAndItsInvoicePdf()
    {
        var page = await portal.NewPageAsync();
        var email = $"owner-{Guid.NewGuid():N}"[..20] + "@billing.test";
        var registered = await page.APIRequest.PostAsync("/api/auth/register",
            new() { DataObject = new { email, password = PortalFixture.DemoPassword, name = "Bea Billing", organizationName = "Billing Labs" } });
        Assert.True(registered.Ok, await registered.TextAsync());
        var plans = JsonDocument.Parse(await (await page.APIRequest.GetAsync("/api/financial/plans?product=platform")).TextAsync()).RootElement;
        string PlanId(string tier) => plans.EnumerateArray().First(p => p.GetProperty("tier").GetString()!.Equals(tier, StringComparison.OrdinalIgnoreCase)
            && p.GetProperty("interval").GetString()!.Equals("month", StringComparison.OrdinalIgnoreCase)).GetProperty("id").GetString()!;
        string PlanName(string tier) => plans.EnumerateArray().First(p => p.GetProperty("id").GetString() == PlanId(tier)).GetProperty("name").GetString()!;
        var subscribed = await page.APIRequest.PostAsync("/api/financial/subscriptions", new() { DataObject = new { planId = PlanId("basic"), skipTrial = true } });
        Assert.True(subscribed.Ok, await subscribed.TextAsync());

        await SignInAsync(page, email, returnPath: "/billing");
        await Assertions.Expect(Heading(page, "Billing")).ToBeVisibleAsync();
        var subscriptions = page.GetByTestId("subscriptions");
        await Assertions.Expect(subscriptions).ToContainTextAsync(PlanName("basic"));

        await subscriptions.GetByTestId("change-plan").ClickAsync();
        await page.GetByTestId("new-plan").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { NameRegex = new Regex("^" + Regex.Escape(PlanName("pro")) + @" \(\d") }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("proration-total")).ToContainTextAsync("USD");
        await ScreenshotAsync(page, "billing-plan-change");
        await page.GetByTestId("confirm-change").ClickAsync();

        await Assertions.Expect(page.GetByText("Plan changed.")).ToBeVisibleAsync();
        await Assertions.Expect(subscriptions).ToContainTextAsync(PlanName("pro"));
        var invoices = page.GetByTestId("invoices");
        await Assertions.Expect(invoices.GetByRole(AriaRole.Row)).Not.ToHaveCountAsync(1);
        var pdfLink = invoices.GetByRole(AriaRole.Link).First;
        var pdf = await page.APIRequest.GetAsync((await pdfLink.GetAttributeAsync("href"))!);
        Assert.Equal("application/pdf", pdf.Headers["content-type"]);
        Assert.Equal("%PDF", System.Text.Encoding.ASCII.GetString((await pdf.BodyAsync())[..4]));
        await ScreenshotAsync(page, "billing");
    }

    [Fact]
    public async Task Admin_OnUsage_ShouldSeeTheMetersAndAddThenDeleteAnAlert()
    {
        var page = await portal.NewPageAsync();
        await SignInAsync(page, "admin@globex.test", returnPath: "/usage");

        await Assertions.Expect(Heading(page, "Usage")).ToBeVisibleAsync();
        foreach (var meter in new[] { "api-calls", "bandwidth", "storage", "seats", "projects" })
            await Assertions.Expect(page.GetByTestId("meter-" + meter).GetByTestId("meter-value")).ToContainTextAsync("of");
        // The demo organization's members fill some of its seats; the share shown is the API's ratio as a percentage.
        var seats = Regex.Match(await page.GetByTestId("meter-seats").GetByTestId("meter-value").InnerTextAsync(), @"^(\d+) of (\d+)");
        var expected = Math.Round(100m * int.Parse(seats.Groups[1].Value) / int.Parse(seats.Groups[2].Value), MidpointRounding.AwayFromZero);
        Assert.True(expected > 0);
        await Assertions.Expect(page.GetByTestId("meter-seats").GetByTestId("meter-percent")).ToHaveTextAsync($"{expected}% of the limit");

        await page.GetByLabel("Percent of the limit").FillAsync("75");
        await page.GetByTestId("add-alert").ClickAsync();
        await Assertions.Expect(page.GetByText("Alert added: API calls per day at 75%.")).ToBeVisibleAsync();
        var alerts = page.GetByTestId("usage-alerts");
        await Assertions.Expect(alerts).ToContainTextAsync("75% of the limit");
        await ScreenshotAsync(page, "usage");

        await alerts.GetByRole(AriaRole.Button, new() { Name = "Delete the API calls per day alert" }).ClickAsync();
        await Assertions.Expect(page.GetByText("Alert deleted.")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("alerts-empty")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Viewer_OnUsage_ShouldSeeTheMetersWithoutTheAlertForm()
    {
        var page = await portal.NewPageAsync();
        await SignInAsync(page, "viewer@acme.test", returnPath: "/usage");

        await Assertions.Expect(page.GetByTestId("meter-api-calls")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("add-alert")).ToHaveCountAsync(0);
    }
}
