using System.Net;
using System.Net.Http.Json;
using Intelagent.Server.Identity;
using Intelagent.Server.Identity.ApiKeys;
using Intelagent.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Intelagent.Tests.Security;

public sealed class ApiKeyTestsOnSqlite(SqliteApp app) : ApiKeyTests<SqliteApp>(app);
public sealed class ApiKeyTestsOnPostgres(PostgresApp app) : ApiKeyTests<PostgresApp>(app);

public abstract class ApiKeyTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : TestApp
{
    [Fact]
    public async Task Create_ShouldShowTheSecretOnceAndStoreOnlyItsHash()
    {
        var owner = await app.RegisterAsync();
        var key = await app.CreateKeyAsync(owner, ["teams.read"]);

        Assert.StartsWith("ik_", key.Secret);
        var row = await app.WithDbAsync(db => db.Set<ApiKey>().SingleAsync(k => k.Id == key.Id), owner.OrganizationId);
        Assert.Equal(ApiKey.Hash(key.Secret), row.SecretHash);
        Assert.Equal(key.Secret[..11], row.Prefix);
        Assert.Equal(owner.UserId, row.CreatedByUserId);
        var list = await (await app.WithToken(owner.Token).GetAsync("/api/security/api-keys")).JsonAsync();
        var listed = list.GetProperty("items").EnumerateArray().Single();
        Assert.Equal(key.Id, listed.GetProperty("id").GetString());
        Assert.False(listed.TryGetProperty("secret", out _));
        Assert.DoesNotContain(key.Secret, list.GetRawText());
        var audit = await app.WithDbAsync(db => db.AuditEntries.IgnoreQueryFilters().SingleAsync(e => e.Action == "api_key.created" && e.TargetId == key.Id));
        Assert.DoesNotContain(row.SecretHash, audit.Data ?? "");
    }

    [Fact]
    public async Task Create_WithPermissionsBeyondTheCreator_ShouldBeRefused()
    {
        var owner = await app.RegisterAsync();
        var admin = await app.AddMemberAsync(owner, "admin");
        var client = app.WithToken(admin.Token);

        var notHeld = await client.PostAsJsonAsync("/api/security/api-keys", new { name = "k", permissions = new[] { "teams.read", "organization.delete" } });
        await Api.ExpectProblemAsync(notHeld, HttpStatusCode.Forbidden, "permission_not_held");
        var unknown = await client.PostAsJsonAsync("/api/security/api-keys", new { name = "k", permissions = new[] { "platform.users.read" } });
        await Api.ExpectProblemAsync(unknown, HttpStatusCode.BadRequest, "validation_failed");
        var keyManagement = await client.PostAsJsonAsync("/api/security/api-keys", new { name = "k", permissions = new[] { "api_keys.manage" } });
        await Api.ExpectProblemAsync(keyManagement, HttpStatusCode.BadRequest, "validation_failed");
        var past = await client.PostAsJsonAsync("/api/security/api-keys", new { name = "k", permissions = new[] { "teams.read" }, expiresAt = app.Clock.GetUtcNow().AddDays(-1) });
        await Api.ExpectProblemAsync(past, HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(0, await app.WithDbAsync(db => db.Set<ApiKey>().CountAsync(), owner.OrganizationId));
    }

    [Fact]
    public async Task Key_ShouldDoOnlyWhatItsScopesAndItsCreatorsCurrentRoleAllow()
    {
        var owner = await app.RegisterAsync();
        var admin = await app.AddMemberAsync(owner, "admin");
        var key = await app.CreateKeyAsync(admin, ["teams.read", "teams.create"]);
        var client = app.WithKey(key.Secret);
        var org = owner.OrganizationId;

        await Api.ExpectAsync(await client.GetAsync($"/api/organizations/{org}/teams"), HttpStatusCode.OK);
        var created = await client.PostAsJsonAsync($"/api/organizations/{org}/teams", new { name = "From a key" });
        await Api.ExpectAsync(created, HttpStatusCode.Created);
        var teamId = (await created.JsonAsync()).GetProperty("id").GetString();
        await Api.ExpectProblemAsync(await client.PatchAsJsonAsync($"/api/organizations/{org}", new { name = "Renamed" }), HttpStatusCode.Forbidden, "api_key_scope");

        // The audit trail names the key as the actor, beside its creator.
        var entry = await app.WithDbAsync(db => db.AuditEntries.IgnoreQueryFilters().SingleAsync(e => e.Action == "team.created" && e.TargetId == teamId));
        Assert.Equal(key.Id, entry.ActorApiKeyId);
        Assert.Equal(admin.UserId, entry.ActorUserId);

        // Demote the creator: the key loses what the new role lacks.
        await Api.ExpectAsync(await app.WithToken(owner.Token).PatchAsJsonAsync($"/api/organizations/{org}/members/{admin.UserId}", new { role = "viewer" }), HttpStatusCode.OK);
        await Api.ExpectProblemAsync(await client.PostAsJsonAsync($"/api/organizations/{org}/teams", new { name = "Again" }), HttpStatusCode.Forbidden);
        await Api.ExpectAsync(await client.GetAsync($"/api/organizations/{org}/teams"), HttpStatusCode.OK);
    }

    [Fact]
    public async Task Key_ShouldReachOnlyItsOwnOrganizationAndNoPersonalRoute()
    {
        var owner = await app.RegisterAsync();
        var other = await app.RegisterAsync(organizationName: "Other");
        var key = await app.CreateKeyAsync(owner, ["teams.read", "organization.read", "api_keys.read", "security.settings.read"]);
        var client = app.WithKey(key.Secret, asHeader: true);

        await Api.ExpectAsync(await client.GetAsync($"/api/organizations/{owner.OrganizationId}/teams"), HttpStatusCode.OK);
        await Api.ExpectProblemAsync(await client.GetAsync($"/api/organizations/{other.OrganizationId}/teams"), HttpStatusCode.NotFound);
        await Api.ExpectProblemAsync(await client.GetAsync($"/api/organizations/{other.OrganizationId}"), HttpStatusCode.NotFound);
        var viaHeader = new HttpRequestMessage(HttpMethod.Get, "/api/security/api-keys");
        viaHeader.Headers.Add("X-Organization-Id", other.OrganizationId);
        await Api.ExpectProblemAsync(await client.SendAsync(viaHeader), HttpStatusCode.NotFound);
        await Api.ExpectAsync(await client.GetAsync("/api/security/api-keys"), HttpStatusCode.OK);
        await Api.ExpectAsync(await client.GetAsync("/api/security/settings"), HttpStatusCode.OK);
        await Api.ExpectProblemAsync(await client.PutAsJsonAsync("/api/security/settings", new { sessionTimeout = 60 }), HttpStatusCode.Forbidden, "api_key_scope");

        await Api.ExpectProblemAsync(await client.GetAsync("/api/auth/me"), HttpStatusCode.Forbidden, "api_key_not_allowed");
        await Api.ExpectProblemAsync(await client.PostAsync("/api/auth/2fa/totp/enroll", null), HttpStatusCode.Forbidden, "api_key_not_allowed");
        await Api.ExpectProblemAsync(await client.PostAsync($"/api/organizations/{owner.OrganizationId}/leave", null), HttpStatusCode.Forbidden, "api_key_not_allowed");
        await Api.ExpectProblemAsync(await client.PostAsJsonAsync("/api/security/api-keys", new { name = "child", permissions = new[] { "teams.read" } }), HttpStatusCode.Forbidden, "api_key_scope");
        await Api.ExpectProblemAsync(await app.WithKey("ik_not-a-real-key-at-all-0000000000").GetAsync("/api/security/api-keys"), HttpStatusCode.Unauthorized, "invalid_api_key");
    }

    [Fact]
    public async Task RevokedKey_ShouldBeRefusedAtOnce()
    {
        var owner = await app.RegisterAsync();
        var key = await app.CreateKeyAsync(owner, ["teams.read"]);
        var url = $"/api/organizations/{owner.OrganizationId}/teams";
        await Api.ExpectAsync(await app.WithKey(key.Secret).GetAsync(url), HttpStatusCode.OK);

        await Api.ExpectAsync(await app.WithToken(owner.Token).DeleteAsync($"/api/security/api-keys/{key.Id}"), HttpStatusCode.NoContent);

        await Api.ExpectProblemAsync(await app.WithKey(key.Secret).GetAsync(url), HttpStatusCode.Unauthorized, "invalid_api_key");
        Assert.True(await app.WithDbAsync(db => db.AuditEntries.IgnoreQueryFilters().AnyAsync(e => e.Action == "api_key.revoked" && e.TargetId == key.Id && e.ActorUserId == owner.UserId)));
    }

    [Fact]
    public async Task Rotate_ShouldKeepTheOldKeyWorkingUntilTheGracePeriodEnds()
    {
        var owner = await app.RegisterAsync();
        var old = await app.CreateKeyAsync(owner, ["teams.read"]);
        var url = $"/api/organizations/{owner.OrganizationId}/teams";

        var rotated = await app.WithToken(owner.Token).PostAsJsonAsync($"/api/security/api-keys/{old.Id}/rotate", new { gracePeriodHours = 2 });
        await Api.ExpectAsync(rotated, HttpStatusCode.Created);
        var body = await rotated.JsonAsync();
        var newSecret = body.GetProperty("secret").GetString()!;
        Assert.Equal(old.Id, body.GetProperty("replacesKeyId").GetString());
        Assert.NotEqual(old.Secret, newSecret);

        await Api.ExpectAsync(await app.WithKey(old.Secret).GetAsync(url), HttpStatusCode.OK);
        await Api.ExpectAsync(await app.WithKey(newSecret).GetAsync(url), HttpStatusCode.OK);
        await Api.ExpectProblemAsync(await app.WithToken(owner.Token).PostAsJsonAsync($"/api/security/api-keys/{old.Id}/rotate", new { gracePeriodHours = 1 }), HttpStatusCode.Conflict, "api_key_not_active");

        app.Clock.Advance(TimeSpan.FromHours(2) + TimeSpan.FromMinutes(1));
        await Api.ExpectProblemAsync(await app.WithKey(old.Secret).GetAsync(url), HttpStatusCode.Unauthorized, "invalid_api_key");
        await Api.ExpectAsync(await app.WithKey(newSecret).GetAsync(url), HttpStatusCode.OK);
    }

    [Fact]
    public async Task LastUse_ShouldStayInMemoryUntilTheBatchFlush()
    {
        var owner = await app.RegisterAsync();
        var key = await app.CreateKeyAsync(owner, ["teams.read"]);
        var request = new HttpRequestMessage(HttpMethod.Get, $"/api/organizations/{owner.OrganizationId}/teams");
        await Api.ExpectAsync(await app.WithKey(key.Secret).SendAsync(request), HttpStatusCode.OK);
        Assert.Null(await app.WithDbAsync(db => db.Set<ApiKey>().Where(k => k.Id == key.Id).Select(k => k.LastUsedAt).SingleAsync(), owner.OrganizationId));

        await app.Services.GetRequiredService<ActivityFlushService>().FlushAsync(CancellationToken.None);

        var row = await app.WithDbAsync(db => db.Set<ApiKey>().SingleAsync(k => k.Id == key.Id), owner.OrganizationId);
        Assert.NotNull(row.LastUsedAt);
        // The owner's session activity (creating the key) went out in the same batch.
        Assert.True(await app.WithDbAsync(db => db.Sessions.AnyAsync(s => s.UserId == owner.UserId && s.LastActivityAt != null)));
    }

    [Fact]
    public async Task List_WhenAKeyPassesNinetyDays_ShouldRecommendRotation()
    {
        var owner = await app.RegisterAsync();
        var key = await app.CreateKeyAsync(owner, ["teams.read"]);
        await app.WithDbAsync(db => db.Set<ApiKey>().Where(k => k.Id == key.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(k => k.CreatedAt, app.Clock.GetUtcNow().AddDays(-91))), owner.OrganizationId);

        var item = (await (await app.WithToken(owner.Token).GetAsync("/api/security/api-keys")).JsonAsync()).GetProperty("items")[0];

        Assert.True(item.GetProperty("rotationRecommended").GetBoolean());
        Assert.Equal("active", item.GetProperty("status").GetString());
    }
}
