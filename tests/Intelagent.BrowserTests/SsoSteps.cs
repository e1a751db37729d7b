using System.Text.Json;
using Microsoft.Playwright;

namespace Intelagent.BrowserTests;

/// <summary>Steps the single sign-on tests share: a fresh owner, the connection as the API reads it, a proven domain.</summary>
public static class SsoSteps
{
    /// <summary>Registers a fresh owner and organization through the API, signed out again; returns the email and the organization's name.</summary>
    public static async Task<(string Email, string Organization)> RegisterAsync(IPage page)
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var email = $"owner-{suffix}@sso-owner.test";
        var organization = $"Federated {suffix}";
        var registered = await page.APIRequest.PostAsync("/api/auth/register",
            new() { DataObject = new { email, password = PortalFixture.DemoPassword, name = "Olive Owner", organizationName = organization } });
        Assert.True(registered.Ok, await registered.TextAsync());
        // Registering signs the context in, and the sign-in page sends a signed-in visitor straight on: the test signs in itself.
        await page.Context.ClearCookiesAsync();
        return (email, organization);
    }

    public static async Task<JsonElement> SsoConnectionAsync(IPage page)
    {
        var response = await page.APIRequest.GetAsync("/api/security/sso");
        Assert.True(response.Ok, await response.TextAsync());
        return JsonDocument.Parse(await response.TextAsync()).RootElement;
    }

    public static string NewDomain() => $"sso-{Guid.NewGuid():N}"[..16] + ".test";

    /// <summary>On the Single sign-on tab: claims <paramref name="domain"/>, publishes its TXT record in the server's DNS and verifies it.</summary>
    public static async Task ClaimAndVerifyDomainAsync(IPage owner, TestDnsServer dns, string domain)
    {
        await owner.GetByLabel("Domain to claim").FillAsync(domain);
        await owner.GetByLabel("Domain to claim").PressAsync("Enter");
        var claimed = owner.GetByTestId($"sso-domain-{domain}");
        await Assertions.Expect(claimed.GetByTestId("sso-domain-status")).ToHaveTextAsync("not verified");
        dns.Publish(await owner.GetByLabel($"TXT record name for {domain}", new() { Exact = true }).InputValueAsync(),
            await owner.GetByLabel($"TXT record value for {domain}", new() { Exact = true }).InputValueAsync());
        await claimed.GetByRole(AriaRole.Button, new() { Name = $"Verify {domain}" }).ClickAsync();
        await Assertions.Expect(claimed.GetByTestId("sso-domain-status")).ToHaveTextAsync("verified");
    }

    /// <summary>Switches the saved connection on and waits until the API reads it enabled.</summary>
    public static async Task EnableAsync(IPage owner)
    {
        Assert.False((await SsoConnectionAsync(owner)).GetProperty("enabled").GetBoolean());
        await owner.GetByLabel("Enabled: people of the verified domains can sign in through it").CheckAsync();
        await owner.GetByTestId("sso-save").ClickAsync();
        await WaitUntilAsync(async () => (await SsoConnectionAsync(owner)).GetProperty("enabled").GetBoolean(), "the connection to be enabled");
        await Assertions.Expect(owner.GetByRole(AriaRole.Progressbar, new() { Name = "Loading single sign-on" })).ToHaveCountAsync(0);
    }

    /// <summary>From a signed-out page: the sign-in page's SSO step with <paramref name="email"/>, which leaves for the identity provider.</summary>
    public static async Task StartSsoAsync(IPage page, string email)
    {
        await page.GotoAsync("/sign-in");
        await page.GetByTestId("use-sso").ClickAsync();
        await page.GetByLabel("Work email").FillAsync(email);
        await page.GetByLabel("Work email").PressAsync("Enter");
    }

    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            if (await condition()) return;
            await Task.Delay(200);
        }
        throw new TimeoutException($"Waited 10 s for {what}.");
    }
}
