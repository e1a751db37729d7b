using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Intelagent.BrowserTests;

/// <summary>Steps the tests share. Pages render only once the Blazor circuit is connected (no
/// prerendering), so waiting for a page's own element is waiting for the circuit.</summary>
public static class PortalPages
{
    /// <summary>Signs in as <paramref name="email"/> from a signed-out context: registering through the API
    /// signs the context in, and the sign-in page sends a signed-in visitor straight on (racing the form).</summary>
    public static async Task SignInAsync(IPage page, string email, string? password = null, string returnPath = "/")
    {
        await page.Context.ClearCookiesAsync();
        await page.GotoAsync("/sign-in?returnUrl=" + Uri.EscapeDataString(returnPath));
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(password ?? PortalFixture.DemoPassword);
        // Enter submits, as a keyboard user would.
        await page.GetByLabel("Password").PressAsync("Enter");
        await page.WaitForURLAsync(new Regex(Regex.Escape(returnPath) + "$"));
    }

    public static ILocator Heading(IPage page, string text) =>
        page.GetByRole(AriaRole.Heading, new() { Name = text, Level = 1 });

    public static async Task ScreenshotAsync(IPage page, string name)
    {
        // Let MudBlazor's transitions settle so the picture shows the page at rest.
        await page.WaitForTimeoutAsync(300);
        foreach (var folder in PortalFixture.ScreenshotFolders)
        {
            Directory.CreateDirectory(folder);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name + ".png"), FullPage = true });
        }
    }
}
