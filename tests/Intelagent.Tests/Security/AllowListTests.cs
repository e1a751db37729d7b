using System.Net;
using System.Net.Http.Json;
using Intelagent.Server.Identity;
using Intelagent.Server.Identity.ApiKeys;
using Intelagent.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Intelagent.Tests.Security;

/// <summary>Apps behind a trusted proxy: X-Forwarded-For names the client.</summary>
public sealed class ProxiedSqliteApp : SqliteApp
{
    protected override IEnumerable<(string Key, string Value)> ExtraSettings => [("TRUSTED_PROXIES", "127.0.0.1/32,::1/128")];
}

public sealed class ProxiedPostgresApp : PostgresApp
{
    protected override IEnumerable<(string Key, string Value)> ExtraSettings => [("TRUSTED_PROXIES", "127.0.0.1/32,::1/128")];
}

public sealed class AllowListTestsOnSqlite(ProxiedSqliteApp app) : AllowListTests<ProxiedSqliteApp>(app);
public sealed class AllowListTestsOnPostgres(ProxiedPostgresApp app) : AllowListTests<ProxiedPostgresApp>(app);

public abstract class AllowListTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : TestApp
{
    private static HttpRequestMessage From(string address, HttpMethod method, string url, object? body = null)
    {
        var request = new HttpRequestMessage(method, url);
        if (body is not null) request.Content = JsonContent.Create(body);
        request.Headers.Add("X-Forwarded-For", address);
        return request;
    }

    [Fact]
    public async Task Request_FromOutsideTheAllowList_ShouldBe403ForThatOrganizationOnly()
    {
        var owner = await app.RegisterAsync();
        var client = app.WithToken(owner.Token);
        var key = await app.CreateKeyAsync(owner, ["teams.read"]);
        await Api.ExpectAsync(await client.SendAsync(From("198.51.100.7", HttpMethod.Put, "/api/security/settings",
            new { ipWhitelist = new[] { "198.51.100.0/24", "2001:db8::/32" } })), HttpStatusCode.OK);
        var teams = $"/api/organizations/{owner.OrganizationId}/teams";

        await Api.ExpectAsync(await client.SendAsync(From("198.51.100.200", HttpMethod.Get, teams)), HttpStatusCode.OK);
        await Api.ExpectAsync(await client.SendAsync(From("2001:db8::42", HttpMethod.Get, teams)), HttpStatusCode.OK);
        await Api.ExpectProblemAsync(await client.SendAsync(From("203.0.113.9", HttpMethod.Get, teams)), HttpStatusCode.Forbidden, "ip_not_allowed");
        await Api.ExpectProblemAsync(await client.SendAsync(From("2001:db9::1", HttpMethod.Get, teams)), HttpStatusCode.Forbidden, "ip_not_allowed");
        // The caller's own account is not the organization's: it stays reachable.
        await Api.ExpectAsync(await client.SendAsync(From("203.0.113.9", HttpMethod.Get, "/api/auth/me")), HttpStatusCode.OK);

        var keyRequest = From("203.0.113.9", HttpMethod.Get, teams);
        keyRequest.Headers.Add("X-Api-Key", key.Secret);
        await Api.ExpectProblemAsync(await app.Anonymous().SendAsync(keyRequest), HttpStatusCode.Forbidden, "ip_not_allowed");

        // The attempt is the key's use from an address it never came from: the batch flush records it.
        await app.Services.GetRequiredService<ActivityFlushService>().FlushAsync(CancellationToken.None);
        var entry = await app.WithDbAsync(db => db.AuditEntries.IgnoreQueryFilters().SingleAsync(e => e.Action == "api_key.used_from_new_address" && e.TargetId == key.Id));
        Assert.Equal(("203.0.113.9", key.Id, owner.OrganizationId), (entry.Ip, entry.ActorApiKeyId, entry.OrganizationId));
        Assert.Equal("203.0.113.9", await app.WithDbAsync(db => db.Set<ApiKey>().IgnoreQueryFilters().Where(k => k.Id == key.Id).Select(k => k.LastUsedIp).SingleAsync()));
    }

    [Fact]
    public async Task Put_AnAllowListThatExcludesTheCaller_ShouldBeRefused()
    {
        var owner = await app.RegisterAsync();

        var response = await app.WithToken(owner.Token).SendAsync(From("203.0.113.9", HttpMethod.Put, "/api/security/settings", new { ipWhitelist = new[] { "198.51.100.0/24" } }));

        await Api.ExpectProblemAsync(response, HttpStatusCode.Conflict, "would_lock_out_caller");
        var settings = await (await app.WithToken(owner.Token).GetAsync("/api/security/settings")).JsonAsync();
        Assert.Equal(0, settings.GetProperty("ipWhitelist").GetArrayLength());
    }
}
