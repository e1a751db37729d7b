using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Intelagent.BrowserTests.PortalPages;

namespace Intelagent.BrowserTests;

/// <summary>
/// The collaborative editor in real browsers: two people of a fresh organization type into one
/// document at once and both end with the same text, see each other, and a late joiner, a reload
/// and a viewer all see what was saved.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class DocumentEditorTests(PortalFixture portal)
{
    [Fact]
    public async Task TwoMembers_TypingAtOnce_ShouldConvergeAndSeeEachOther()
    {
        var team = await Team.CreateAsync(portal, "Ada Author", 1366, ("Ben Builder", "member"));
        var ada = team.Owner;
        // Registering signed the owner in (the API set the cookie): the sign-in page would only redirect.
        await ada.GotoAsync("/projects");
        await Assertions.Expect(Heading(ada, "Projects")).ToBeVisibleAsync();
        await ada.GetByRole(AriaRole.Link, new() { Name = "Documents of Handbook" }).ClickAsync();
        await Assertions.Expect(Heading(ada, "Documents of Handbook")).ToBeVisibleAsync();
        await Assertions.Expect(ada.GetByText("No documents in this project yet.")).ToBeVisibleAsync();
        await ada.GetByTestId("new-document").ClickAsync();
        await ada.GetByLabel("Title").FillAsync("Launch plan");
        await ada.GetByRole(AriaRole.Button, new() { Name = "Create document" }).ClickAsync();
        await Assertions.Expect(ada.GetByTestId("document-link").Filter(new() { HasText = "Launch plan" })).ToBeVisibleAsync();
        await ada.ReloadAsync(); // without the toast, which is the theme's and not this page's
        await Assertions.Expect(ada.GetByTestId("document-link").Filter(new() { HasText = "Launch plan" })).ToBeVisibleAsync();
        await ScreenshotAsync(ada, "documents-list");
        await Accessibility.AssertNoSeriousViolationsAsync(ada, "documents-list");

        await ada.GetByTestId("document-link").Filter(new() { HasText = "Launch plan" }).ClickAsync();
        await Assertions.Expect(Heading(ada, "Launch plan")).ToBeVisibleAsync();
        var adaText = ada.GetByTestId("doc-text");
        await adaText.ClickAsync();
        await ada.Keyboard.TypeAsync("Goals: ship it. ");
        await ExpectSavedAsync(ada);
        var documentPath = new Uri(ada.Url).AbsolutePath;

        // A late joiner gets the current text, and both see who is in the document.
        var ben = team.Members[0];
        await SignInAsync(ben, team.MemberEmails[0], returnPath: documentPath);
        var benText = ben.GetByTestId("doc-text");
        await Assertions.Expect(benText).ToHaveValueAsync("Goals: ship it. ");
        await Assertions.Expect(ada.GetByTestId("doc-presence")).ToContainTextAsync("Ben Builder");
        await Assertions.Expect(ben.GetByTestId("doc-presence")).ToContainTextAsync("Ada Author");

        // Both type at once, at both ends of the text: every keystroke is an operation racing the other's.
        await benText.ClickAsync();
        await ben.Keyboard.PressAsync("Control+Home");
        await adaText.ClickAsync();
        await ada.Keyboard.PressAsync("Control+End");
        await Task.WhenAll(
            ada.Keyboard.TypeAsync("Ada adds the timeline.", new() { Delay = 15 }),
            ben.Keyboard.TypeAsync("Ben writes the intro. ", new() { Delay = 15 }));
        var text = await ConvergedTextAsync(ada, ben);
        Assert.Contains("Ada adds the timeline.", text);
        Assert.Contains("Ben writes the intro. ", text);
        Assert.Contains("Goals: ship it. ", text);

        // Typing in the middle while the other's caret sits elsewhere moves both texts the same way.
        await Task.WhenAll(ada.Keyboard.TypeAsync(" More from Ada.", new() { Delay = 10 }), ben.Keyboard.TypeAsync("Ben again. ", new() { Delay = 10 }));
        text = await ConvergedTextAsync(ada, ben);
        Assert.Contains("More from Ada.", text);
        Assert.Contains("Ben again. ", text);

        // Each sees the other's caret, named.
        await Assertions.Expect(ben.Locator(".doc-caret-label", new() { HasText = "Ada Author" })).ToBeVisibleAsync();
        await ben.Keyboard.PressAsync("Shift+ArrowLeft");
        await Assertions.Expect(ada.Locator(".doc-caret-label", new() { HasText = "Ben Builder" })).ToBeVisibleAsync();
        await ScreenshotAsync(ada, "document-editor");
        await Accessibility.AssertNoSeriousViolationsAsync(ada, "document-editor");

        // Saved: a reload reads it back from the server.
        await ben.ReloadAsync();
        await Assertions.Expect(ben.GetByTestId("doc-text")).ToHaveValueAsync(text);
        await Assertions.Expect(ada.GetByTestId("doc-presence")).ToContainTextAsync("Ben Builder");

        // The creator restores the first revision; both editors receive it as an edit.
        await ada.GetByTestId("history-toggle").ClickAsync();
        await ada.GetByTestId("restore-1").ClickAsync();
        await Assertions.Expect(adaText).ToHaveValueAsync("G");
        await Assertions.Expect(ben.GetByTestId("doc-text")).ToHaveValueAsync("G");

        // Leaving the page stops the script: no editor and no timer stays behind.
        await ada.GetByRole(AriaRole.Link, new() { Name = "Handbook", Exact = true }).ClickAsync();
        await Assertions.Expect(Heading(ada, "Documents of Handbook")).ToBeVisibleAsync();
        Assert.Equal(0, await ada.EvaluateAsync<int>("() => window.intelagentDocuments.live().length"));
        await Assertions.Expect(ben.GetByTestId("doc-presence")).Not.ToContainTextAsync("Ada Author");
    }

    [Fact]
    public async Task Viewer_ShouldReadOnly_AndAnEditorOfADeletedDocumentShouldSaySo()
    {
        var team = await Team.CreateAsync(portal, "Olga Owner", 390, ("Vic Viewer", "viewer"), ("Mia Member", "member"));
        var created = await team.Owner.APIRequest.PostAsync($"/api/projects/{team.ProjectId}/documents",
            new() { DataObject = new { title = "Policy", content = "Read me." } });
        Assert.True(created.Ok, await created.TextAsync());
        var documentId = JsonDocument.Parse(await created.TextAsync()).RootElement.GetProperty("id").GetString();

        var viewer = team.Members[0];
        await SignInAsync(viewer, team.MemberEmails[0], returnPath: $"/projects/{team.ProjectId}/documents");
        await Assertions.Expect(viewer.GetByTestId("document-link")).ToHaveTextAsync("Policy");
        await Assertions.Expect(viewer.GetByTestId("new-document")).ToHaveCountAsync(0);
        await Assertions.Expect(viewer.GetByRole(AriaRole.Button, new() { Name = "Rename Policy" })).ToHaveCountAsync(0);
        await viewer.GetByTestId("document-link").ClickAsync();
        var text = viewer.GetByTestId("doc-text");
        await Assertions.Expect(text).ToHaveValueAsync("Read me.");
        await Assertions.Expect(text).ToHaveAttributeAsync("readonly", "");
        await Assertions.Expect(viewer.GetByTestId("doc-readonly")).ToBeVisibleAsync();
        // On a phone: nothing wider than the screen.
        Assert.True(await viewer.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the editor scrolls sideways on a phone");
        await ScreenshotAsync(viewer, "document-editor-phone");
        await text.PressAsync("End");
        await viewer.Keyboard.TypeAsync("!");
        await Assertions.Expect(text).ToHaveValueAsync("Read me.");

        // A member has it open; the owner deletes it: the member's next edit is refused and explained, once.
        var member = team.Members[1];
        await SignInAsync(member, team.MemberEmails[1], returnPath: $"/documents/{documentId}");
        await Assertions.Expect(member.GetByTestId("doc-text")).ToHaveValueAsync("Read me.");
        var deleted = await team.Owner.APIRequest.DeleteAsync($"/api/documents/{documentId}");
        Assert.True(deleted.Ok, await deleted.TextAsync());
        await member.GetByTestId("doc-text").PressAsync("End");
        await member.Keyboard.TypeAsync(" Too late.");
        await Assertions.Expect(member.GetByTestId("doc-stopped")).ToContainTextAsync("deleted");
        await Assertions.Expect(member.GetByTestId("doc-state")).ToHaveAttributeAsync("data-state", "stopped");
        Assert.Equal(0, await member.EvaluateAsync<int>("() => window.intelagentDocuments.live().reduce((n, e) => n + e.timers, 0)"));
    }

    [Fact]
    public async Task EditorScript_WithMessagesReorderedAndLost_ShouldEndIdenticalToTheServer()
    {
        var page = await portal.NewPageAsync();
        await page.GotoAsync("/sign-in");
        await page.WaitForFunctionAsync("() => !!window.intelagentDocuments");
        var script = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "DocumentClientSimulation.js"));
        var divergence = await page.EvaluateAsync<string?>(script, new { runs = 12, steps = 250, deliver = 0.95 });
        Assert.Null(divergence);
        Assert.Equal(0, await page.EvaluateAsync<int>("() => window.intelagentDocuments.live().length"));
        await page.Context.CloseAsync();
    }

    /// <summary>The editor's own state (the chip shows it a moment later): nothing in flight, and at least one revision.</summary>
    private const string Snapshot = "() => window.intelagentDocuments.live()[0] ?? null";

    private static async Task ExpectSavedAsync(IPage page) =>
        await page.WaitForFunctionAsync("() => { const e = window.intelagentDocuments.live()[0]; return e && e.state === 'synchronized' && e.revision > 0; }");

    /// <summary>Waits until both editors have nothing in flight and show the same text, which it returns.</summary>
    private static async Task<string> ConvergedTextAsync(IPage a, IPage b)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var (x, y) = (await a.EvaluateAsync<JsonElement>(Snapshot), await b.EvaluateAsync<JsonElement>(Snapshot));
            string Text(JsonElement e) => e.GetProperty("text").GetString()!;
            bool Settled(JsonElement e) => e.GetProperty("state").GetString() == "synchronized";
            if (Settled(x) && Settled(y) && x.GetProperty("revision").GetInt32() == y.GetProperty("revision").GetInt32())
            {
                // Same revision, nothing pending: the texts must be equal, and so must what the textareas show.
                Assert.Equal(Text(x), Text(y));
                Assert.Equal(Text(x), await a.GetByTestId("doc-text").InputValueAsync());
                Assert.Equal(Text(y), await b.GetByTestId("doc-text").InputValueAsync());
                return Text(x);
            }
            if (DateTime.UtcNow > deadline) Assert.Fail($"The editors did not converge:\n{x}\n---\n{y}");
            await Task.Delay(200);
        }
    }

    /// <summary>A fresh organization with a project "Handbook": its owner's page (signed in by registering), and one page per invited member (not signed in yet), <c>memberWidth</c> wide.</summary>
    private sealed record Team(IPage Owner, string ProjectId, IReadOnlyList<IPage> Members, IReadOnlyList<string> MemberEmails)
    {
        public static async Task<Team> CreateAsync(PortalFixture portal, string ownerName, int memberWidth, params (string Name, string Role)[] people)
        {
            var owner = await portal.NewPageAsync();
            var suffix = Guid.NewGuid().ToString("N")[..10];
            var ownerEmail = $"owner-{suffix}@docs.test";
            var registered = await owner.APIRequest.PostAsync("/api/auth/register",
                new() { DataObject = new { email = ownerEmail, password = PortalFixture.DemoPassword, name = ownerName, organizationName = "Docs " + suffix } });
            Assert.True(registered.Ok, await registered.TextAsync());
            var organizations = JsonDocument.Parse(await (await owner.APIRequest.GetAsync("/api/organizations")).TextAsync()).RootElement;
            var organizationId = organizations.GetProperty("items")[0].GetProperty("id").GetString()!;
            var project = await owner.APIRequest.PostAsync($"/api/organizations/{organizationId}/projects", new() { DataObject = new { name = "Handbook" } });
            Assert.True(project.Ok, await project.TextAsync());
            var projectId = JsonDocument.Parse(await project.TextAsync()).RootElement.GetProperty("id").GetString()!;

            var (pages, emails) = (new List<IPage>(), new List<string>());
            foreach (var (name, role) in people)
            {
                var email = $"{role}-{emails.Count}-{suffix}@docs.test";
                var invited = await owner.APIRequest.PostAsync($"/api/organizations/{organizationId}/invitations", new() { DataObject = new { email, role } });
                Assert.True(invited.Ok, await invited.TextAsync());
                var token = JsonDocument.Parse(await invited.TextAsync()).RootElement.GetProperty("token").GetString();
                var page = await portal.NewPageAsync(memberWidth, memberWidth < 600 ? 844 : 860);
                var accepted = await page.APIRequest.PostAsync("/api/invitations/accept", new() { DataObject = new { token, name, password = PortalFixture.DemoPassword } });
                Assert.True(accepted.Ok, await accepted.TextAsync());
                pages.Add(page);
                emails.Add(email);
            }
            return new Team(owner, projectId, pages, emails);
        }
    }
}
