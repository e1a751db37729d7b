using System.Net;
using System.Net.Http.Json;
using Intelagent.Server.Identity;
using Intelagent.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Tests.Identity;

public sealed class AuthTestsOnSqlite(SqliteApp app) : AuthTests<SqliteApp>(app);
public sealed class AuthTestsOnPostgres(PostgresApp app) : AuthTests<PostgresApp>(app);

public abstract class AuthTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : TestApp
{
    [Fact]
    public async Task Register_WhenValid_ShouldReturnTokenCookieAndOwnerMembership()
    {
        var email = Api.UniqueEmail();
        var response = await app.Anonymous().PostAsJsonAsync("/api/auth/register", new { email, password = Api.Password, name = "Ada", organizationName = "Ada Co" });

        await Api.ExpectAsync(response, HttpStatusCode.Created);
        var body = await response.JsonAsync();
        Assert.False(string.IsNullOrEmpty(body.GetProperty("token").GetString()));
        Assert.Equal("owner", body.GetProperty("user").GetProperty("role").GetString());
        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("auth-token=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
        var organizationId = body.GetProperty("user").GetProperty("organizationId").GetString()!;
        Assert.StartsWith("org_", organizationId);
        var tier = await app.WithDbAsync(db => db.Organizations.IgnoreQueryFilters().Where(o => o.Id == organizationId).Select(o => o.SubscriptionTier).SingleAsync());
        Assert.Equal(Intelagent.Server.Organizations.SubscriptionTier.Free, tier);
        var verification = await app.WithDbAsync(db => db.EmailMessages.CountAsync(m => m.To == email && m.Purpose == "verify_email"));
        Assert.Equal(1, verification);
    }

    [Fact]
    public async Task Register_WhenEmailTaken_ShouldConflictAndCreateNothing()
    {
        var account = await app.RegisterAsync();
        var before = await app.WithDbAsync(db => db.Organizations.IgnoreQueryFilters().CountAsync());

        var response = await app.Anonymous().PostAsJsonAsync("/api/auth/register", new { email = account.Email.ToUpperInvariant(), password = Api.Password, name = "Again", organizationName = "Again" });

        await Api.ExpectProblemAsync(response, HttpStatusCode.Conflict, "email_taken");
        Assert.Equal(before, await app.WithDbAsync(db => db.Organizations.IgnoreQueryFilters().CountAsync()));
    }

    [Fact]
    public async Task Login_WhenUnknownEmailOrWrongPassword_ShouldGiveTheSameAnswer()
    {
        var account = await app.RegisterAsync();

        var wrongPassword = await app.Anonymous().PostAsJsonAsync("/api/auth/login", new { email = account.Email, password = "not-the-password" });
        var unknownEmail = await app.Anonymous().PostAsJsonAsync("/api/auth/login", new { email = Api.UniqueEmail(), password = "not-the-password" });

        var a = await Api.ExpectProblemAsync(wrongPassword, HttpStatusCode.Unauthorized, "invalid_credentials");
        var b = await Api.ExpectProblemAsync(unknownEmail, HttpStatusCode.Unauthorized, "invalid_credentials");
        Assert.Equal(a.GetProperty("detail").GetString(), b.GetProperty("detail").GetString());
        var failures = await app.WithDbAsync(db => db.AuditEntries.IgnoreQueryFilters().CountAsync(e => e.Action == "user.sign_in_failed" && e.TargetId == account.UserId));
        Assert.Equal(1, failures);
    }

    [Fact]
    public async Task Login_AfterRepeatedFailures_ShouldLockTheAccountUntilTheLockoutEnds()
    {
        var account = await app.RegisterAsync();
        for (var i = 0; i < 5; i++)
            await app.Anonymous().PostAsJsonAsync("/api/auth/login", new { email = account.Email, password = "wrong-password" });

        var whileLocked = await app.Anonymous().PostAsJsonAsync("/api/auth/login", new { email = account.Email, password = account.Password });
        await Api.ExpectProblemAsync(whileLocked, HttpStatusCode.Unauthorized, "invalid_credentials");

        app.Clock.Advance(TimeSpan.FromMinutes(16));
        var afterLockout = await app.Anonymous().PostAsJsonAsync("/api/auth/login", new { email = account.Email, password = account.Password });
        await Api.ExpectAsync(afterLockout, HttpStatusCode.OK);
    }

    [Fact]
    public async Task Request_WithoutToken_ShouldBe401Problem()
    {
        var response = await app.Anonymous().GetAsync("/api/auth/me");
        await Api.ExpectProblemAsync(response, HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact]
    public async Task Logout_ShouldRefuseTheSessionsTokenAtOnce()
    {
        var account = await app.RegisterAsync();
        var client = app.WithToken(account.Token);
        await Api.ExpectAsync(await client.GetAsync("/api/auth/me"), HttpStatusCode.OK);

        await Api.ExpectAsync(await client.PostAsync("/api/auth/logout", null), HttpStatusCode.NoContent);

        await Api.ExpectProblemAsync(await client.GetAsync("/api/auth/me"), HttpStatusCode.Unauthorized, "invalid_token");
        await Api.ExpectProblemAsync(await app.Anonymous().SendAsync(Bearer(HttpMethod.Post, "/api/auth/refresh", account.Token)), HttpStatusCode.Unauthorized, "session_ended");
    }

    [Fact]
    public async Task Refresh_WhenTokenExpiredButSessionLives_ShouldIssueANewToken()
    {
        var account = await app.RegisterAsync();
        app.Clock.Advance(TimeSpan.FromHours(2));
        await Api.ExpectProblemAsync(await app.WithToken(account.Token).GetAsync("/api/auth/me"), HttpStatusCode.Unauthorized, "invalid_token");

        var refreshed = await app.Anonymous().SendAsync(Bearer(HttpMethod.Post, "/api/auth/refresh", account.Token));

        await Api.ExpectAsync(refreshed, HttpStatusCode.OK);
        var token = (await refreshed.JsonAsync()).GetProperty("token").GetString()!;
        await Api.ExpectAsync(await app.WithToken(token).GetAsync("/api/auth/me"), HttpStatusCode.OK);
    }

    [Fact]
    public async Task CookieAuthenticatedWrite_FromAnotherOrigin_ShouldBeRefused()
    {
        var account = await app.RegisterAsync();
        var crossSite = new HttpRequestMessage(HttpMethod.Post, $"/api/organizations/{account.OrganizationId}/teams") { Content = JsonContent.Create(new { name = "Evil" }) };
        crossSite.Headers.Add("Cookie", $"auth-token={account.Token}");
        crossSite.Headers.Add("Origin", "https://evil.example");
        await Api.ExpectProblemAsync(await app.Anonymous().SendAsync(crossSite), HttpStatusCode.Forbidden, "csrf_rejected");

        var sameSite = new HttpRequestMessage(HttpMethod.Post, $"/api/organizations/{account.OrganizationId}/teams") { Content = JsonContent.Create(new { name = "Fine" }) };
        sameSite.Headers.Add("Cookie", $"auth-token={account.Token}");
        sameSite.Headers.Add("Origin", "http://localhost");
        await Api.ExpectAsync(await app.Anonymous().SendAsync(sameSite), HttpStatusCode.Created);

        var teams = await app.WithDbAsync(db => db.Teams.Select(t => t.Name).ToListAsync(), account.OrganizationId);
        Assert.Equal(["Fine"], teams);
    }

    [Fact]
    public async Task PasswordReset_ThroughTheEmailedLink_ShouldChangeThePasswordAndEndOldSessions()
    {
        var account = await app.RegisterAsync();
        await Api.ExpectAsync(await app.Anonymous().PostAsJsonAsync("/api/auth/forgot-password", new { email = account.Email }), HttpStatusCode.Accepted);
        await Api.ExpectAsync(await app.Anonymous().PostAsJsonAsync("/api/auth/forgot-password", new { email = Api.UniqueEmail() }), HttpStatusCode.Accepted);
        var token = await TokenFromEmailAsync(account.Email, "reset_password");

        var reset = await app.Anonymous().PostAsJsonAsync("/api/auth/reset-password", new { token, password = "a-brand-new-password" });
        await Api.ExpectAsync(reset, HttpStatusCode.NoContent);

        await Api.ExpectAsync(await app.WithToken(account.Token).GetAsync("/api/auth/me"), HttpStatusCode.Unauthorized);
        await app.LoginAsync(account.Email, "a-brand-new-password");
        var again = await app.Anonymous().PostAsJsonAsync("/api/auth/reset-password", new { token, password = "yet-another-password" });
        await Api.ExpectProblemAsync(again, HttpStatusCode.BadRequest, "invalid_token");
    }

    [Fact]
    public async Task VerifyEmail_WithTheEmailedToken_ShouldMarkTheUserVerified()
    {
        var account = await app.RegisterAsync();
        var token = await TokenFromEmailAsync(account.Email, "verify_email");

        await Api.ExpectAsync(await app.Anonymous().PostAsJsonAsync("/api/auth/verify-email", new { token }), HttpStatusCode.NoContent);

        var me = await (await app.WithToken(account.Token).GetAsync("/api/auth/me")).JsonAsync();
        Assert.True(me.GetProperty("emailVerified").GetBoolean());
    }

    [Fact]
    public async Task Sessions_ShouldListAndRevokeTheCallersOwn()
    {
        var account = await app.RegisterAsync();
        var second = await app.LoginAsync(account.Email, account.Password);
        var sessions = await (await app.WithToken(account.Token).GetAsync("/api/auth/sessions")).JsonAsync();
        Assert.Equal(2, sessions.GetArrayLength());
        var other = sessions.EnumerateArray().Single(s => !s.GetProperty("current").GetBoolean()).GetProperty("id").GetString();

        await Api.ExpectAsync(await app.WithToken(account.Token).DeleteAsync($"/api/auth/sessions/{other}"), HttpStatusCode.NoContent);

        await Api.ExpectAsync(await app.WithToken(second).GetAsync("/api/auth/me"), HttpStatusCode.Unauthorized);
        var stranger = await app.RegisterAsync();
        await Api.ExpectProblemAsync(await app.WithToken(stranger.Token).DeleteAsync($"/api/auth/sessions/{other}"), HttpStatusCode.NotFound);
    }

    private Task<string> TokenFromEmailAsync(string email, string purpose) => app.WithDbAsync(async db =>
    {
        var body = await db.EmailMessages.Where(m => m.To == email && m.Purpose == purpose).OrderByDescending(m => m.Id).Select(m => m.TextBody).FirstAsync();
        var start = body.IndexOf("token=", StringComparison.Ordinal) + "token=".Length;
        return new string(body[start..].TakeWhile(c => char.IsLetterOrDigit(c) || c is '-' or '_').ToArray());
    });

    private static HttpRequestMessage Bearer(HttpMethod method, string url, string token)
    {
        var request = new HttpRequestMessage(method, url);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return request;
    }
}
