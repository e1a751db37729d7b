using System.Net;
using System.Net.Http.Json;
using Intelagent.Server.Organizations;
using Intelagent.Server.Platform.Authorization;
using Intelagent.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Intelagent.Tests.Organizations;

public sealed class OrganizationTestsOnSqlite(SqliteApp app) : OrganizationTests<SqliteApp>(app);
public sealed class OrganizationTestsOnPostgres(PostgresApp app) : OrganizationTests<PostgresApp>(app);

public abstract class OrganizationTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : TestApp
{
    [Fact]
    public async Task InviteAcceptTeamProjectAndRoleChange_ShouldWorkEndToEnd_AndBeAudited()
    {
        var owner = await app.RegisterAsync();
        var client = app.WithToken(owner.Token);

        var member = await app.AddMemberAsync(owner, "member");
        var team = await (await client.PostAsJsonAsync($"/api/organizations/{owner.OrganizationId}/teams", new { name = "Support" })).JsonAsync();
        var teamId = team.GetProperty("id").GetString();
        await Api.ExpectAsync(await client.PostAsJsonAsync($"/api/teams/{teamId}/members", new { userId = member.UserId, role = "member" }), HttpStatusCode.NoContent);
        var project = await client.PostAsJsonAsync($"/api/organizations/{owner.OrganizationId}/projects", new { name = "Chatbot", teamId });
        await Api.ExpectAsync(project, HttpStatusCode.Created);

        var promote = await client.PatchAsJsonAsync($"/api/organizations/{owner.OrganizationId}/members/{member.UserId}", new { role = "manager" });
        await Api.ExpectAsync(promote, HttpStatusCode.OK);
        Assert.Equal("manager", (await promote.JsonAsync()).GetProperty("role").GetString());

        var detail = await (await app.WithToken(member.Token).GetAsync($"/api/teams/{teamId}")).JsonAsync();
        Assert.Equal("Chatbot", detail.GetProperty("projects")[0].GetProperty("name").GetString());
        var audit = await app.WithDbAsync(db => db.AuditEntries.Where(a => a.OrganizationId == owner.OrganizationId).Select(a => a.Action).ToListAsync());
        Assert.Contains("team.created", audit);
        Assert.Contains("project.created", audit);
        Assert.Contains("invitation.created", audit);
        var roleChange = await app.WithDbAsync(db => db.AuditEntries.SingleAsync(a => a.OrganizationId == owner.OrganizationId && a.Action == "membership.updated"));
        Assert.Equal(owner.UserId, roleChange.ActorUserId);
        Assert.Contains("\"before\":\"member\"", roleChange.Data);

        await app.DispatchEventsAsync();
        var notifications = await (await app.WithToken(member.Token).GetAsync("/api/notifications")).JsonAsync();
        Assert.Contains(notifications.GetProperty("items").EnumerateArray(), n => n.GetProperty("type").GetString() == "member.role_changed");
    }

    [Fact]
    public async Task RoleRules_ShouldStopGrantingAboveOnesOwnRole()
    {
        var owner = await app.RegisterAsync();
        var admin = await app.AddMemberAsync(owner, "admin");
        var manager = await app.AddMemberAsync(owner, "manager");
        var viewer = await app.AddMemberAsync(owner, "viewer");
        var org = owner.OrganizationId;

        await Api.ExpectProblemAsync(await app.WithToken(admin.Token).PatchAsJsonAsync($"/api/organizations/{org}/members/{viewer.UserId}", new { role = "admin" }), HttpStatusCode.Forbidden, "role_too_high");
        await Api.ExpectProblemAsync(await app.WithToken(manager.Token).PostAsJsonAsync($"/api/organizations/{org}/invitations", new { email = Api.UniqueEmail(), role = "admin" }), HttpStatusCode.Forbidden, "role_too_high");
        await Api.ExpectProblemAsync(await app.WithToken(admin.Token).DeleteAsync($"/api/organizations/{org}/members/{owner.UserId}"), HttpStatusCode.Forbidden, "owner_role");
        await Api.ExpectProblemAsync(await app.WithToken(viewer.Token).PostAsJsonAsync($"/api/organizations/{org}/teams", new { name = "Nope" }), HttpStatusCode.Forbidden, "forbidden");
        await Api.ExpectProblemAsync(await app.WithToken(owner.Token).PostAsync($"/api/organizations/{org}/leave", null), HttpStatusCode.Conflict, "owner_must_transfer");
        await Api.ExpectProblemAsync(await app.WithToken(owner.Token).PatchAsJsonAsync($"/api/organizations/{org}/members/{admin.UserId}", new { role = "owner" }), HttpStatusCode.UnprocessableEntity, "use_transfer");

        var roles = await app.WithDbAsync(db => db.Memberships.Select(m => m.Role).ToListAsync(), org);
        Assert.Equal(1, roles.Count(r => r == Role.Owner));
        Assert.Equal(0, await app.WithDbAsync(db => db.Teams.CountAsync(), org));
    }

    [Fact]
    public async Task TransferOwnership_ShouldMoveTheOwnerRoleAndKeepExactlyOneOwner()
    {
        var owner = await app.RegisterAsync();
        var admin = await app.AddMemberAsync(owner, "admin");

        await Api.ExpectAsync(await app.WithToken(owner.Token).PostAsJsonAsync($"/api/organizations/{owner.OrganizationId}/transfer-ownership", new { userId = admin.UserId }), HttpStatusCode.NoContent);

        var roles = await app.WithDbAsync(db => db.Memberships.ToDictionaryAsync(m => m.UserId, m => m.Role), owner.OrganizationId);
        Assert.Equal(Role.Owner, roles[admin.UserId]);
        Assert.Equal(Role.Admin, roles[owner.UserId]);
        await Api.ExpectAsync(await app.WithToken(owner.Token).PostAsync($"/api/organizations/{owner.OrganizationId}/leave", null), HttpStatusCode.NoContent);
        await Api.ExpectProblemAsync(await app.WithToken(owner.Token).GetAsync($"/api/organizations/{owner.OrganizationId}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ManagerWhoLeadsATeam_ShouldManageItButNotOtherTeams()
    {
        var owner = await app.RegisterAsync();
        var manager = await app.AddMemberAsync(owner, "manager");
        var own = await (await app.WithToken(manager.Token).PostAsJsonAsync($"/api/organizations/{owner.OrganizationId}/teams", new { name = "Mine" })).JsonAsync();
        var other = await (await app.WithToken(owner.Token).PostAsJsonAsync($"/api/organizations/{owner.OrganizationId}/teams", new { name = "Theirs" })).JsonAsync();

        await Api.ExpectAsync(await app.WithToken(manager.Token).PatchAsJsonAsync($"/api/teams/{own.GetProperty("id").GetString()}", new { name = "Mine, renamed" }), HttpStatusCode.OK);
        await Api.ExpectProblemAsync(await app.WithToken(manager.Token).PatchAsJsonAsync($"/api/teams/{other.GetProperty("id").GetString()}", new { name = "Taken over" }), HttpStatusCode.Forbidden);

        var names = await app.WithDbAsync(db => db.Teams.OrderBy(t => t.Name).Select(t => t.Name).ToListAsync(), owner.OrganizationId);
        Assert.Equal(["Mine, renamed", "Theirs"], names);
    }

    [Fact]
    public async Task Patch_WithStaleIfMatch_ShouldBe412AndChangeNothing()
    {
        var owner = await app.RegisterAsync();
        var client = app.WithToken(owner.Token);
        var read = await client.GetAsync($"/api/organizations/{owner.OrganizationId}");
        var etag = read.Headers.ETag!.Tag;
        await Api.ExpectAsync(await client.PatchAsJsonAsync($"/api/organizations/{owner.OrganizationId}", new { name = "First" }), HttpStatusCode.OK);

        var stale = new HttpRequestMessage(HttpMethod.Patch, $"/api/organizations/{owner.OrganizationId}") { Content = JsonContent.Create(new { name = "Second" }) };
        stale.Headers.TryAddWithoutValidation("If-Match", etag);
        await Api.ExpectProblemAsync(await client.SendAsync(stale), HttpStatusCode.PreconditionFailed, "stale_version");

        var name = await app.WithDbAsync(db => db.Organizations.Select(o => o.Name).SingleAsync(), owner.OrganizationId);
        Assert.Equal("First", name);
    }

    [Fact]
    public async Task Delete_ShouldScheduleAfterTheGracePeriod_BeCancellable_AndPurgeWhenItEnds()
    {
        var owner = await app.RegisterAsync();
        var client = app.WithToken(owner.Token);
        var scheduled = await client.DeleteAsync($"/api/organizations/{owner.OrganizationId}");
        await Api.ExpectAsync(scheduled, HttpStatusCode.Accepted);
        Assert.True((await scheduled.JsonAsync()).GetProperty("deletionScheduledFor").GetDateTimeOffset() > app.Clock.GetUtcNow().AddDays(29));
        await Api.ExpectAsync(await client.PostAsync($"/api/organizations/{owner.OrganizationId}/cancel-deletion", null), HttpStatusCode.OK);
        await Api.ExpectAsync(await client.DeleteAsync($"/api/organizations/{owner.OrganizationId}"), HttpStatusCode.Accepted);

        Assert.Equal(0, await PurgeAsync());
        app.Clock.Advance(TimeSpan.FromDays(31));
        Assert.True(await PurgeAsync() >= 1);

        Assert.False(await app.WithDbAsync(db => db.Organizations.IgnoreQueryFilters().AnyAsync(o => o.Id == owner.OrganizationId)));
        Assert.False(await app.WithDbAsync(db => db.Memberships.IgnoreQueryFilters().AnyAsync(m => m.OrganizationId == owner.OrganizationId)));
    }

    [Fact]
    public async Task ListOrganizations_ShouldShowEverythingToOperatorsAndOnlyOwnToOthers()
    {
        var first = await app.RegisterAsync(organizationName: "Zeta Tenant");
        var second = await app.RegisterAsync(organizationName: "Omega Tenant");
        var operatorToken = await app.LoginAsync(TestApp.Operator.Email, TestApp.Operator.Password);

        var mine = await (await app.WithToken(first.Token).GetAsync("/api/organizations")).JsonAsync();
        var all = await (await app.WithToken(operatorToken).GetAsync("/api/organizations?limit=200&name=tenant")).JsonAsync();

        Assert.Equal([first.OrganizationId], mine.GetProperty("items").EnumerateArray().Select(o => o.GetProperty("id").GetString()));
        var ids = all.GetProperty("items").EnumerateArray().Select(o => o.GetProperty("id").GetString()).ToList();
        Assert.Contains(first.OrganizationId, ids);
        Assert.Contains(second.OrganizationId, ids);
    }

    [Fact]
    public async Task Paging_ShouldWalkEveryItemOnceWithTheCursor()
    {
        var owner = await app.RegisterAsync();
        var client = app.WithToken(owner.Token);
        for (var i = 0; i < 7; i++) await client.PostAsJsonAsync($"/api/organizations/{owner.OrganizationId}/projects", new { name = $"Project {i}" });

        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await (await client.GetAsync($"/api/organizations/{owner.OrganizationId}/projects?limit=3" + (cursor is null ? "" : $"&cursor={cursor}"))).JsonAsync();
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(p => p.GetProperty("name").GetString()!));
            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);

        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"Project {i}"), seen);
        await Api.ExpectProblemAsync(await client.GetAsync($"/api/organizations/{owner.OrganizationId}/projects?limit=500"), HttpStatusCode.BadRequest, "validation_failed");
    }

    private async Task<int> PurgeAsync()
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<OrganizationDeletion>().PurgeDueAcrossTenantsAsync(CancellationToken.None);
    }
}
