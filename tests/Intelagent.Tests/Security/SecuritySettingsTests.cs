using System.Net;
using System.Net.Http.Json;
using Intelagent.Server.Security.Access;
using Intelagent.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Tests.Security;

public sealed class SecuritySettingsTestsOnSqlite(SqliteApp app) : SecuritySettingsTests<SqliteApp>(app);
public sealed class SecuritySettingsTestsOnPostgres(PostgresApp app) : SecuritySettingsTests<PostgresApp>(app);

public abstract class SecuritySettingsTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : TestApp
{
    [Fact]
    public async Task Get_WithoutChanges_ShouldAnswerTheDefaultsInTheSpecsShape()
    {
        var owner = await app.RegisterAsync();

        var body = await (await app.WithToken(owner.Token).GetAsync("/api/security/settings")).JsonAsync();

        Assert.False(body.GetProperty("requireTwoFactor").GetBoolean());
        Assert.Equal(0, body.GetProperty("ipWhitelist").GetArrayLength());
        Assert.Equal(0, body.GetProperty("sessionTimeout").GetInt32());
        Assert.Equal(10, body.GetProperty("passwordPolicy").GetProperty("minLength").GetInt32());
        Assert.Equal(0, body.GetProperty("passwordPolicy").GetProperty("expirationDays").GetInt32());
    }

    [Fact]
    public async Task Put_ShouldSaveAndAuditBeforeAndAfter()
    {
        var owner = await app.RegisterAsync();
        var client = app.WithToken(owner.Token);
        await Api.ExpectAsync(await client.PutAsJsonAsync("/api/security/settings", new { sessionTimeout = 30 }), HttpStatusCode.OK);

        var response = await client.PutAsJsonAsync("/api/security/settings", new { sessionTimeout = 60, passwordPolicy = new { minLength = 12, requireNumbers = true } });

        await Api.ExpectAsync(response, HttpStatusCode.OK);
        var body = await response.JsonAsync();
        Assert.Equal(60, body.GetProperty("sessionTimeout").GetInt32());
        Assert.True(body.GetProperty("passwordPolicy").GetProperty("requireNumbers").GetBoolean());
        var entry = await app.WithDbAsync(db => db.AuditEntries.IgnoreQueryFilters()
            .Where(e => e.OrganizationId == owner.OrganizationId && e.Action == "security_settings.updated").SingleAsync());
        Assert.Contains("\"sessionTimeout\":{\"before\":30,\"after\":60}", entry.Data);
        Assert.Contains("\"passwordMinLength\":{\"before\":10,\"after\":12}", entry.Data);
    }

    [Fact]
    public async Task Put_WithBadValues_ShouldAnswer400ForEachField()
    {
        var owner = await app.RegisterAsync();

        var response = await app.WithToken(owner.Token).PutAsJsonAsync("/api/security/settings", new
        {
            ipWhitelist = new[] { "10.0.0.0/33", "not-an-address", "2001:db8::/32" },
            sessionTimeout = 2,
            passwordPolicy = new { minLength = 4, expirationDays = -1 },
        });

        var problem = await Api.ExpectProblemAsync(response, HttpStatusCode.BadRequest, "validation_failed");
        var errors = problem.GetProperty("errors");
        foreach (var field in new[] { "ipWhitelist[0]", "ipWhitelist[1]", "sessionTimeout", "passwordPolicy.minLength", "passwordPolicy.expirationDays" })
            Assert.True(errors.TryGetProperty(field, out _), field);
        Assert.False(errors.TryGetProperty("ipWhitelist[2]", out _));
    }

    [Fact]
    public async Task Put_AnAllowListWithoutTheCallersAddress_ShouldBeRefused()
    {
        var owner = await app.RegisterAsync();
        var request = new HttpRequestMessage(HttpMethod.Put, "/api/security/settings") { Content = JsonContent.Create(new { ipWhitelist = new[] { "198.51.100.0/24" } }) };
        // No proxy is trusted here, so claiming an address inside the list changes nothing.
        request.Headers.Add("X-Forwarded-For", "198.51.100.7");

        await Api.ExpectProblemAsync(await app.WithToken(owner.Token).SendAsync(request), HttpStatusCode.Conflict, "would_lock_out_caller");

        Assert.False(await app.WithDbAsync(db => db.Set<SecuritySettings>().AnyAsync(), owner.OrganizationId));
    }

    [Fact]
    public async Task Request_WithAForgedForwardedHeader_WhenNoProxyIsTrusted_ShouldStillBeOutsideTheAllowList()
    {
        var owner = await app.RegisterAsync();
        await app.WithDbAsync(async db =>
        {
            db.Set<SecuritySettings>().Add(new SecuritySettings { OrganizationId = owner.OrganizationId, IpWhitelist = "198.51.100.0/24" });
            return await db.SaveChangesAsync();
        }, owner.OrganizationId);
        var request = new HttpRequestMessage(HttpMethod.Get, $"/api/organizations/{owner.OrganizationId}/teams");
        request.Headers.Add("X-Forwarded-For", "198.51.100.7");

        await Api.ExpectProblemAsync(await app.WithToken(owner.Token).SendAsync(request), HttpStatusCode.Forbidden, "ip_not_allowed");
    }

    [Fact]
    public async Task Session_IdleLongerThanTheTimeout_ShouldEndServerSide()
    {
        var owner = await app.RegisterAsync();
        var client = app.WithToken(owner.Token);
        await Api.ExpectAsync(await client.PutAsJsonAsync("/api/security/settings", new { sessionTimeout = 5 }), HttpStatusCode.OK);
        var teams = $"/api/organizations/{owner.OrganizationId}/teams";
        app.Clock.Advance(TimeSpan.FromMinutes(4));
        await Api.ExpectAsync(await client.GetAsync(teams), HttpStatusCode.OK); // activity keeps it alive

        app.Clock.Advance(TimeSpan.FromMinutes(6));

        await Api.ExpectProblemAsync(await client.GetAsync(teams), HttpStatusCode.Unauthorized, "session_expired");
        await Api.ExpectAsync(await client.GetAsync("/api/auth/me"), HttpStatusCode.Unauthorized);
        Assert.True(await app.WithDbAsync(db => db.Sessions.AnyAsync(s => s.UserId == owner.UserId && s.RevokedAt != null)));
    }

    [Fact]
    public async Task ChangePassword_ShouldFollowTheOrganizationsPasswordPolicy()
    {
        var owner = await app.RegisterAsync();
        var client = app.WithToken(owner.Token);
        await Api.ExpectAsync(await client.PutAsJsonAsync("/api/security/settings", new { passwordPolicy = new { minLength = 14, requireNumbers = true, requireUppercase = true, requireSpecialChars = true } }), HttpStatusCode.OK);

        var weak = await client.PostAsJsonAsync("/api/auth/change-password", new { currentPassword = owner.Password, newPassword = "only-lowercase-letters" });
        var problem = await Api.ExpectProblemAsync(weak, HttpStatusCode.BadRequest, "password_policy");
        Assert.Equal(2, problem.GetProperty("errors").GetProperty("newPassword").GetArrayLength());

        await Api.ExpectAsync(await client.PostAsJsonAsync("/api/auth/change-password", new { currentPassword = owner.Password, newPassword = "Strong-enough-2026!" }), HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task ExpiredPassword_ShouldBlockTheOrganizationUntilChanged()
    {
        var owner = await app.RegisterAsync();
        var client = app.WithToken(owner.Token);
        await Api.ExpectAsync(await client.PutAsJsonAsync("/api/security/settings", new { passwordPolicy = new { expirationDays = 30 } }), HttpStatusCode.OK);
        await app.WithDbAsync(db => db.Users.Where(u => u.Id == owner.UserId).ExecuteUpdateAsync(s => s.SetProperty(u => u.PasswordChangedAt, app.Clock.GetUtcNow().AddDays(-31))));
        var token = await app.LoginAsync(owner.Email, owner.Password);
        var teams = $"/api/organizations/{owner.OrganizationId}/teams";

        await Api.ExpectProblemAsync(await app.WithToken(token).GetAsync(teams), HttpStatusCode.Forbidden, "password_expired");
        await Api.ExpectProblemAsync(await app.WithToken(token).GetAsync("/api/auth/me"), HttpStatusCode.Forbidden, "password_expired");
        await Api.ExpectAsync(await app.WithToken(token).PostAsJsonAsync("/api/auth/change-password", new { currentPassword = owner.Password, newPassword = "a-brand-new-password" }), HttpStatusCode.NoContent);

        await Api.ExpectAsync(await app.WithToken(token).GetAsync(teams), HttpStatusCode.OK);
        await Api.ExpectAsync(await app.WithToken(token).GetAsync("/api/auth/me"), HttpStatusCode.OK);
    }

    [Fact]
    public async Task AcceptInvitation_AsANewAccount_ShouldFollowThePasswordPolicy()
    {
        var owner = await app.RegisterAsync();
        await Api.ExpectAsync(await app.WithToken(owner.Token).PutAsJsonAsync("/api/security/settings", new { passwordPolicy = new { requireNumbers = true } }), HttpStatusCode.OK);
        var invite = await app.WithToken(owner.Token).PostAsJsonAsync($"/api/organizations/{owner.OrganizationId}/invitations", new { email = Api.UniqueEmail(), role = "member" });
        await Api.ExpectAsync(invite, HttpStatusCode.Created);
        var token = (await invite.JsonAsync()).GetProperty("token").GetString();

        var weak = await app.Anonymous().PostAsJsonAsync("/api/invitations/accept", new { token, name = "New", password = "no-digits-in-here" });
        await Api.ExpectProblemAsync(weak, HttpStatusCode.BadRequest, "password_policy");

        await Api.ExpectAsync(await app.Anonymous().PostAsJsonAsync("/api/invitations/accept", new { token, name = "New", password = "now-with-digits-42" }), HttpStatusCode.OK);
    }
}
