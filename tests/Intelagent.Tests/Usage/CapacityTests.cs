using System.Net;
using System.Net.Http.Json;
using Intelagent.Tests.Infrastructure;

namespace Intelagent.Tests.Usage;

public sealed class CapacityTestsOnSqlite(LimitedSqliteApp app) : CapacityTests<LimitedSqliteApp>(app);
public sealed class CapacityTestsOnPostgres(LimitedPostgresApp app) : CapacityTests<LimitedPostgresApp>(app);

/// <summary>Seat and project limits of the tier, where members are invited and projects created.</summary>
public abstract class CapacityTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : TestApp
{
    private async Task<HttpClient> OperatorAsync() => app.WithToken(await app.LoginAsync(TestApp.Operator.Email, TestApp.Operator.Password));

    private static Task<HttpResponseMessage> InviteAsync(HttpClient client, Account owner) =>
        client.PostAsJsonAsync($"/api/organizations/{owner.OrganizationId}/invitations", new { email = Api.UniqueEmail(), role = "member" });

    [Fact]
    public async Task Invite_WhenMembersAndPendingInvitationsFillTheSeats_ShouldBe409NamingTheLimit()
    {
        var owner = await app.RegisterAsync();
        var client = app.WithToken(owner.Token);
        await Api.ExpectAsync(await InviteAsync(client, owner), HttpStatusCode.Created);
        var pending = await (await InviteAsync(client, owner)).JsonAsync();

        var refused = await InviteAsync(client, owner);
        var problem = await Api.ExpectProblemAsync(refused, HttpStatusCode.Conflict, "seat_limit_reached");
        Assert.Contains("3 seats", problem.GetProperty("detail").GetString());
        Assert.Contains("Upgrade", problem.GetProperty("detail").GetString());

        var revoke = await client.DeleteAsync($"/api/organizations/{owner.OrganizationId}/invitations/{pending.GetProperty("id").GetString()}");
        Assert.True(revoke.IsSuccessStatusCode);
        await Api.ExpectAsync(await InviteAsync(client, owner), HttpStatusCode.Created);
    }

    [Fact]
    public async Task CreateProject_OverTheLimit_ShouldBe409_UntilAnOverrideRaisesItAtOnce()
    {
        var owner = await app.RegisterAsync();
        var client = app.WithToken(owner.Token);
        var url = $"/api/organizations/{owner.OrganizationId}/projects";
        await Api.ExpectAsync(await client.PostAsJsonAsync(url, new { name = "First" }), HttpStatusCode.Created);
        await Api.ExpectProblemAsync(await client.PostAsJsonAsync(url, new { name = "Second" }), HttpStatusCode.Conflict, "project_limit_reached");

        await Api.ExpectAsync(await (await OperatorAsync()).PutAsJsonAsync($"/api/admin/organizations/{owner.OrganizationId}/limits", new { projects = 2 }), HttpStatusCode.OK);
        await Api.ExpectAsync(await client.PostAsJsonAsync(url, new { name = "Second" }), HttpStatusCode.Created);
    }

    [Fact]
    public async Task Downgrade_BelowCurrentUse_ShouldKeepWhatExistsAndBlockNewProjects()
    {
        var owner = await app.RegisterAsync();
        var operatorClient = await OperatorAsync();
        await Api.ExpectAsync(await operatorClient.PatchAsJsonAsync($"/api/admin/organizations/{owner.OrganizationId}/tier", new { subscriptionTier = "basic" }), HttpStatusCode.OK);
        await app.DispatchEventsAsync();
        var client = app.WithToken(owner.Token);
        var url = $"/api/organizations/{owner.OrganizationId}/projects";
        await Api.ExpectAsync(await client.PostAsJsonAsync(url, new { name = "One" }), HttpStatusCode.Created);
        await Api.ExpectAsync(await client.PostAsJsonAsync(url, new { name = "Two" }), HttpStatusCode.Created);

        await Api.ExpectAsync(await operatorClient.PatchAsJsonAsync($"/api/admin/organizations/{owner.OrganizationId}/tier", new { subscriptionTier = "free" }), HttpStatusCode.OK);
        await app.DispatchEventsAsync();

        await Api.ExpectProblemAsync(await client.PostAsJsonAsync(url, new { name = "Three" }), HttpStatusCode.Conflict, "project_limit_reached");
        var projects = (await (await client.GetAsync("/api/usage")).JsonAsync()).GetProperty("projects");
        Assert.Equal(2, projects.GetProperty("used").GetInt64());
        Assert.Equal(1, projects.GetProperty("limit").GetInt64());
    }
}
