using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Intelagent.BrowserTests.PortalPages;

namespace Intelagent.BrowserTests;

[Collection(PortalCollection.Name)]
public sealed class PortalTests(PortalFixture portal)
{
    [Fact]
    public async Task Owner_WhenSignedIn_ShouldSeeTheDashboardAndCreateATeam()
    {
        var page = await portal.NewPageAsync();
        await SignInAsync(page, "owner@acme.test");

        await Assertions.Expect(Heading(page, "Acme Support Co")).ToBeVisibleAsync();
        var teams = page.GetByTestId("dashboard-teams");
        foreach (var team in new[] { "Support", "Platform", "Success" })
            await Assertions.Expect(teams.GetByRole(AriaRole.Link, new() { Name = team, Exact = true })).ToBeVisibleAsync();
        await ScreenshotAsync(page, "dashboard");

        await page.GetByRole(AriaRole.Link, new() { Name = "Teams", Exact = true }).ClickAsync();
        await Assertions.Expect(Heading(page, "Teams")).ToBeVisibleAsync();
        await page.GetByTestId("new-team").ClickAsync();
        var name = "Escalations " + Guid.NewGuid().ToString("N")[..6];
        await Assertions.Expect(page.GetByLabel("Name", new() { Exact = true })).ToBeFocusedAsync(); // the form focuses its name field
        await page.Keyboard.TypeAsync(name);
        await page.Keyboard.PressAsync("Enter");

        await Assertions.Expect(page.GetByTestId("teams-table").GetByRole(AriaRole.Link, new() { Name = name })).ToBeVisibleAsync();
        await ScreenshotAsync(page, "teams");
    }

    [Fact]
    public async Task Viewer_OnTheTeamsPage_ShouldNotGetTheCreateTeamAction()
    {
        var page = await portal.NewPageAsync();
        await SignInAsync(page, "viewer@acme.test", returnPath: "/teams");

        await Assertions.Expect(page.GetByTestId("teams-table").GetByRole(AriaRole.Link, new() { Name = "Support", Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("new-team")).ToHaveCountAsync(0);

        // The team's detail: its members and their team roles, without the lead's actions.
        await page.GetByTestId("teams-table").GetByRole(AriaRole.Link, new() { Name = "Support", Exact = true }).ClickAsync();
        var members = page.GetByTestId("team-members");
        await Assertions.Expect(members.GetByRole(AriaRole.Row).Filter(new() { HasText = "Maya Manager" })).ToContainTextAsync("lead");
        await Assertions.Expect(members.GetByRole(AriaRole.Row).Filter(new() { HasText = "Vera Viewer" })).ToContainTextAsync("member");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Make lead" })).ToHaveCountAsync(0);
        await ScreenshotAsync(page, "team-detail");
    }

    [Fact]
    public async Task Operator_OnTheAdminPortal_ShouldListTheFourDemoOrganizations()
    {
        var page = await portal.NewPageAsync();
        await SignInAsync(page, "operator@intelagent.test", returnPath: "/admin");

        await Assertions.Expect(Heading(page, "Organizations")).ToBeVisibleAsync();
        var table = page.GetByTestId("organizations-table");
        foreach (var organization in new[] { "Acme Support Co", "Globex Marketing", "Initech Leads", "Hooli Startup" })
            await Assertions.Expect(table.GetByRole(AriaRole.Link, new() { Name = organization })).ToBeVisibleAsync();
        await ScreenshotAsync(page, "admin");

        // The operator's tier change, through the same service and permission as PATCH /api/admin/organizations/{id}/tier.
        await table.GetByRole(AriaRole.Link, new() { Name = "Initech Leads" }).ClickAsync();
        await Assertions.Expect(Heading(page, "Initech Leads")).ToBeVisibleAsync();
        await page.GetByTestId("tier-select").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "Pro" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
        await Assertions.Expect(page.GetByText("Tier changed to Pro.")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("current-tier")).ToHaveTextAsync("pro");
        await ScreenshotAsync(page, "admin-organization");
    }

    [Fact]
    public async Task Member_OnTheAdminPortal_ShouldBeRefused()
    {
        var page = await portal.NewPageAsync();
        await SignInAsync(page, "member@acme.test", returnPath: "/admin");

        await Assertions.Expect(page.GetByTestId("admin-refused")).ToBeVisibleAsync();
        await Assertions.Expect(Heading(page, "Not allowed")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("organizations-table")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task SignIn_WithAWrongPassword_ShouldShowTheProblemsMessage()
    {
        var page = await portal.NewPageAsync();
        await page.GotoAsync("/sign-in");
        await page.GetByLabel("Email").FillAsync("admin@globex.test");
        await page.GetByLabel("Password").FillAsync("not-the-password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await Assertions.Expect(page.GetByTestId("sign-in-error")).ToContainTextAsync("password");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/sign-in"));
        await ScreenshotAsync(page, "sign-in-failed");
    }

    [Fact]
    public async Task Anonymous_OpeningAPortalPage_ShouldBeSentToSignIn()
    {
        var page = await portal.NewPageAsync();
        await page.GotoAsync("/projects");

        await Assertions.Expect(Heading(page, "Sign in")).ToBeVisibleAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/sign-in\\?returnUrl=%2Fprojects$"));
    }

    [Fact]
    public async Task Owner_InvitingAMember_ShouldSeeThePendingInvitation()
    {
        var page = await portal.NewPageAsync();
        await SignInAsync(page, "owner@initech.test", returnPath: "/members");

        await Assertions.Expect(page.GetByTestId("members-table").GetByText("viewer@initech.test")).ToBeVisibleAsync();
        await page.GetByTestId("invite-member").ClickAsync();
        var email = $"new-{Guid.NewGuid():N}"[..12] + "@initech.test";
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByRole(AriaRole.Button, new() { Name = "Send invitation" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Cell, new() { Name = email })).ToBeVisibleAsync();
        await ScreenshotAsync(page, "members");
    }

    [Fact]
    public async Task Manager_OnProjects_ShouldRenameOnlyTheProjectsOfTheTeamTheyLead()
    {
        var page = await portal.NewPageAsync();
        await SignInAsync(page, "manager@globex.test", returnPath: "/projects");

        var table = page.GetByTestId("projects-table");
        // Globex: Campaigns (led by the manager) holds "Spring newsletter" and "Re-engagement"; Content holds "Product launch drip".
        await Assertions.Expect(table.GetByRole(AriaRole.Button, new() { Name = "Rename Product launch drip" })).ToHaveCountAsync(0);
        await table.GetByRole(AriaRole.Button, new() { Name = "Rename Spring newsletter" }).ClickAsync();
        await table.GetByLabel("New name").FillAsync("Spring newsletter 2027");
        await table.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();

        await Assertions.Expect(table.GetByRole(AriaRole.Cell, new() { Name = "Spring newsletter 2027", Exact = true })).ToBeVisibleAsync();
        await ScreenshotAsync(page, "projects");
    }

    [Fact]
    public async Task Dashboard_OnAPhone_ShouldFitTheScreen()
    {
        var page = await portal.NewPageAsync(width: 390, height: 844);
        await SignInAsync(page, "admin@hooli.test");

        await Assertions.Expect(Heading(page, "Hooli Startup")).ToBeVisibleAsync();
        var overflows = await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > window.innerWidth");
        Assert.False(overflows, "the dashboard scrolls sideways on a phone");
        await ScreenshotAsync(page, "dashboard-phone");
    }

    [Fact]
    public async Task Member_OfTwoOrganizations_ShouldSwitchBetweenThem()
    {
        var page = await portal.NewPageAsync();
        await SignInAsync(page, "admin@globex.test");
        await Assertions.Expect(Heading(page, "Globex Marketing")).ToBeVisibleAsync();
        // A second membership: an organization of their own, created through the API with the portal's cookie.
        var created = await page.APIRequest.PostAsync("/api/organizations", new() { DataObject = new { name = "Zulu Labs" } });
        Assert.Equal(201, created.Status);
        await page.ReloadAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Switch organization" }).ClickAsync();
        await page.GetByRole(AriaRole.Menuitem, new() { Name = "Zulu Labs" }).ClickAsync();

        await Assertions.Expect(Heading(page, "Zulu Labs")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("count-teams")).ToHaveTextAsync("0");

        await page.ReloadAsync();
        await Assertions.Expect(Heading(page, "Zulu Labs")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task RoleChange_ByTheOwner_ShouldReachTheMembersOpenPageAsAToastWithoutAReload()
    {
        var member = await portal.NewPageAsync();
        await SignInAsync(member, "member@globex.test");
        await Assertions.Expect(Heading(member, "Globex Marketing")).ToBeVisibleAsync();
        // A mark on the window: a reload would lose it.
        await member.EvaluateAsync("() => window.__stillTheSamePage = true");

        var owner = await portal.NewPageAsync();
        await SignInAsync(owner, "owner@globex.test", returnPath: "/members");
        await owner.GetByTestId("role-member@globex.test").ClickAsync();
        await owner.GetByRole(AriaRole.Option, new() { Name = "viewer" }).ClickAsync();
        await Assertions.Expect(owner.GetByText("Mike Member is now viewer.")).ToBeVisibleAsync();

        // The notification is written by an event handler after the change commits (the outbox is
        // polled every 2 s), then reaches the member's circuit live: a toast and the bell's count.
        await Assertions.Expect(member.Locator(".mud-snackbar").GetByText("Your role is now viewer")).ToBeVisibleAsync();
        var bell = member.GetByRole(AriaRole.Button, new() { Name = "Notifications: 1 unread" });
        await Assertions.Expect(bell).ToBeVisibleAsync();
        Assert.True(await member.EvaluateAsync<bool>("() => window.__stillTheSamePage === true"), "the member's page reloaded");
        await ScreenshotAsync(member, "notification-toast");

        await bell.ClickAsync();
        await Assertions.Expect(member.Locator(".mud-popover-open").GetByText("Your role is now viewer")).ToBeVisibleAsync();
        await ScreenshotAsync(member, "notifications");
        await member.GetByRole(AriaRole.Menuitem, new() { Name = "Mark all as read" }).ClickAsync();
        await Assertions.Expect(member.GetByRole(AriaRole.Button, new() { Name = "Notifications: 0 unread" })).ToBeVisibleAsync();
    }
}
