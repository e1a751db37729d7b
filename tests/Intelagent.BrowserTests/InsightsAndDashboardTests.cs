using System.Text.Json;
using Microsoft.Playwright;
using static Intelagent.BrowserTests.PortalPages;

namespace Intelagent.BrowserTests;

/// <summary>The insights page, its question box and the dashboard's live parts, in a real browser.</summary>
[Collection(PortalCollection.Name)]
public sealed class InsightsAndDashboardTests(PortalFixture portal)
{
    // Live changes travel through the outbox (polled every 2 s) and the realtime fan-out: give them time.
    private static readonly LocatorAssertionsToBeVisibleOptions Live = new() { Timeout = 30_000 };

    [Fact]
    public async Task Owner_AskingAQuestion_ShouldSeeTheAnswerItsInterpretationAChartWithTheDataAndTheTable()
    {
        var page = await portal.NewPageAsync();
        await SignInAsync(page, "owner@acme.test", returnPath: "/insights");
        await Assertions.Expect(Heading(page, "Insights")).ToBeVisibleAsync();

        var input = page.GetByLabel("Ask a question about your data");
        await input.FillAsync("How are API calls trending?");
        await input.PressAsync("Enter");

        var answer = page.GetByTestId("answer");
        await Assertions.Expect(answer.GetByTestId("answer-text")).ToContainTextAsync("API calls");
        await Assertions.Expect(answer.GetByTestId("interpreted")).ToContainTextAsync("Api calls");
        await Assertions.Expect(answer.GetByTestId("interpreted")).ToContainTextAsync("Day");
        var chart = answer.GetByTestId("chart").Locator("svg[role=img]");
        await Assertions.Expect(chart).ToHaveAttributeAsync("data-kind", "line");
        // One point per day of the table, carrying the table's value; the demo's usage is not all zero.
        var rows = answer.GetByTestId("answer-table").Locator("tbody tr");
        var points = chart.Locator("circle");
        Assert.True(await rows.CountAsync() >= 28, "a day per row for the past 30 days");
        Assert.Equal(await rows.CountAsync(), await points.CountAsync());
        var values = await points.EvaluateAllAsync<double[]>("nodes => nodes.map(n => Number(n.dataset.value))");
        Assert.Contains(values, v => v > 0);
        var lastRow = await rows.Last.Locator("td").Last.InnerTextAsync();
        Assert.Equal(values[^1], double.Parse(lastRow.Replace(",", ""), System.Globalization.CultureInfo.InvariantCulture));
        Assert.False(string.IsNullOrWhiteSpace(await chart.Locator("title").First.TextContentAsync()));
        await ScreenshotAsync(page, "insights-question");
    }

    [Fact]
    public async Task Owner_ClickingASpecExampleQuestion_ShouldGetAnAnswerWithItsInterpretation()
    {
        var page = await portal.NewPageAsync();
        await SignInAsync(page, "owner@acme.test", returnPath: "/insights");
        await Assertions.Expect(Heading(page, "Insights")).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Group, new() { Name = "Example questions" }).GetByRole(AriaRole.Button, new() { Name = "What's driving our cost increase?" }).ClickAsync();

        var answer = page.GetByTestId("answer");
        await Assertions.Expect(answer.GetByTestId("answer-text")).ToContainTextAsync("What's driving our cost increase?");
        await Assertions.Expect(answer.GetByTestId("answer-text")).ToContainTextAsync("ost");
        await Assertions.Expect(answer.GetByTestId("interpreted")).ToContainTextAsync("Drivers");
        await Assertions.Expect(answer.GetByTestId("interpreted")).ToContainTextAsync("last month");
    }

    [Fact]
    public async Task Member_AskingAboutThePlatformsRevenue_ShouldSeeTheRefusalClearly()
    {
        var page = await portal.NewPageAsync();
        await SignInAsync(page, "member@acme.test", returnPath: "/insights");
        await Assertions.Expect(Heading(page, "Insights")).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Show me revenue growth last quarter" }).ClickAsync();

        var refusal = page.GetByTestId("question-refused");
        await Assertions.Expect(refusal).ToBeVisibleAsync();
        await Assertions.Expect(refusal).ToContainTextAsync("Not allowed");
        await Assertions.Expect(refusal).ToContainTextAsync("platform.finance.read");
        await Assertions.Expect(page.GetByTestId("answer")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Viewer_OnInsights_ShouldReadTheFindingsButBeToldTheyCannotAsk()
    {
        var page = await portal.NewPageAsync();
        await SignInAsync(page, "viewer@acme.test", returnPath: "/insights");
        await Assertions.Expect(Heading(page, "Insights")).ToBeVisibleAsync();

        await Assertions.Expect(page.GetByTestId("question-not-allowed")).ToContainTextAsync("viewer");
        await Assertions.Expect(page.GetByLabel("Ask a question about your data")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByTestId("run-insights")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByTestId("usage-limit-predictions")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task TeamChange_MadeThroughTheApi_ShouldAppearInTheDashboardsActivityFeedWithoutAReload()
    {
        var page = await portal.NewPageAsync();
        var email = $"owner-{Guid.NewGuid():N}"[..20] + "@activity.test";
        var registered = await page.APIRequest.PostAsync("/api/auth/register",
            new() { DataObject = new { email, password = PortalFixture.DemoPassword, name = "Ada Activity", organizationName = "Activity Labs" } });
        Assert.True(registered.Ok, await registered.TextAsync());
        var organizationId = JsonDocument.Parse(await registered.TextAsync()).RootElement.GetProperty("user").GetProperty("organizationId").GetString();
        // Registering set the auth cookie: the sign-in page would only redirect (and race the form), so open the dashboard.
        await page.GotoAsync("/");
        await Assertions.Expect(Heading(page, "Activity Labs")).ToBeVisibleAsync(Live);
        await Assertions.Expect(page.GetByTestId("activity-feed")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("gauge-seats").GetByTestId("gauge-value")).ToContainTextAsync("1 of");
        await page.EvaluateAsync("() => window.__stillTheSamePage = true");

        // A second browser context acts as another client of the API (its own sign-in).
        var other = await portal.NewPageAsync();
        var login = await other.APIRequest.PostAsync("/api/auth/login", new() { DataObject = new { email, password = PortalFixture.DemoPassword } });
        Assert.True(login.Ok, await login.TextAsync());
        var token = JsonDocument.Parse(await login.TextAsync()).RootElement.GetProperty("token").GetString();
        var team = await other.APIRequest.PostAsync($"/api/organizations/{organizationId}/teams",
            new() { DataObject = new { name = "Night Shift" }, Headers = new Dictionary<string, string> { ["Authorization"] = "Bearer " + token } });
        Assert.True(team.Ok, await team.TextAsync());

        var first = page.GetByTestId("activity-feed").GetByTestId("activity-item").First;
        await Assertions.Expect(first.GetByText("Ada Activity created the team Night Shift")).ToBeVisibleAsync(Live);
        Assert.True(await page.EvaluateAsync<bool>("() => window.__stillTheSamePage === true"), "the dashboard reloaded");
        await ScreenshotAsync(page, "dashboard-activity");
    }

    [Theory]
    [InlineData("/insights", "Insights", 1366, 860, "insights")]
    [InlineData("/insights", "Insights", 390, 844, "insights-phone")]
    [InlineData("/", "Acme Support Co", 1366, 860, "dashboard")]
    [InlineData("/", "Acme Support Co", 390, 844, "dashboard-phone")]
    public async Task Page_ForItsOwner_ShouldHaveNoSeriousAccessibilityViolationsAtEachWidth(string path, string heading, int width, int height, string name)
    {
        var page = await portal.NewPageAsync(width, height);
        await SignInAsync(page, "owner@acme.test", returnPath: path);
        await Assertions.Expect(Heading(page, heading)).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Progressbar, new() { Name = "Loading" })).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByTestId("question-input")).ToBeVisibleAsync();
        // With an answer on screen, so its chart and table are checked too.
        await page.GetByRole(AriaRole.Button, new() { Name = "What's driving our cost increase?" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("answer")).ToBeVisibleAsync();
        await Accessibility.AssertNoSeriousViolationsAsync(page, name);
        var overflow = await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > window.innerWidth + 1");
        Assert.False(overflow, $"{name} scrolls sideways at {width}px");
        await ScreenshotAsync(page, name);
    }
}
