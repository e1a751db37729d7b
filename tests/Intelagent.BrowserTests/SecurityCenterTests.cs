using Microsoft.Playwright;
using static Intelagent.BrowserTests.PortalPages;

namespace Intelagent.BrowserTests;

[Collection(PortalCollection.Name)]
public sealed class SecurityCenterTests(PortalFixture portal)
{
    [Fact]
    public async Task Owner_OnSecurity_ShouldSeeTheScoreCreateAndRevokeAKeyAndExportTheAuditTrail()
    {
        var page = await portal.NewPageAsync();
        await SignInAsync(page, "owner@initech.test", returnPath: "/security");

        await Assertions.Expect(Heading(page, "Security")).ToBeVisibleAsync();
        var score = int.Parse(await page.GetByTestId("score-value").InnerTextAsync());
        Assert.InRange(score, 0, 100);
        await Assertions.Expect(page.GetByTestId("score-categories")).ToContainTextAsync("Authentication");

        var name = "CI key " + Guid.NewGuid().ToString("N")[..6];
        await page.GetByLabel("Key name").FillAsync(name);
        await page.GetByTestId("create-key").ClickAsync();
        await Assertions.Expect(page.GetByTestId("new-key-secret")).ToContainTextAsync("ik_");
        var secret = await page.GetByTestId("new-key-secret").InnerTextAsync();
        var keyRow = page.GetByTestId("api-keys").GetByRole(AriaRole.Row).Filter(new() { HasText = name });
        await Assertions.Expect(keyRow).ToContainTextAsync("active");

        // The secret shown once is a working key for this organization's usage.
        var usage = await page.APIRequest.GetAsync("/api/usage", new() { Headers = new Dictionary<string, string> { ["Authorization"] = "Bearer " + secret } });
        Assert.Equal(200, usage.Status);
        await ScreenshotAsync(page, "security");

        await keyRow.GetByRole(AriaRole.Button, new() { Name = "Revoke " + name }).ClickAsync();
        await Assertions.Expect(page.GetByText($"Key {name} revoked.")).ToBeVisibleAsync();
        await Assertions.Expect(keyRow).ToContainTextAsync("revoked");

        await page.GetByLabel("Action (exact, or a prefix ending in .)").FillAsync("api_key.");
        await page.GetByTestId("audit-filter").ClickAsync();
        await Assertions.Expect(page.GetByTestId("audit-log")).ToContainTextAsync("api_key.revoked");

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("audit-export-csv").ClickAsync());
        Assert.EndsWith(".csv", download.SuggestedFilename);
        var csv = await File.ReadAllTextAsync((await download.PathAsync())!);
        Assert.Contains("api_key.revoked", csv);
        Assert.DoesNotContain("team.", csv); // the filter travelled with the export
    }
}
