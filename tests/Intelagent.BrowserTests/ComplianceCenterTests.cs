using System.Net.Http.Json;
using Microsoft.Playwright;
using static Intelagent.BrowserTests.PortalPages;

namespace Intelagent.BrowserTests;

/// <summary>The security center's alerts, incidents, compliance and data-request tabs, and the operators' /admin/security.</summary>
[Collection(PortalCollection.Name)]
public sealed class ComplianceCenterTests(PortalFixture portal)
{
    [Fact]
    public async Task Owner_OnSecurity_ShouldSeeANewAlertLive_AcknowledgeIt_ManageAnIncident_GenerateAComplianceReportAndRequestAnExport()
    {
        var page = await portal.NewPageAsync();
        var (email, _) = await RegisterAsync(page, "Compliance Labs");
        await SignInAsync(page, email, returnPath: "/security");

        await page.GetByRole(AriaRole.Tab, new() { Name = "Alerts and incidents" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Security alerts" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("No open security alerts.")).ToBeVisibleAsync();

        // A burst of failed sign-ins through the real API: the audit sealer's monitor raises the alert and the page shows it without a reload.
        await FailSignInsAsync(email);
        var alerts = page.GetByTestId("security-alerts");
        try { await Assertions.Expect(alerts).ToContainTextAsync("Repeated failed sign-ins", new() { Timeout = 60_000 }); }
        catch (PlaywrightException exception) { throw new InvalidOperationException("Server output:\n" + portal.ServerOutput, exception); }
        await Assertions.Expect(alerts.GetByTestId("severity")).ToHaveTextAsync("high");
        await Assertions.Expect(alerts.GetByTestId("alert-new")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("alerts-announcement")).ToContainTextAsync("New high security alert");

        // Acknowledged with a note, the alert leaves the open list; under "All" it says who acknowledged it and when.
        var alertRow = alerts.GetByRole(AriaRole.Row).Filter(new() { HasText = "Repeated failed sign-ins" });
        await alertRow.GetByTestId("alert-acknowledge").ClickAsync();
        await alertRow.GetByLabel("Note on Repeated failed sign-ins").FillAsync("Casey mistyped the password");
        await alertRow.GetByTestId("alert-acknowledge-confirm").ClickAsync();
        await Assertions.Expect(page.GetByText("No open security alerts.")).ToBeVisibleAsync();
        await page.GetByTestId("alert-status-filter").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "All", Exact = true }).ClickAsync();
        await Assertions.Expect(alertRow.GetByTestId("alert-acknowledged")).ToContainTextAsync("Acknowledged by Casey Compliance at " + DateTime.UtcNow.ToString("yyyy-MM-dd"));
        await Assertions.Expect(alertRow.GetByTestId("alert-note")).ToContainTextAsync("Casey mistyped the password");
        await Assertions.Expect(alertRow.GetByTestId("alert-acknowledge")).ToHaveCountAsync(0);

        var incident = "Phishing mail " + Guid.NewGuid().ToString("N")[..6];
        await page.GetByLabel("Incident title").FillAsync(incident);
        await page.GetByTestId("report-incident").ClickAsync();
        var incidentRow = page.GetByTestId("incidents").GetByRole(AriaRole.Row).Filter(new() { HasText = incident });
        await Assertions.Expect(incidentRow.GetByTestId("incident-status")).ToHaveTextAsync("open");
        await incidentRow.GetByRole(AriaRole.Button, new() { Name = "Investigate " + incident }).ClickAsync();
        await Assertions.Expect(incidentRow.GetByTestId("incident-status")).ToHaveTextAsync("investigating");
        await ScreenshotAsync(page, "security-alerts");
        await NoToastsAsync(page);
        await Accessibility.AssertNoSeriousViolationsAsync(page, "security: alerts and incidents");

        await page.GetByRole(AriaRole.Tab, new() { Name = "Compliance" }).ClickAsync();
        await page.GetByTestId("generate-compliance").ClickAsync();
        var frameworks = page.GetByTestId("compliance-frameworks");
        await Assertions.Expect(frameworks).ToContainTextAsync("GDPR");
        await Assertions.Expect(frameworks).ToContainTextAsync("SOC 2");
        await Assertions.Expect(page.Locator("[aria-label='GDPR controls']")).ToContainTextAsync("Art. 32");
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("compliance-pdf").ClickAsync());
        Assert.EndsWith(".pdf", download.SuggestedFilename);
        var pdf = await File.ReadAllBytesAsync((await download.PathAsync())!);
        Assert.Equal("%PDF", System.Text.Encoding.ASCII.GetString(pdf[..4]));

        await page.GetByLabel("Notifications: days").FillAsync("90");
        await page.GetByTestId("retention-save").ClickAsync();
        await Assertions.Expect(page.GetByText("Retention saved.")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByLabel("Notifications: days")).ToHaveValueAsync("90");
        await ScreenshotAsync(page, "security-compliance");
        await NoToastsAsync(page);
        await Accessibility.AssertNoSeriousViolationsAsync(page, "security: compliance");

        await page.GetByRole(AriaRole.Tab, new() { Name = "Data requests" }).ClickAsync();
        await Assertions.Expect(page.GetByText("No data requests yet.")).ToBeVisibleAsync();
        await page.GetByLabel("Person's email").FillAsync(email);
        await page.GetByTestId("create-data-request").ClickAsync();
        await Assertions.Expect(page.GetByText("Export ready to download.")).ToBeVisibleAsync();
        var requestRow = page.GetByTestId("data-requests").GetByRole(AriaRole.Row).Filter(new() { HasText = "export" });
        await Assertions.Expect(requestRow.GetByTestId("data-request-status")).ToHaveTextAsync("completed");
        var bundle = await page.RunAndWaitForDownloadAsync(() => requestRow.GetByTestId("data-request-download").ClickAsync());
        Assert.Contains(email, await File.ReadAllTextAsync((await bundle.PathAsync())!));
        await ScreenshotAsync(page, "security-data-requests");
        await NoToastsAsync(page);
        await Accessibility.AssertNoSeriousViolationsAsync(page, "security: data requests");
    }

    [Fact]
    public async Task ManagerAndViewer_OnSecurity_ShouldSeeOnlyTheTabsAndActionsTheirRoleAllows()
    {
        var manager = await portal.NewPageAsync();
        await SignInAsync(manager, "manager@acme.test", returnPath: "/security");
        // A manager reads and reports incidents, but neither reads alerts (audit.read) nor compliance, nor moves an incident.
        await manager.GetByRole(AriaRole.Tab, new() { Name = "Alerts and incidents" }).ClickAsync();
        await Assertions.Expect(manager.GetByTestId("report-incident")).ToBeVisibleAsync();
        await Assertions.Expect(manager.GetByRole(AriaRole.Heading, new() { Name = "Security alerts" })).ToHaveCountAsync(0);
        await Assertions.Expect(manager.GetByRole(AriaRole.Tab, new() { Name = "Compliance" })).ToHaveCountAsync(0);
        await Assertions.Expect(manager.GetByRole(AriaRole.Tab, new() { Name = "Data requests" })).ToHaveCountAsync(0);
        await Assertions.Expect(manager.GetByRole(AriaRole.Button, new() { NameRegex = new System.Text.RegularExpressions.Regex("^(Investigate|Resolve|Reopen) ") })).ToHaveCountAsync(0);

        var viewer = await portal.NewPageAsync();
        await SignInAsync(viewer, "viewer@acme.test", returnPath: "/security");
        await Assertions.Expect(Heading(viewer, "Security")).ToBeVisibleAsync();
        await Assertions.Expect(viewer.GetByRole(AriaRole.Tab, new() { Name = "Alerts and incidents" })).ToHaveCountAsync(0);
        await Assertions.Expect(viewer.GetByRole(AriaRole.Tab, new() { Name = "Compliance" })).ToHaveCountAsync(0);
        await Assertions.Expect(viewer.GetByRole(AriaRole.Tab, new() { Name = "Data requests" })).ToHaveCountAsync(0);
        await Assertions.Expect(viewer.GetByTestId("generate-compliance")).ToHaveCountAsync(0);
        await Assertions.Expect(viewer.GetByTestId("create-data-request")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Member_ShouldReportAnIncidentFromTheUserMenu_AndAnAdminShouldSeeItInTheSecurityCenter()
    {
        // A member holds incidents.report but not the security center (security.settings.read): the user menu leads to the form.
        var member = await portal.NewPageAsync();
        await SignInAsync(member, "member@acme.test");
        await member.GetByRole(AriaRole.Button, new() { Name = "Account" }).ClickAsync();
        await member.GetByText("Report a security incident").ClickAsync();
        await member.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/security/report-incident$"));
        await Assertions.Expect(Heading(member, "Report a security incident")).ToBeVisibleAsync();

        var title = "Lost laptop " + Guid.NewGuid().ToString("N")[..6];
        await member.GetByLabel("Incident title").FillAsync(title);
        await member.GetByTestId("incident-severity").ClickAsync();
        await member.GetByRole(AriaRole.Option, new() { Name = "high", Exact = true }).ClickAsync();
        await member.GetByLabel("What happened").FillAsync("Left on the train with the support tools signed in");
        await member.GetByLabel("What is affected (optional)").FillAsync("Support laptop");
        await member.GetByTestId("report-incident").ClickAsync();
        await Assertions.Expect(member.GetByTestId("incident-reported")).ToContainTextAsync(title);
        await Assertions.Expect(member.GetByLabel("Incident title")).ToHaveValueAsync("");
        await ScreenshotAsync(member, "report-incident");
        await NoToastsAsync(member);
        await Accessibility.AssertNoSeriousViolationsAsync(member, "report a security incident");
        // The security center itself is closed to a member, but points to the form.
        await member.GotoAsync("/security");
        await Assertions.Expect(member.GetByTestId("report-incident-link")).ToBeVisibleAsync();
        await Assertions.Expect(member.GetByRole(AriaRole.Tab, new() { Name = "Alerts and incidents" })).ToHaveCountAsync(0);

        var admin = await portal.NewPageAsync();
        await SignInAsync(admin, "admin@acme.test", returnPath: "/security");
        await admin.GetByRole(AriaRole.Tab, new() { Name = "Alerts and incidents" }).ClickAsync();
        var row = admin.GetByTestId("incidents").GetByRole(AriaRole.Row).Filter(new() { HasText = title });
        await Assertions.Expect(row.GetByTestId("incident-status")).ToHaveTextAsync("open");
        await Assertions.Expect(row.GetByTestId("severity")).ToHaveTextAsync("high");
        await Assertions.Expect(row).ToContainTextAsync("Left on the train");

        // A viewer may not report: no way in from the menu, and the page says why instead of showing the form.
        var viewer = await portal.NewPageAsync();
        await SignInAsync(viewer, "viewer@acme.test");
        await viewer.GetByRole(AriaRole.Button, new() { Name = "Account" }).ClickAsync();
        await Assertions.Expect(viewer.GetByText("Account security")).ToBeVisibleAsync();
        await Assertions.Expect(viewer.GetByText("Report a security incident")).ToHaveCountAsync(0);
        await viewer.GotoAsync("/security/report-incident");
        await Assertions.Expect(viewer.GetByText("may not report incidents")).ToBeVisibleAsync();
        await Assertions.Expect(viewer.GetByTestId("report-incident")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Operator_OnAdminSecurity_ShouldSeeTheAlertsOfSeveralOrganizationsArriveLive_AndFilterBySeverity()
    {
        var setup = await portal.NewPageAsync();
        var (firstEmail, firstName) = await RegisterAsync(setup, "Alerted North");
        var (secondEmail, secondName) = await RegisterAsync(setup, "Alerted South");

        var page = await portal.NewPageAsync();
        await SignInAsync(page, "operator@intelagent.test", returnPath: "/admin/security");
        await Assertions.Expect(Heading(page, "Platform security")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Security", Exact = true })).ToBeVisibleAsync();

        await FailSignInsAsync(firstEmail);
        await FailSignInsAsync(secondEmail);
        var alerts = page.GetByTestId("admin-alerts");
        await Assertions.Expect(alerts).ToContainTextAsync(firstName, new() { Timeout = 60_000 });
        await Assertions.Expect(alerts).ToContainTextAsync(secondName, new() { Timeout = 60_000 });
        await Assertions.Expect(alerts.GetByRole(AriaRole.Row).Filter(new() { HasText = firstName }).GetByTestId("alert-new")).ToBeVisibleAsync();
        await ScreenshotAsync(page, "admin-security");
        await Accessibility.AssertNoSeriousViolationsAsync(page, "admin security");

        // The bursts are high: filtering on medium leaves them out, on high keeps both.
        await page.GetByTestId("severity-filter").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "medium", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByText(firstName)).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByText(secondName)).ToHaveCountAsync(0);
        await page.GetByTestId("severity-filter").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "high", Exact = true }).ClickAsync();
        await Assertions.Expect(alerts).ToContainTextAsync(firstName);
        await Assertions.Expect(alerts).ToContainTextAsync(secondName);

        await page.GetByRole(AriaRole.Link, new() { Name = firstName }).First.ClickAsync();
        await Assertions.Expect(Heading(page, firstName)).ToBeVisibleAsync();
    }

    /// <summary>
    /// The theme's filled success toast (white on green) fails axe's contrast rule: that is the shared
    /// theme's to fix, so the tab is checked once the toasts have gone.
    /// </summary>
    private static Task NoToastsAsync(IPage page) => Assertions.Expect(page.Locator(".mud-snackbar")).ToHaveCountAsync(0, new() { Timeout = 30_000 });

    /// <summary>Registers a fresh owner and organization through the API, signed out again; returns the email and the organization's name.</summary>
    private static async Task<(string Email, string Organization)> RegisterAsync(IPage page, string organizationPrefix)
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var email = $"owner-{suffix}@compliance.test";
        var organization = $"{organizationPrefix} {suffix}";
        var registered = await page.APIRequest.PostAsync("/api/auth/register",
            new() { DataObject = new { email, password = PortalFixture.DemoPassword, name = "Casey Compliance", organizationName = organization } });
        Assert.True(registered.Ok, await registered.TextAsync());
        // Registering signs the context in, and the sign-in page sends a signed-in visitor straight on: the test signs in itself.
        await page.Context.ClearCookiesAsync();
        return (email, organization);
    }

    /// <summary>Five wrong passwords in a row (the monitor's burst), from a client without the page's cookies.</summary>
    private async Task FailSignInsAsync(string email)
    {
        using var client = new HttpClient { BaseAddress = new Uri(portal.BaseUrl) };
        for (var i = 0; i < 5; i++)
        {
            var response = await client.PostAsJsonAsync("/api/auth/login", new { email, password = "not-the-password-" + i });
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, response.StatusCode);
        }
    }
}
