using System.Net.Http.Headers;
using System.Net.Http.Json;
using Intelagent.Server.Identity.ApiKeys;
using Intelagent.Server.Platform.Authorization;
using Intelagent.Tests.Infrastructure;

namespace Intelagent.Tests.Isolation;

public sealed class ApiKeyCallerTestsOnSqlite(SqliteApp app) : ApiKeyCallerTests<SqliteApp>(app);
public sealed class ApiKeyCallerTestsOnPostgres(PostgresApp app) : ApiKeyCallerTests<PostgresApp>(app);

/// <summary>
/// The access-control rows once more, called with an API key that holds every permission a key may
/// hold: the organization's own key may do what its permissions allow and nothing on account routes;
/// another organization's key finds nothing.
/// </summary>
public abstract class ApiKeyCallerTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : TestApp
{
    public static TheoryData<string> RowNames => new(AccessRows.All.Where(r => r.Access != Row.Anonymous).Select(r => r.ToString()));

    [Theory]
    [MemberData(nameof(RowNames))]
    public async Task Endpoint_ForAnApiKey_ShouldFollowTheKeyRules(string rowName)
    {
        var row = AccessRows.All.Single(r => r.ToString() == rowName);
        var world = await World.CreateAsync(app);
        var own = await KeyWithEverythingAsync(world.Owner);
        var foreign = await KeyWithEverythingAsync(world.Foreign);

        var ownStatus = await CallAsync(row, world, own);
        var foreignStatus = await CallAsync(row, world, foreign);

        if (row.Permission is not { } permission)
        {
            Assert.Equal(403, ownStatus);
            Assert.Equal(403, foreignStatus);
            return;
        }
        if (ApiKeyService.NeverGrantable.Contains(permission)) Assert.Equal(403, ownStatus);
        else Assert.True(ownStatus is not (401 or 403 or 404) && ownStatus < 500, $"{row}: own key got {ownStatus}");
        Assert.Equal(404, foreignStatus);
    }

    private async Task<int> CallAsync(Row row, World world, string secret)
    {
        var request = await row.Build(world, Caller.Anonymous);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        return (int)(await app.Anonymous().SendAsync(request)).StatusCode;
    }

    private async Task<string> KeyWithEverythingAsync(Account owner)
    {
        var permissions = RolePermissions.For(Role.Owner).Except(ApiKeyService.NeverGrantable).ToArray();
        var response = await app.WithToken(owner.Token).PostAsJsonAsync("/api/security/api-keys", new { name = "everything", permissions });
        await Api.ExpectAsync(response, System.Net.HttpStatusCode.Created);
        return (await response.JsonAsync()).GetProperty("secret").GetString()!;
    }
}
