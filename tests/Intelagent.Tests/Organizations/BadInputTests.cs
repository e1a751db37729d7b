using System.Net;
using System.Net.Http.Json;
using System.Text;
using Intelagent.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Tests.Organizations;

public sealed class BadInputTestsOnSqlite(SqliteApp app) : BadInputTests<SqliteApp>(app);
public sealed class BadInputTestsOnPostgres(PostgresApp app) : BadInputTests<PostgresApp>(app);

/// <summary>Bad input gets a 4xx problem, never a 500, and changes nothing.</summary>
public abstract class BadInputTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : TestApp
{
    public static TheoryData<string, int, string> Bodies => new()
    {
        { "{\"name\":", 400, "invalid_json" },
        { "{\"name\": 42}", 400, "invalid_json" },
        { "[1,2,3]", 400, "invalid_json" },
        { "{}", 400, "validation_failed" },
        { "{\"name\": \"   \"}", 400, "validation_failed" },
        { "{\"name\": \"" + new string('x', 101) + "\"}", 400, "validation_failed" },
        { "{\"name\": \"ok\", \"description\": \"" + new string('d', 1001) + "\"}", 400, "validation_failed" },
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task CreateTeam_WithBadBody_ShouldAnswerAProblemAndCreateNothing(string body, int status, string code)
    {
        var owner = await app.RegisterAsync();
        var response = await app.WithToken(owner.Token).PostAsync($"/api/organizations/{owner.OrganizationId}/teams", new StringContent(body, Encoding.UTF8, "application/json"));

        await Api.ExpectProblemAsync(response, (HttpStatusCode)status, code);
        Assert.Equal(0, await app.WithDbAsync(db => db.Teams.CountAsync(), owner.OrganizationId));
    }

    [Fact]
    public async Task Register_WithMissingAndInvalidFields_ShouldListEachField()
    {
        var response = await app.Anonymous().PostAsJsonAsync("/api/auth/register", new { email = "not-an-email", password = "short" });
        var problem = await Api.ExpectProblemAsync(response, HttpStatusCode.BadRequest, "validation_failed");
        var fields = problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).ToHashSet();
        Assert.Equal(new HashSet<string> { "email", "password", "name", "organizationName" }, fields);
    }

    [Fact]
    public async Task WrongContentType_ShouldBe415Problem()
    {
        var owner = await app.RegisterAsync();
        var response = await app.WithToken(owner.Token).PostAsync($"/api/organizations/{owner.OrganizationId}/teams", new StringContent("name=x", Encoding.UTF8, "text/plain"));
        await Api.ExpectProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
    }

    [Theory]
    [InlineData("/api/teams/team_01jzzzzzzzzzzzzzzzzzzzzzzz")]
    [InlineData("/api/teams/not-an-id")]
    [InlineData("/api/projects/prj_01jzzzzzzzzzzzzzzzzzzzzzzz")]
    [InlineData("/api/organizations/org_01jzzzzzzzzzzzzzzzzzzzzzzz")]
    [InlineData("/api/organizations/anything/teams")]
    public async Task UnknownIds_ShouldBe404Problems(string path)
    {
        var owner = await app.RegisterAsync();
        await Api.ExpectProblemAsync(await app.WithToken(owner.Token).GetAsync(path), HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task DuplicateProjectName_ShouldConflictCaseInsensitively()
    {
        var owner = await app.RegisterAsync();
        var client = app.WithToken(owner.Token);
        await Api.ExpectAsync(await client.PostAsJsonAsync($"/api/organizations/{owner.OrganizationId}/projects", new { name = "Launch" }), HttpStatusCode.Created);
        await Api.ExpectProblemAsync(await client.PostAsJsonAsync($"/api/organizations/{owner.OrganizationId}/projects", new { name = "LAUNCH" }), HttpStatusCode.Conflict, "project_name_taken");
        Assert.Equal(1, await app.WithDbAsync(db => db.Projects.CountAsync(), owner.OrganizationId));
    }

    [Fact]
    public async Task SeveralMemberships_WithoutTheHeader_ShouldAskForIt()
    {
        var owner = await app.RegisterAsync();
        // With one membership the header is optional (and the answer is cached: joining must refresh it).
        await Api.ExpectAsync(await app.WithToken(owner.Token).GetAsync("/api/notifications"), HttpStatusCode.OK);
        await Api.ExpectAsync(await app.WithToken(owner.Token).PostAsJsonAsync("/api/organizations", new { name = "Second org" }), HttpStatusCode.Created);

        await Api.ExpectProblemAsync(await app.WithToken(owner.Token).GetAsync("/api/notifications"), HttpStatusCode.BadRequest, "organization_required");
        await Api.ExpectAsync(await app.WithToken(owner.Token, owner.OrganizationId).GetAsync("/api/notifications"), HttpStatusCode.OK);
    }
}
