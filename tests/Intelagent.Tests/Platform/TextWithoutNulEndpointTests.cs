using System.Net;
using System.Net.Http.Json;
using System.Text;
using Intelagent.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Tests.Platform;

public sealed class TextWithoutNulEndpointTestsOnSqlite(SqliteApp app) : TextWithoutNulEndpointTests<SqliteApp>(app);
public sealed class TextWithoutNulEndpointTestsOnPostgres(PostgresApp app) : TextWithoutNulEndpointTests<PostgresApp>(app);

/// <summary>A NUL in a JSON body or query is refused, and only once the caller is known to be allowed to send it.</summary>
public abstract class TextWithoutNulEndpointTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : TestApp
{
    private static StringContent NulName() => new("""{"name":"a\u0000b"}""", Encoding.UTF8, "application/json");

    [Fact]
    public async Task JsonBodyWithNul_FromAMember_ShouldBe400AndStoreNothing()
    {
        var owner = await app.RegisterAsync();

        var response = await app.WithToken(owner.Token).PostAsync($"/api/organizations/{owner.OrganizationId}/teams", NulName());

        await Api.ExpectProblemAsync(response, HttpStatusCode.BadRequest, "invalid_text");
        Assert.Equal(0, await app.WithDbAsync(db => db.Teams.CountAsync(), owner.OrganizationId));
        // The same request without the NUL goes through: the check read the body and put it back.
        await Api.ExpectAsync(await app.WithToken(owner.Token).PostAsJsonAsync($"/api/organizations/{owner.OrganizationId}/teams", new { name = "ab" }), HttpStatusCode.Created);
    }

    [Fact]
    public async Task JsonBodyWithNul_FromNobodyOrAnOutsider_ShouldBeRefusedForWhoTheyAre_BeforeTheBodyIsRead()
    {
        var owner = await app.RegisterAsync();
        var outsider = await app.RegisterAsync();

        await Api.ExpectProblemAsync(await app.Anonymous().PostAsync($"/api/organizations/{owner.OrganizationId}/teams", NulName()), HttpStatusCode.Unauthorized);
        var foreign = await app.WithToken(outsider.Token).PostAsync($"/api/organizations/{owner.OrganizationId}/teams", NulName());
        Assert.Contains(foreign.StatusCode, new[] { HttpStatusCode.Forbidden, HttpStatusCode.NotFound });
        Assert.Equal(0, await app.WithDbAsync(db => db.Teams.CountAsync(), owner.OrganizationId));
    }
}
