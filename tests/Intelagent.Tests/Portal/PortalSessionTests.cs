using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using Intelagent.Server.Identity;
using Intelagent.Server.Organizations;
using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Http;
using Intelagent.Server.Platform.Problems;
using Intelagent.Server.Platform.Tenancy;
using Intelagent.Server.Portal;
using Intelagent.Server.Security.Access;
using Intelagent.Tests.Infrastructure;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Intelagent.Tests.Portal;

public sealed class PortalSessionTestsOnSqlite(SqliteApp app) : PortalSessionTests<SqliteApp>(app);
public sealed class PortalSessionTestsOnPostgres(PostgresApp app) : PortalSessionTests<PostgresApp>(app);

/// <summary>
/// The portal acts through <see cref="PortalSession"/>: these tests check that it refuses exactly
/// what the API refuses (the same permission handler, tenant and session checks) and that what it
/// does is recorded as an API call would be.
/// </summary>
public abstract class PortalSessionTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : TestApp
{
    [Fact]
    public async Task CreateTeam_WhenTheCallerIsAViewer_ShouldBeRefusedLikeTheApi()
    {
        var owner = await app.RegisterAsync();
        var viewer = await app.AddMemberAsync(owner, "viewer");
        var portal = await SignedInAsync(viewer);

        Assert.False(await portal.AllowsAsync(Permissions.TeamsCreate));
        var result = await portal.RunAsync(Permissions.TeamsCreate, (services, cancellationToken) =>
            services.GetRequiredService<TeamService>().CreateAsync(new CreateTeamRequest("Nope", null), cancellationToken));

        Assert.Equal(403, result.Error?.Status);
        Assert.Equal("forbidden", result.Error?.Code);
        var api = await app.WithToken(viewer.Token).PostAsJsonAsync($"/api/organizations/{owner.OrganizationId}/teams", new { name = "Nope" });
        await Api.ExpectProblemAsync(api, HttpStatusCode.Forbidden, "forbidden");
        Assert.False(await app.WithDbAsync(db => db.Teams.IgnoreQueryFilters().AnyAsync(t => t.OrganizationId == owner.OrganizationId)));
    }

    [Fact]
    public async Task RunAsync_WhenTheOrganizationRequiresTwoFactorAndTheMemberHasNone_ShouldBeRefusedLikeTheApiAndAskForEnrolment()
    {
        var owner = await app.RegisterAsync();
        var member = await app.AddMemberAsync(owner, "member");
        var required = await app.WithToken(owner.Token).PutAsJsonAsync("/api/security/settings", new { requireTwoFactor = true });
        Assert.Equal(HttpStatusCode.OK, required.StatusCode);
        var portal = await SignedInAsync(member);

        var result = await portal.RunAsync(Permissions.TeamsRead, async (services, cancellationToken) =>
            (Result<Page<TeamResponse>>)await services.GetRequiredService<TeamService>().ListAsync(new PageRequest(10, null), cancellationToken));

        Assert.Equal(PortalSession.TwoFactorRequiredCode, result.Error?.Code);
        Assert.Equal(PortalSession.TwoFactorRequiredCode, await portal.ObligationAsync());
        await Api.ExpectProblemAsync(await app.WithToken(member.Token).GetAsync($"/api/organizations/{owner.OrganizationId}/teams"), HttpStatusCode.Forbidden, "two_factor_required");
        // The member's own account stays reachable, so they can enrol.
        var own = await portal.RunForSelfAsync<string>((_, session, _) => Task.FromResult<Result<string>>(session.UserId));
        Assert.Equal(member.UserId, own.Value);
    }

    [Fact]
    public async Task CreateTeam_WhenAllowed_ShouldWriteTheTeamAndTheAuditEntryAsTheCaller()
    {
        var owner = await app.RegisterAsync();
        var portal = await SignedInAsync(owner);
        portal.ClientIp = "203.0.113.7";

        var result = await portal.RunAsync(Permissions.TeamsCreate, (services, cancellationToken) =>
            services.GetRequiredService<TeamService>().CreateAsync(new CreateTeamRequest("Portal team", null), cancellationToken));

        Assert.True(result.IsSuccess, result.Error?.Detail);
        var audit = await app.WithDbAsync(db => db.AuditEntries.SingleAsync(a => a.OrganizationId == owner.OrganizationId && a.Action == "team.created"));
        Assert.Equal(owner.UserId, audit.ActorUserId);
        Assert.Equal(result.Value!.Id, audit.TargetId);
        Assert.Equal("203.0.113.7", audit.Ip);
    }

    [Fact]
    public async Task ManageTeam_WhenAManagerDoesNotLeadIt_ShouldBeRefusedUntilTheyLeadIt()
    {
        var owner = await app.RegisterAsync();
        var manager = await app.AddMemberAsync(owner, "manager");
        var team = await (await app.WithToken(owner.Token).PostAsJsonAsync($"/api/organizations/{owner.OrganizationId}/teams", new { name = "Support" })).JsonAsync();
        var teamId = team.GetProperty("id").GetString()!;
        var portal = await SignedInAsync(manager);

        Assert.False(await portal.AllowsAsync(Permissions.TeamsManage, resourceId: teamId));
        Assert.False(await portal.AllowsAsync(Permissions.TeamsManage), "without a resource the led-team check must fail closed");

        await Api.ExpectAsync(await app.WithToken(owner.Token).PostAsJsonAsync($"/api/teams/{teamId}/members", new { userId = manager.UserId, role = "lead" }), HttpStatusCode.NoContent);
        Assert.True(await portal.AllowsAsync(Permissions.TeamsManage, resourceId: teamId));
    }

    [Fact]
    public async Task Run_ForAnotherOrganization_ShouldAnswerNotFound()
    {
        var owner = await app.RegisterAsync();
        var stranger = await app.RegisterAsync();
        var portal = await SignedInAsync(owner);

        var result = await portal.RunAsync(Permissions.TeamsRead, (_, _) => Task.FromResult<Intelagent.Server.Platform.Problems.Result<bool>>(true), organizationId: stranger.OrganizationId);

        Assert.Equal(404, result.Error?.Status);
    }

    [Fact]
    public async Task Run_AfterSignOut_ShouldRefuseBecauseTheSessionEnded()
    {
        var owner = await app.RegisterAsync();
        var portal = await SignedInAsync(owner);
        Assert.True(await portal.AllowsAsync(Permissions.TeamsRead));

        await Api.ExpectAsync(await app.WithToken(owner.Token).PostAsync("/api/auth/logout", null), HttpStatusCode.NoContent);

        Assert.False(await portal.AllowsAsync(Permissions.TeamsRead));
    }

    [Fact]
    public async Task AdminPermissions_ShouldBeAnOperatorsOnly()
    {
        var owner = await app.RegisterAsync();
        var operatorToken = await app.LoginAsync(TestApp.Operator.Email, TestApp.Operator.Password);

        Assert.False(await (await SignedInAsync(owner)).AllowsAsync(Permissions.PlatformOrganizationsRead));
        var operatorPortal = await SignedInAsync(operatorToken);
        Assert.True(operatorPortal.IsOperator);
        Assert.True(await operatorPortal.AllowsAsync(Permissions.PlatformOrganizationsManage));
        // An operator reads a tenant for support, but does not act in it as a member would.
        Assert.True(await operatorPortal.AllowsAsync(Permissions.OrganizationRead, organizationId: owner.OrganizationId));
        Assert.False(await operatorPortal.AllowsAsync(Permissions.TeamsCreate, organizationId: owner.OrganizationId));
    }

    [Fact]
    public async Task ChangeTier_ByAnOperator_ShouldChangeItAndBeAuditedInTheTenant()
    {
        var owner = await app.RegisterAsync();
        var operatorPortal = await SignedInAsync(await app.LoginAsync(TestApp.Operator.Email, TestApp.Operator.Password));

        var result = await operatorPortal.RunAsync(Permissions.PlatformOrganizationsManage, (services, cancellationToken) =>
            services.GetRequiredService<OrganizationService>().ChangeTierAsync(owner.OrganizationId, SubscriptionTier.Pro, cancellationToken));

        Assert.True(result.IsSuccess, result.Error?.Detail);
        Assert.Equal(SubscriptionTier.Pro, await app.WithDbAsync(db => db.Organizations.IgnoreQueryFilters().Where(o => o.Id == owner.OrganizationId).Select(o => o.SubscriptionTier).SingleAsync()));
        var audit = await app.WithDbAsync(db => db.AuditEntries.SingleAsync(a => a.OrganizationId == owner.OrganizationId && a.Action == "organization.updated"));
        Assert.True(audit.ActorIsOperator);
        Assert.Contains("pro", audit.Data);
    }

    [Fact]
    public async Task PortalPages_ShouldBeHtml_WhileTheApiKeepsItsProblems()
    {
        var client = app.Anonymous();

        var page = await client.GetAsync("/teams");
        await Api.ExpectAsync(page, HttpStatusCode.OK);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("_framework/blazor.web.js", await page.Content.ReadAsStringAsync());
        await Api.ExpectProblemAsync(await client.GetAsync("/api/auth/me"), HttpStatusCode.Unauthorized, "unauthenticated");
        await Api.ExpectProblemAsync(await client.GetAsync("/api/no-such-route"), HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task APortalPage_LeftIdlePastTheOrganizationsTimeout_ShouldEndTheSession_WhileActingKeepsItAlive()
    {
        var owner = await app.RegisterAsync();
        var member = await app.AddMemberAsync(owner, "member");
        await Api.ExpectAsync(await app.WithToken(owner.Token).PutAsJsonAsync("/api/security/settings", new { sessionTimeout = 5 }), HttpStatusCode.OK);
        var portal = await SignedInAsync(member);
        Task<Result<Page<TeamResponse>>> ListTeamsAsync() => portal.RunAsync(Permissions.TeamsRead, async (services, cancellationToken) =>
            (Result<Page<TeamResponse>>)await services.GetRequiredService<TeamService>().ListAsync(new PageRequest(10, null), cancellationToken));

        // Clicking around (the circuit's inbound activity) keeps the session alive past the timeout in total.
        for (var i = 0; i < 3; i++)
        {
            app.Clock.Advance(TimeSpan.FromMinutes(4));
            await portal.TouchAsync();
        }
        Assert.True((await ListTeamsAsync()).IsSuccess);

        // A live refresh of a page left open is not activity: past the timeout it ends the session.
        app.Clock.Advance(TimeSpan.FromMinutes(6));
        var refused = await ListTeamsAsync();
        Assert.Equal(401, refused.Error?.Status);
        Assert.Equal("session_expired", refused.Error?.Code);
        Assert.Equal(401, (await ListTeamsAsync()).Error?.Status);
        await Api.ExpectAsync(await app.WithToken(member.Token).GetAsync("/api/auth/me"), HttpStatusCode.Unauthorized);
        Assert.True(await app.WithDbAsync(db => db.Set<Intelagent.Server.Platform.Auditing.AuditEntry>().AnyAsync(a => a.Action == "session.idle_timeout"), owner.OrganizationId));
    }

    [Fact]
    public async Task AClick_AfterThePageWasLeftIdle_ShouldEndTheSessionInsteadOfReviving()
    {
        var owner = await app.RegisterAsync();
        await Api.ExpectAsync(await app.WithToken(owner.Token).PutAsJsonAsync("/api/security/settings", new { sessionTimeout = 5 }), HttpStatusCode.OK);
        var portal = await SignedInAsync(owner);

        app.Clock.Advance(TimeSpan.FromMinutes(6));
        await portal.TouchAsync();

        var result = await portal.RunAsync(Permissions.TeamsRead, async (services, cancellationToken) =>
            (Result<Page<TeamResponse>>)await services.GetRequiredService<TeamService>().ListAsync(new PageRequest(10, null), cancellationToken));
        Assert.Equal(401, result.Error?.Status);
        Assert.True(await app.WithDbAsync(db => db.Sessions.AnyAsync(s => s.UserId == owner.UserId && s.RevokedAt != null)));
    }

    private Task<PortalSession> SignedInAsync(Account account) => SignedInAsync(account.Token);

    /// <summary>A portal session as a circuit would hold it: the principal the JWT scheme made from the cookie.</summary>
    private Task<PortalSession> SignedInAsync(string token) => PortalSessions.SignedInAsync(app.Services, token);
}
