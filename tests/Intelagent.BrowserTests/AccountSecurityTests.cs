using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OtpNet;
using static Intelagent.BrowserTests.PortalPages;

namespace Intelagent.BrowserTests;

/// <summary>Two-factor sign-in and enrolment, required 2FA, security settings and sessions, each on a fresh organization.</summary>
[Collection(PortalCollection.Name)]
public sealed class AccountSecurityTests(PortalFixture portal)
{
    [Fact]
    public async Task User_EnrollingTotp_ShouldSignInAgainWithACodeAndUseARecoveryCodeOnce()
    {
        var page = await portal.NewPageAsync();
        var email = await RegisterAsync(page, "Tess Totp");

        await SignInAsync(page, email, returnPath: "/account/security");
        await Assertions.Expect(Heading(page, "Account security")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("totp-status")).ToHaveTextAsync("Off");
        var (secret, codes, confirmedStep) = await EnrollTotpAsync(page);
        Assert.Equal(10, codes.Count);
        await Assertions.Expect(page.GetByTestId("totp-status")).ToHaveTextAsync("On");
        await ScreenshotAsync(page, "account-security");
        await Accessibility.AssertNoSeriousViolationsAsync(page, "account security");
        await page.GetByTestId("recovery-codes-saved").ClickAsync();
        await Assertions.Expect(page.GetByTestId("recovery-codes-left")).ToContainTextAsync("10 recovery codes left");

        // The password alone now leads to the code step; a recovery code completes it.
        await SignOutAsync(page);
        await StartSignInAsync(page, email);
        await Assertions.Expect(page.GetByTestId("code-step")).ToBeVisibleAsync();
        await Assertions.Expect(Heading(page, "Two-step verification")).ToBeVisibleAsync();
        await ScreenshotAsync(page, "sign-in-code-step");
        await Accessibility.AssertNoSeriousViolationsAsync(page, "sign-in code step");
        await UseRecoveryCodeAsync(page, codes[0]);
        await page.WaitForURLAsync(new Regex("/$"));
        await Assertions.Expect(page.GetByTestId("user-menu")).ToBeVisibleAsync();

        // The same recovery code is refused the second time; the app's code then signs in.
        await SignOutAsync(page);
        await StartSignInAsync(page, email);
        await UseRecoveryCodeAsync(page, codes[0]);
        await Assertions.Expect(page.GetByTestId("sign-in-error")).ToContainTextAsync("recovery code");
        await page.GetByRole(AriaRole.Button, new() { Name = "Use your authenticator app instead" }).ClickAsync();
        await page.GetByLabel("Verification code").FillAsync(await NextCodeAsync(secret, confirmedStep));
        await page.GetByTestId("verify-code").ClickAsync();
        await page.WaitForURLAsync(new Regex("/$"));
        await Assertions.Expect(page.GetByTestId("user-menu")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Member_WhenTheOwnerRequiresTwoFactor_ShouldBeSentToEnrolAtTheNextSignIn()
    {
        var owner = await portal.NewPageAsync();
        var ownerEmail = await RegisterAsync(owner, "Olga Owner");
        await SignInAsync(owner, ownerEmail, returnPath: "/security");
        var organizationId = JsonDocument.Parse(await (await owner.APIRequest.GetAsync("/api/auth/me")).TextAsync()).RootElement.GetProperty("organizationId").GetString();
        var memberEmail = $"member-{Guid.NewGuid():N}"[..20] + "@auth.test";
        var invited = await owner.APIRequest.PostAsync($"/api/organizations/{organizationId}/invitations", new() { DataObject = new { email = memberEmail, role = "member" } });
        Assert.True(invited.Ok, await invited.TextAsync());
        var token = JsonDocument.Parse(await invited.TextAsync()).RootElement.GetProperty("token").GetString();
        var member = await portal.NewPageAsync();
        var accepted = await member.APIRequest.PostAsync("/api/invitations/accept", new() { DataObject = new { token, name = "Milo Member", password = PortalFixture.DemoPassword } });
        Assert.True(accepted.Ok, await accepted.TextAsync());
        await member.APIRequest.PostAsync("/api/auth/logout");

        await owner.GetByRole(AriaRole.Tab, new() { Name = "Settings" }).ClickAsync();
        await owner.GetByLabel("Require two-factor authentication for every member").CheckAsync();
        await owner.GetByTestId("save-settings").ClickAsync();
        await Assertions.Expect(owner.GetByText("Security settings saved.")).ToBeVisibleAsync();

        // The member's password is right, but the organization wants 2FA before anything else.
        await StartSignInAsync(member, memberEmail);
        await member.WaitForURLAsync(new Regex("/account/security\\?required=two_factor_required"));
        await Assertions.Expect(member.GetByTestId("two-factor-required")).ToBeVisibleAsync();
        await member.GotoAsync("/teams");
        await member.WaitForURLAsync(new Regex("/account/security\\?required=two_factor_required"));

        await EnrollTotpAsync(member);
        await Assertions.Expect(member.GetByTestId("requirements-met")).ToBeVisibleAsync();
        await member.GetByTestId("continue").ClickAsync();
        await Assertions.Expect(Heading(member, "Teams")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Owner_OnTheSettingsTab_ShouldSaveAndSeeTheCidrErrorAndTheLockOutRefusal()
    {
        var page = await portal.NewPageAsync();
        var email = await RegisterAsync(page, "Sam Settings");
        await SignInAsync(page, email, returnPath: "/security");
        await page.GetByRole(AriaRole.Tab, new() { Name = "Settings" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("allow-list-empty")).ToBeVisibleAsync();

        await page.GetByLabel("Idle session timeout (minutes, 0 for none)").FillAsync("45");
        await page.GetByTestId("allow-list-add").ClickAsync();
        await page.GetByLabel("Address or network 1", new() { Exact = true }).FillAsync("10.0.0.300/8");
        await page.GetByTestId("save-settings").ClickAsync();
        // The API's error for ipWhitelist[0] shows under that field, which is marked invalid.
        await Assertions.Expect(page.GetByTestId("allow-list-entry-0")).ToHaveAttributeAsync("aria-invalid", "true");
        await Assertions.Expect(page.GetByText("This must be an IPv4 or IPv6 address or CIDR")).ToBeVisibleAsync();

        await page.GetByLabel("Address or network 1", new() { Exact = true }).FillAsync("203.0.113.0/24");
        await page.GetByTestId("save-settings").ClickAsync();
        await Assertions.Expect(page.GetByTestId("settings-lockout")).ToContainTextAsync("lock you out");
        await ScreenshotAsync(page, "security-settings");
        await Accessibility.AssertNoSeriousViolationsAsync(page, "security settings");

        await page.GetByRole(AriaRole.Button, new() { Name = "Remove address or network 1" }).ClickAsync();
        await page.GetByTestId("save-settings").ClickAsync();
        await Assertions.Expect(page.GetByText("Security settings saved.")).ToBeVisibleAsync();
        var saved = JsonDocument.Parse(await (await page.APIRequest.GetAsync("/api/security/settings")).TextAsync()).RootElement;
        Assert.Equal(45, saved.GetProperty("sessionTimeout").GetInt32());
        Assert.Equal(0, saved.GetProperty("ipWhitelist").GetArrayLength());
    }

    [Fact]
    public async Task Manager_OnTheSettingsTab_ShouldReadTheSettingsWithoutChangingThem()
    {
        var page = await portal.NewPageAsync();
        await SignInAsync(page, "manager@acme.test", returnPath: "/security");
        await page.GetByRole(AriaRole.Tab, new() { Name = "Settings" }).ClickAsync();

        await Assertions.Expect(page.GetByTestId("settings-read-only")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("security-settings")).ToContainTextAsync("Password policy");
        await Assertions.Expect(page.GetByTestId("save-settings")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByTestId("allow-list-add")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task User_SigningOutEverywhereElse_ShouldEndTheOtherBrowsersSession()
    {
        var here = await portal.NewPageAsync();
        var email = await RegisterAsync(here, "Eve Everywhere");
        var there = await portal.NewPageAsync(390, 844);
        await SignInAsync(there, email);

        await SignInAsync(here, email, returnPath: "/account/security");
        var sessions = here.GetByTestId("sessions");
        await Assertions.Expect(sessions.GetByRole(AriaRole.Row)).ToHaveCountAsync(3); // header, this one, the other
        await Assertions.Expect(sessions.GetByTestId("current-session")).ToHaveCountAsync(1);
        await here.GetByTestId("sign-out-everywhere").ClickAsync();
        await Assertions.Expect(here.GetByText("Signed out of 1 other session.")).ToBeVisibleAsync();
        await Assertions.Expect(sessions.GetByRole(AriaRole.Row)).ToHaveCountAsync(2);

        await there.ReloadAsync();
        await there.WaitForURLAsync(new Regex("/sign-in"));
        await Assertions.Expect(Heading(there, "Sign in")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task User_EnrollingAPhone_ShouldConfirmItWithATextedCode_AndSignInAgainWithAnotherOne()
    {
        var page = await portal.NewPageAsync();
        var email = await RegisterAsync(page, "Sam Sms");
        var phone = "+1415555" + Random.Shared.Next(1000, 9999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var outbox = await portal.NewPageAsync();
        await SignInAsync(outbox, "operator@intelagent.test", returnPath: "/admin");

        await SignInAsync(page, email, returnPath: "/account/security");
        var section = page.GetByTestId("sms-section");
        await Assertions.Expect(section).ToContainTextAsync("Off");
        await section.GetByLabel("Phone number").FillAsync(phone);
        await section.GetByRole(AriaRole.Button, new() { Name = "Send a code" }).ClickAsync();
        var enrolment = await TextedCodeAsync(outbox, phone, after: null);
        await section.GetByLabel("Code sent to your phone").FillAsync(enrolment.Code);
        await section.GetByRole(AriaRole.Button, new() { Name = "Turn on SMS codes" }).ClickAsync();
        // The number shows masked: its first two and last two characters.
        await Assertions.Expect(section).ToContainTextAsync("Codes go to " + phone[..2] + new string('•', phone.Length - 4) + phone[^2..]);
        await Assertions.Expect(section).ToContainTextAsync("On");
        // Checked once the toasts have gone: axe flags the filled toasts' text (see ComplianceCenterTests.NoToastsAsync).
        await Assertions.Expect(page.Locator(".mud-snackbar")).ToHaveCountAsync(0, new() { Timeout = 30_000 });
        await Accessibility.AssertNoSeriousViolationsAsync(page, "account security with SMS");

        // The password alone now leads to the code step, which texts a new code; the used one is refused.
        await SignOutAsync(page);
        await StartSignInAsync(page, email);
        await Assertions.Expect(page.GetByTestId("code-step-hint")).ToContainTextAsync("text a code");
        await page.GetByTestId("send-sms").ClickAsync();
        await Assertions.Expect(page.GetByTestId("code-step-hint")).ToContainTextAsync("Enter the code we sent");
        var signIn = await TextedCodeAsync(outbox, phone, after: enrolment.Id);
        Assert.NotEqual(enrolment.Code, signIn.Code);
        await page.GetByLabel("Verification code").FillAsync(signIn.Code);
        await page.GetByTestId("verify-code").ClickAsync();
        await page.WaitForURLAsync(new Regex("/$"));
        await Assertions.Expect(page.GetByTestId("user-menu")).ToBeVisibleAsync();
    }

    /// <summary>The newest text to <paramref name="phone"/> after <paramref name="after"/>, read as an operator from the default sender's outbox (bodies show outside Production).</summary>
    private static async Task<(string Id, string Code)> TextedCodeAsync(IPage operatorPage, string phone, string? after)
    {
        for (var attempt = 0; attempt < 40; attempt++)
        {
            var response = await operatorPage.APIRequest.GetAsync("/api/admin/sms-outbox?to=" + Uri.EscapeDataString(phone));
            Assert.True(response.Ok, await response.TextAsync());
            var items = JsonDocument.Parse(await response.TextAsync()).RootElement.GetProperty("items");
            if (items.GetArrayLength() > 0)
            {
                var newest = items[0];
                var id = newest.GetProperty("id").GetString()!;
                if (id != after)
                    return (id, Regex.Match(newest.GetProperty("body").GetString()!, @"\b\d{6}\b").Value);
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"No text message reached {phone}.");
    }

    /// <summary>Registers a user and organization through the API, then signs that session out: the tests sign in through the page.</summary>
    private static async Task<string> RegisterAsync(IPage page, string name)
    {
        var email = $"user-{Guid.NewGuid():N}"[..20] + "@auth.test";
        var registered = await page.APIRequest.PostAsync("/api/auth/register",
            new() { DataObject = new { email, password = PortalFixture.DemoPassword, name, organizationName = name + " Labs" } });
        Assert.True(registered.Ok, await registered.TextAsync());
        await page.APIRequest.PostAsync("/api/auth/logout");
        return email;
    }

    /// <summary>Sets up the authenticator on /account/security: the secret read from the page, the code computed as an app would.</summary>
    private static async Task<(string Secret, IReadOnlyList<string> Codes, long Step)> EnrollTotpAsync(IPage page)
    {
        await page.GetByTestId("enroll-totp").ClickAsync();
        await Assertions.Expect(page.GetByTestId("totp-qr")).ToBeVisibleAsync();
        var secret = (await page.GetByTestId("totp-secret").InnerTextAsync()).Trim();
        var now = DateTime.UtcNow;
        var step = new DateTimeOffset(now).ToUnixTimeSeconds() / 30;
        await page.GetByLabel("Code from the app").FillAsync(new Totp(Base32Encoding.ToBytes(secret)).ComputeTotp(now));
        await page.GetByTestId("confirm-totp").ClickAsync();
        var codes = page.GetByTestId("recovery-codes").Locator("li");
        await Assertions.Expect(codes).ToHaveCountAsync(10);
        return (secret, (await codes.AllInnerTextsAsync()).Select(c => c.Trim()).ToList(), step);
    }

    /// <summary>A code of a later time step than the one already used: the API accepts each step once.</summary>
    private static async Task<string> NextCodeAsync(string secret, long usedStep)
    {
        while (DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 30 <= usedStep) await Task.Delay(500);
        return new Totp(Base32Encoding.ToBytes(secret)).ComputeTotp(DateTime.UtcNow);
    }

    private static async Task StartSignInAsync(IPage page, string email)
    {
        await page.GotoAsync("/sign-in");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(PortalFixture.DemoPassword);
        await page.GetByLabel("Password").PressAsync("Enter");
    }

    private static async Task UseRecoveryCodeAsync(IPage page, string code)
    {
        await Assertions.Expect(page.GetByTestId("code-step")).ToBeVisibleAsync();
        var other = page.GetByRole(AriaRole.Button, new() { Name = "Use a recovery code instead" });
        if (await other.IsVisibleAsync()) await other.ClickAsync();
        await page.GetByLabel("Recovery code").FillAsync(code);
        await page.GetByTestId("verify-code").ClickAsync();
    }

    private static async Task SignOutAsync(IPage page)
    {
        await page.GetByRole(AriaRole.Button, new() { Name = "Account" }).ClickAsync();
        await page.GetByRole(AriaRole.Menuitem, new() { Name = "Sign out" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("/sign-in"));
    }
}
