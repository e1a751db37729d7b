using System.Net;
using System.Net.Http.Json;
using Intelagent.Server.Platform.Authorization;
using Intelagent.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using static Intelagent.Server.Platform.Authorization.Permissions;
using P = Intelagent.Server.Platform.Authorization.Permissions;

namespace Intelagent.Tests.Isolation;

public sealed class IsolationTestsOnSqlite(SqliteApp app) : IsolationTests<SqliteApp>(app);
public sealed class IsolationTestsOnPostgres(PostgresApp app) : IsolationTests<PostgresApp>(app);

/// <summary>
/// Every endpoint x every caller (anonymous, another tenant, the operator, the five roles): allowed,
/// 401, 403 or 404 as the permission catalogue says. A new endpoint that is not in <see cref="Rows"/>
/// fails <see cref="EveryEndpoint_ShouldBeInTheMatrix_WithTheDeclaredAccess"/>.
/// </summary>
public abstract class IsolationTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : TestApp
{
    private static readonly HttpMethod Get = HttpMethod.Get, Post = HttpMethod.Post, Patch = HttpMethod.Patch, Delete = HttpMethod.Delete;

    private static string Unique(string prefix) => $"{prefix} {Guid.NewGuid().ToString("N")[..8]}";

    private static Row R(HttpMethod method, string pattern, string access, Func<World, Caller, Task<HttpRequestMessage>> build) => new(method.Method, pattern, access, build);

    private static Row R(HttpMethod method, string pattern, string access, Func<World, string> url, Func<World, object?>? body = null, bool header = false) =>
        new(method.Method, pattern, access, (w, c) => Task.FromResult(w.Request(c, method, url(w), body?.Invoke(w), header)));

    public static readonly Row[] Rows =
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

    public static TheoryData<string> RowNames => new(Rows.Select(r => r.ToString()));

    /// <summary>Callers in an order where destructive calls by the owner come last.</summary>
    private static readonly Caller[] Callers = [Caller.Anonymous, Caller.Foreign, Caller.Operator, Caller.Viewer, Caller.Member, Caller.Manager, Caller.Admin, Caller.Owner];

    [Theory]
    [MemberData(nameof(RowNames))]
    public async Task Endpoint_ForEveryCaller_ShouldAllowDenyOrHide(string rowName)
    {
        var row = Rows.Single(r => r.ToString() == rowName);
        var world = await World.CreateAsync(app);
        var failures = new List<string>();
        foreach (var caller in row.Access == Row.Anonymous ? [Caller.Anonymous] : Callers)
        {
            var response = await app.Anonymous().SendAsync(await row.Build(world, caller));
            var status = (int)response.StatusCode;
            var expected = Expected(row, caller);
            var ok = expected is int exact ? status == exact : status is not (401 or 403 or 404) && status < 500;
            if (!ok) failures.Add($"{caller}: expected {expected?.ToString() ?? "allowed"}, got {status} {await response.Content.ReadAsStringAsync()}");
        }
        Assert.True(failures.Count == 0, $"{row}:\n" + string.Join("\n", failures));
    }

    /// <summary>An exact status, or null for "allowed" (any answer past authorization).</summary>
    private static int? Expected(Row row, Caller caller)
    {
        if (row.Overrides.TryGetValue(caller, out var overridden)) return overridden;
        if (caller == Caller.Anonymous) return row.Access == Row.Anonymous ? null : 401;
        if (row.Permission is not { } permission) return null;
        if (P.IsPlatform(permission)) return caller == Caller.Operator ? null : 403;
        return caller switch
        {
            Caller.Foreign => 404,
            Caller.Operator => P.OperatorMayUseInAnyTenant(permission) ? null : 403,
            _ => RolePermissions.Grants(RoleOf(caller), permission) ? null : 403,
        };
    }

    private static Role RoleOf(Caller caller) => Enum.Parse<Role>(caller.ToString());

    [Fact]
    public void EveryEndpoint_ShouldBeInTheMatrix_WithTheDeclaredAccess()
    {
        var endpoints = app.Services.GetServices<EndpointDataSource>().SelectMany(s => s.Endpoints).OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api", StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["*"]).Select(m => (Key: $"{m} {e.RoutePattern.RawText!.TrimEnd('/')}", Endpoint: e)))
            .ToList();
        var rows = Rows.ToDictionary(r => r.ToString());

        var missing = endpoints.Where(e => !rows.ContainsKey(e.Key)).Select(e => e.Key).ToList();
        Assert.True(missing.Count == 0, "Endpoints missing from the isolation matrix:\n" + string.Join("\n", missing));
        var stale = rows.Keys.Except(endpoints.Select(e => e.Key)).ToList();
        Assert.True(stale.Count == 0, "Matrix rows without an endpoint:\n" + string.Join("\n", stale));

        foreach (var (key, endpoint) in endpoints)
        {
            var declared = endpoint.Metadata.GetMetadata<PermissionMetadata>()?.Permission
                ?? (endpoint.Metadata.GetMetadata<SignedInMetadata>() is not null ? Row.SignedIn
                : endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null ? Row.Anonymous : "undeclared");
            Assert.True(rows[key].Access == declared, $"{key} declares '{declared}' but the matrix expects '{rows[key].Access}'");
        }
    }
}
