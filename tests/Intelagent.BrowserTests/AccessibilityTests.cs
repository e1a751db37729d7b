using Microsoft.Playwright;
using static Intelagent.BrowserTests.PortalPages;

namespace Intelagent.BrowserTests;

/// <summary>axe-core finds no serious or critical violation on each main page, signed in as who uses it.</summary>
[Collection(PortalCollection.Name)]
public sealed class AccessibilityTests(PortalFixture portal)
{
    [Theory]
    [InlineData("/", "Initech Leads")]
    [InlineData("/teams", "Teams")]
    [InlineData("/members", "Members")]
    [InlineData("/projects", "Projects")]
    [InlineData("/billing", "Billing")]
    [InlineData("/usage", "Usage")]
    [InlineData("/security", "Security")]
    public async Task CustomerPage_ForItsOwner_ShouldHaveNoSeriousAccessibilityViolations(string path, string heading)
    {
        var page = await portal.NewPageAsync();
        await SignInAsync(page, "owner@initech.test", returnPath: path);
        await Assertions.Expect(Heading(page, heading)).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Progressbar, new() { Name = "Loading" })).ToHaveCountAsync(0);
        await Accessibility.AssertNoSeriousViolationsAsync(page, path);
    }

    [Theory]
    [InlineData("/admin", "Organizations")]
    public async Task AdminPage_ForTheOperator_ShouldHaveNoSeriousAccessibilityViolations(string path, string heading)
    {
        var page = await portal.NewPageAsync();
        await SignInAsync(page, "operator@intelagent.test", returnPath: path);
        await Assertions.Expect(Heading(page, heading)).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Progressbar, new() { Name = "Loading" })).ToHaveCountAsync(0);
        await Accessibility.AssertNoSeriousViolationsAsync(page, path);
    }

    [Fact]
    public async Task SignInPage_ShouldHaveNoSeriousAccessibilityViolations()
    {
        var page = await portal.NewPageAsync();
        await page.GotoAsync("/sign-in");
        await Assertions.Expect(page.GetByLabel("Email")).ToBeVisibleAsync();
        await Accessibility.AssertNoSeriousViolationsAsync(page, "/sign-in");
    }
}
