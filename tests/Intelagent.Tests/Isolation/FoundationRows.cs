using System.Net.Http.Json;
using Intelagent.Tests.Infrastructure;
using static Intelagent.Server.Platform.Authorization.Permissions;
using static Intelagent.Tests.Isolation.RowBuilder;

namespace Intelagent.Tests.Isolation;

/// <summary>Shared ways to write a matrix row.</summary>
public static class RowBuilder
{
    public static readonly HttpMethod Get = HttpMethod.Get, Post = HttpMethod.Post, Put = HttpMethod.Put, Patch = HttpMethod.Patch, Delete = HttpMethod.Delete;

    public static string Unique(string prefix) => $"{prefix} {Guid.NewGuid().ToString("N")[..8]}";

    public static Row R(HttpMethod method, string pattern, string access, Func<World, Caller, Task<HttpRequestMessage>> build) => new(method.Method, pattern, access, build);

    public static Row R(HttpMethod method, string pattern, string access, Func<World, string> url, Func<World, object?>? body = null, bool header = false) =>
        new(method.Method, pattern, access, (w, c) => Task.FromResult(w.Request(c, method, url(w), body?.Invoke(w), header)));
}

/// <summary>The foundation's routes: organizations, members, teams, projects, notifications, the caller's account.</summary>
public static class FoundationRows
{
    public static readonly Row[] All =
    [
        // Organizations
        R(Get, "/api/organizations", Row.SignedIn, _ => "/api/organizations"),
        R(Post, "/api/organizations", Row.SignedIn, _ => "/api/organizations", _ => new { name = Unique("Org") }),
        R(Get, "/api/organizations/{id}", OrganizationRead, w => $"/api/organizations/{w.Org}"),
        R(Patch, "/api/organizations/{id}", OrganizationUpdate, w => $"/api/organizations/{w.Org}", _ => new { name = Unique("Renamed") }),
        R(Delete, "/api/organizations/{id}", OrganizationDelete, w => $"/api/organizations/{w.Org}"),
        R(Post, "/api/organizations/{id}/cancel-deletion", OrganizationDelete, async (w, c) =>
        {
            await w.App.WithToken(w.Owner.Token).DeleteAsync($"/api/organizations/{w.Org}");
            return w.Request(c, Post, $"/api/organizations/{w.Org}/cancel-deletion");
        }),
        R(Get, "/api/organizations/{id}/permissions/me", OrganizationRead, w => $"/api/organizations/{w.Org}/permissions/me"),
        R(Get, "/api/roles", Row.SignedIn, _ => "/api/roles"),
        R(Patch, "/api/admin/organizations/{id}/tier", PlatformOrganizationsManage, w => $"/api/admin/organizations/{w.Org}/tier", _ => new { subscriptionTier = "pro" }),
        R(Get, "/api/admin/outbox", PlatformOutboxRead, _ => "/api/admin/outbox"),

        // Members and invitations
        R(Get, "/api/organizations/{orgId}/members", MembersRead, w => $"/api/organizations/{w.Org}/members"),
        R(Patch, "/api/organizations/{orgId}/members/{userId}", MembersUpdateRole, async (w, c) =>
        {
            var target = await w.App.AddMemberAsync(w.Owner, "viewer");
            return w.Request(c, Patch, $"/api/organizations/{w.Org}/members/{target.UserId}", new { role = "member" });
        }),
        R(Delete, "/api/organizations/{orgId}/members/{userId}", MembersRemove, async (w, c) =>
        {
            var target = await w.App.AddMemberAsync(w.Owner, "viewer");
            return w.Request(c, Delete, $"/api/organizations/{w.Org}/members/{target.UserId}");
        }),
        R(Post, "/api/organizations/{orgId}/leave", OrganizationRead, w => $"/api/organizations/{w.Org}/leave")
            with { Overrides = new Dictionary<Caller, int> { [Caller.Owner] = 409, [Caller.Operator] = 404 } },
        R(Post, "/api/organizations/{orgId}/transfer-ownership", OrganizationTransfer, w => $"/api/organizations/{w.Org}/transfer-ownership", w => new { userId = w.Admin.UserId }),
        R(Get, "/api/organizations/{orgId}/invitations", MembersRead, w => $"/api/organizations/{w.Org}/invitations"),
        R(Post, "/api/organizations/{orgId}/invitations", MembersInvite, w => $"/api/organizations/{w.Org}/invitations", _ => new { email = Api.UniqueEmail(), role = "viewer" }),
        R(Delete, "/api/organizations/{orgId}/invitations/{invitationId}", MembersInvite, async (w, c) =>
        {
            var id = await w.CreateAsync(w.Owner, $"/api/organizations/{w.Org}/invitations", new { email = Api.UniqueEmail(), role = "viewer" });
            return w.Request(c, Delete, $"/api/organizations/{w.Org}/invitations/{id}");
        }),
        R(Post, "/api/invitations/accept", Row.Anonymous, _ => "/api/invitations/accept", _ => new { token = "not-a-real-token" })
            with { Overrides = new Dictionary<Caller, int> { [Caller.Anonymous] = 400 } },

        // Teams
        R(Get, "/api/organizations/{orgId}/teams", TeamsRead, w => $"/api/organizations/{w.Org}/teams"),
        R(Post, "/api/organizations/{orgId}/teams", TeamsCreate, w => $"/api/organizations/{w.Org}/teams", _ => new { name = Unique("Team") }),
        R(Get, "/api/teams/{id}", TeamsRead, async (w, c) => w.Request(c, Get, $"/api/teams/{await w.ManagersTeamAsync()}")),
        R(Patch, "/api/teams/{id}", TeamsManage, async (w, c) => w.Request(c, Patch, $"/api/teams/{await w.ManagersTeamAsync()}", new { description = "changed" })),
        R(Delete, "/api/teams/{id}", TeamsDelete, async (w, c) => w.Request(c, Delete, $"/api/teams/{await w.ManagersTeamAsync()}")),
        R(Get, "/api/teams/{id}/members", TeamsRead, async (w, c) => w.Request(c, Get, $"/api/teams/{await w.ManagersTeamAsync()}/members")),
        R(Post, "/api/teams/{id}/members", TeamsManage, async (w, c) => w.Request(c, Post, $"/api/teams/{await w.ManagersTeamAsync()}/members", new { userId = w.Member.UserId })),
        R(Patch, "/api/teams/{id}/members/{userId}", TeamsManage, async (w, c) =>
        {
            var team = await w.ManagersTeamAsync();
            await w.App.WithToken(w.Owner.Token).PostAsJsonAsync($"/api/teams/{team}/members", new { userId = w.Viewer.UserId });
            return w.Request(c, Patch, $"/api/teams/{team}/members/{w.Viewer.UserId}", new { role = "lead" });
        }),
        R(Delete, "/api/teams/{id}/members/{userId}", TeamsManage, async (w, c) =>
        {
            var team = await w.ManagersTeamAsync();
            await w.App.WithToken(w.Owner.Token).PostAsJsonAsync($"/api/teams/{team}/members", new { userId = w.Viewer.UserId });
            return w.Request(c, Delete, $"/api/teams/{team}/members/{w.Viewer.UserId}");
        }),

        // Projects
        R(Get, "/api/organizations/{orgId}/projects", ProjectsRead, w => $"/api/organizations/{w.Org}/projects"),
        R(Post, "/api/organizations/{orgId}/projects", ProjectsCreate, w => $"/api/organizations/{w.Org}/projects", _ => new { name = Unique("Project") }),
        R(Get, "/api/projects/{id}", ProjectsRead, async (w, c) => w.Request(c, Get, $"/api/projects/{await w.ManagersProjectAsync()}")),
        R(Patch, "/api/projects/{id}", ProjectsManage, async (w, c) => w.Request(c, Patch, $"/api/projects/{await w.ManagersProjectAsync()}", new { description = "changed" })),
        R(Delete, "/api/projects/{id}", ProjectsDelete, async (w, c) => w.Request(c, Delete, $"/api/projects/{await w.ManagersProjectAsync()}")),

        // Notifications (organization from X-Organization-Id)
        R(Get, "/api/notifications", NotificationsRead, _ => "/api/notifications", header: true),
        R(Get, "/api/notifications/unread-count", NotificationsRead, _ => "/api/notifications/unread-count", header: true),
        R(Post, "/api/notifications/read-all", NotificationsRead, _ => "/api/notifications/read-all", header: true),
        R(Post, "/api/notifications/{id}/read", NotificationsRead, async (w, c) => w.Request(c, Post, $"/api/notifications/{await w.NotificationForAsync(c)}/read")),

        // The caller's own account
        R(Post, "/api/auth/register", Row.Anonymous, _ => "/api/auth/register", _ => new { email = Api.UniqueEmail(), password = Api.Password, name = "New", organizationName = "New Co" })
            with { Overrides = new Dictionary<Caller, int> { [Caller.Anonymous] = 201 } },
        R(Post, "/api/auth/login", Row.Anonymous, _ => "/api/auth/login", w => new { email = w.Owner.Email, password = w.Owner.Password })
            with { Overrides = new Dictionary<Caller, int> { [Caller.Anonymous] = 200 } },
        R(Post, "/api/auth/refresh", Row.Anonymous, _ => "/api/auth/refresh") with { Overrides = new Dictionary<Caller, int> { [Caller.Anonymous] = 401 } },
        R(Post, "/api/auth/verify-email", Row.Anonymous, _ => "/api/auth/verify-email", _ => new { token = "nope" }) with { Overrides = new Dictionary<Caller, int> { [Caller.Anonymous] = 400 } },
        R(Post, "/api/auth/forgot-password", Row.Anonymous, _ => "/api/auth/forgot-password", _ => new { email = Api.UniqueEmail() }) with { Overrides = new Dictionary<Caller, int> { [Caller.Anonymous] = 202 } },
        R(Post, "/api/auth/reset-password", Row.Anonymous, _ => "/api/auth/reset-password", _ => new { token = "nope", password = "long-enough-password" }) with { Overrides = new Dictionary<Caller, int> { [Caller.Anonymous] = 400 } },
        R(Get, "/api/auth/me", Row.SignedIn, _ => "/api/auth/me"),
        R(Post, "/api/auth/logout", Row.SignedIn, _ => "/api/auth/logout"),
        R(Post, "/api/auth/verify-email/resend", Row.SignedIn, _ => "/api/auth/verify-email/resend"),
        R(Post, "/api/auth/change-password", Row.SignedIn, _ => "/api/auth/change-password", _ => new { currentPassword = "wrong-password-x", newPassword = "another-password-1" }),
        R(Get, "/api/auth/sessions", Row.SignedIn, _ => "/api/auth/sessions"),
        // The owner's second session: only the owner may end it; to everyone else it does not exist.
        R(Delete, "/api/auth/sessions/{sessionId}", Row.SignedIn, async (w, c) =>
        {
            var token = await w.App.LoginAsync(w.Owner.Email, w.Owner.Password);
            var sessions = await (await w.App.WithToken(token).GetAsync("/api/auth/sessions")).JsonAsync();
            var id = sessions.EnumerateArray().First(s => s.GetProperty("current").GetBoolean()).GetProperty("id").GetString();
            return w.Request(c, Delete, $"/api/auth/sessions/{id}");
        }) with
        {
            Overrides = new Dictionary<Caller, int>
            {
                [Caller.Foreign] = 404, [Caller.Operator] = 404, [Caller.Viewer] = 404, [Caller.Member] = 404, [Caller.Manager] = 404, [Caller.Admin] = 404, [Caller.Owner] = 204,
            },
        },
    ];

}
