using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Intelagent.Server.Identity.TwoFactor;
using Intelagent.Server.Organizations;
using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Security.Alerts;
using Intelagent.Server.Security.Score;
using Intelagent.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Intelagent.Tests.Security;

public sealed class SecurityScoreTestsOnSqlite(SqliteApp app) : SecurityScoreTests<SqliteApp>(app);
public sealed class SecurityScoreTestsOnPostgres(PostgresApp app) : SecurityScoreTests<PostgresApp>(app);

public abstract class SecurityScoreTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : TestApp
{
    private static readonly string[] SettingsPermissions = ["security.settings.read", "security.settings.manage"];

    [Fact]
    public async Task Score_WhenTwoFactorIsRequiredAndThenLifted_ShouldRiseAndFallByItsExactPoints()
    {
        var owner = await app.RegisterAsync();
        // A key, not the owner's session: once 2FA is required, a session without it is stopped at the door.
        var key = app.WithKey((await app.CreateKeyAsync(owner, SettingsPermissions)).Secret);
        var before = await ScoreAsync(key);
        Assert.False(Check(before, "two_factor_required").GetProperty("passed").GetBoolean());
        var recommendation = before.GetProperty("recommendations").EnumerateArray().Single(r => r.GetProperty("check").GetString() == "two_factor_required");
        Assert.Equal(12, recommendation.GetProperty("points").GetInt32());
        Assert.Contains("+12 points", recommendation.GetProperty("text").GetString());

        await Api.ExpectAsync(await key.PutAsJsonAsync("/api/security/settings", new { requireTwoFactor = true }), HttpStatusCode.OK);
        var required = await ScoreAsync(key);
        await Api.ExpectAsync(await key.PutAsJsonAsync("/api/security/settings", new { requireTwoFactor = false }), HttpStatusCode.OK);
        var lifted = await ScoreAsync(key);

        Assert.Equal(before.GetProperty("score").GetInt32() + 12, required.GetProperty("score").GetInt32());
        Assert.True(Check(required, "two_factor_required").GetProperty("passed").GetBoolean());
        Assert.DoesNotContain(required.GetProperty("recommendations").EnumerateArray(), r => r.GetProperty("check").GetString() == "two_factor_required");
        Assert.Equal(before.GetProperty("score").GetInt32(), lifted.GetProperty("score").GetInt32());
    }

    [Fact]
    public async Task SettingsChange_ShouldKeepASnapshotInTheHistory()
    {
        var owner = await app.RegisterAsync();
        var client = app.WithToken(owner.Token);
        await Api.ExpectAsync(await client.PutAsJsonAsync("/api/security/settings", new { sessionTimeout = 30 }), HttpStatusCode.OK);
        await app.DispatchEventsAsync();
        await app.DispatchEventsAsync(); // a redelivery must not add a second snapshot

        var history = await (await client.GetAsync("/api/security/score/history")).JsonAsync();

        var snapshot = Assert.Single(history.GetProperty("items").EnumerateArray());
        Assert.Equal("settings_changed", snapshot.GetProperty("reason").GetString());
        Assert.Equal((await ScoreAsync(client)).GetProperty("score").GetInt32(), snapshot.GetProperty("score").GetInt32());
        Assert.Equal(5, snapshot.GetProperty("categories").GetProperty("authentication").GetInt32());
    }

    [Fact]
    public async Task DailyJob_ShouldVerifyTheChainAndSnapshotEveryOrganization()
    {
        var owner = await app.RegisterAsync();
        var client = app.WithToken(owner.Token);
        Assert.False(Check(await ScoreAsync(client), "audit_chain_verified").GetProperty("passed").GetBoolean());

        await RunDailyJobAsync(owner.OrganizationId);

        Assert.True(Check(await ScoreAsync(client), "audit_chain_verified").GetProperty("passed").GetBoolean());
        var history = await (await client.GetAsync("/api/security/score/history")).JsonAsync();
        Assert.Equal("daily", history.GetProperty("items")[0].GetProperty("reason").GetString());
        app.Clock.Advance(TimeSpan.FromDays(8));
        var token = await app.LoginAsync(owner.Email, owner.Password);
        Assert.False(Check(await ScoreAsync(app.WithToken(token)), "audit_chain_verified").GetProperty("passed").GetBoolean());
    }

    [Fact]
    public async Task Checks_ShouldFlipOnTheOrganizationsRealState()
    {
        var owner = await app.RegisterAsync();
        var client = app.WithToken(owner.Token);
        var start = await ScoreAsync(client);
        foreach (var check in new[] { "session_timeout", "password_policy", "ip_allow_list", "two_factor_adoption", "retention_policies" })
            Assert.False(Check(start, check).GetProperty("passed").GetBoolean(), check);
        foreach (var check in new[] { "few_administrators", "no_stale_invitations", "no_open_incidents", "no_recent_high_alerts", "keys_rotated", "keys_expire", "keys_narrowly_scoped", "data_requests_on_time" })
            Assert.True(Check(start, check).GetProperty("passed").GetBoolean(), check);

        // Before the stricter password policy, which the test's standard password would not meet.
        await app.AddMemberAsync(owner, "admin");
        await app.AddMemberAsync(owner, "admin");
        await Api.ExpectAsync(await client.PutAsJsonAsync("/api/security/settings", new
        {
            sessionTimeout = 60,
            passwordPolicy = new { minLength = 12, requireNumbers = true, requireSpecialChars = true },
        }), HttpStatusCode.OK);
        await Api.ExpectAsync(await client.PutAsJsonAsync("/api/security/retention", new { policies = new[] { new { category = "notifications", days = 90 } } }), HttpStatusCode.OK);
        await app.WithDbAsync(async db =>
        {
            db.Set<TwoFactorCredential>().Add(new TwoFactorCredential { UserId = owner.UserId, ProtectedSecret = "x", EnabledAt = db.Clock.GetUtcNow() });
            db.Invitations.Add(new Invitation
            {
                Id = "invt_stale" + Guid.NewGuid().ToString("N")[..17],
                OrganizationId = owner.OrganizationId,
                Email = "late@example.test",
                NormalizedEmail = "LATE@EXAMPLE.TEST",
                Role = Role.Member,
                TokenHash = Guid.NewGuid().ToString("N"),
                InvitedByUserId = owner.UserId,
                CreatedAt = db.Clock.GetUtcNow().AddDays(-8),
                ExpiresAt = db.Clock.GetUtcNow().AddDays(6),
            });
            db.Set<SecurityAlert>().Add(new SecurityAlert { Id = "salrt_" + Guid.NewGuid().ToString("N")[..26], OrganizationId = owner.OrganizationId, Kind = "mass_export", Severity = "high", Title = "t", CreatedAt = db.Clock.GetUtcNow() });
            return await db.SaveChangesAsync();
        });
        await Api.ExpectAsync(await client.PostAsJsonAsync("/api/security/incidents", new { title = "Phishing", severity = "high" }), HttpStatusCode.Created);
        await app.CreateKeyAsync(owner, ["members.invite", "security.settings.manage"]);
        await SetAllowListAsync(owner.OrganizationId);

        var end = JsonSerializer.SerializeToElement(await ComputeAsync(owner.OrganizationId), JsonSerializerOptions.Web);
        foreach (var check in new[] { "session_timeout", "password_policy", "ip_allow_list", "retention_policies" })
            Assert.True(Check(end, check).GetProperty("passed").GetBoolean(), check);
        // Three members now, one with 2FA: below the 90% target again.
        Assert.Contains("1 of 3", Check(end, "two_factor_adoption").GetProperty("detail").GetString());
        foreach (var check in new[] { "few_administrators", "no_stale_invitations", "no_open_incidents", "no_recent_high_alerts", "keys_narrowly_scoped", "keys_expire" })
            Assert.False(Check(end, check).GetProperty("passed").GetBoolean(), check);
        var sum = end.GetProperty("categories").EnumerateArray().SelectMany(c => c.GetProperty("checks").EnumerateArray()).Sum(c => c.GetProperty("points").GetInt32());
        Assert.Equal(sum, end.GetProperty("score").GetInt32());
    }

    [Fact]
    public async Task TwoFactorAdoption_WhenEveryMemberEnrols_ShouldPass()
    {
        var owner = await app.RegisterAsync();
        await app.WithDbAsync(async db =>
        {
            db.Set<TwoFactorCredential>().Add(new TwoFactorCredential { UserId = owner.UserId, ProtectedSecret = "x", EnabledAt = db.Clock.GetUtcNow() });
            return await db.SaveChangesAsync();
        });

        var check = Check(await ScoreAsync(app.WithToken(owner.Token)), "two_factor_adoption");

        Assert.True(check.GetProperty("passed").GetBoolean());
        Assert.Equal(10, check.GetProperty("points").GetInt32());
    }

    [Fact]
    public void Weights_ShouldAddUpTo100()
    {
        Assert.Equal(100, ScoreChecks.All.Sum(c => c.Points));
        Assert.Equal(ScoreChecks.All.Count, ScoreChecks.All.Select(c => c.Code).Distinct().Count());
        Assert.All(ScoreChecks.All, c => Assert.Contains(ScoreChecks.Categories, k => k.Code == c.Category));
    }

    [Fact]
    public async Task History_WithABadCursor_ShouldAnswer400()
    {
        var owner = await app.RegisterAsync();
        await Api.ExpectProblemAsync(await app.WithToken(owner.Token).GetAsync("/api/security/score/history?limit=0"), HttpStatusCode.BadRequest);
    }

    /// <summary>
    /// Last, and read without HTTP: the test server's requests carry no address, so once an allow-list
    /// is set every request of this organization is refused.
    /// </summary>
    private Task<int> SetAllowListAsync(string organizationId) => app.WithDbAsync(async db =>
    {
        (await db.Set<Intelagent.Server.Security.Access.SecuritySettings>().SingleAsync()).IpWhitelist = "203.0.113.0/24";
        return await db.SaveChangesAsync();
    }, organizationId);

    private async Task<SecurityScoreResponse> ComputeAsync(string organizationId)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<SecurityScoreService>().ComputeAsync(organizationId, CancellationToken.None);
    }

    private async Task RunDailyJobAsync(string organizationId)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<Intelagent.Server.Security.Audit.AuditChainSealer>().SealPendingAsync(CancellationToken.None);
        await scope.ServiceProvider.GetRequiredService<DailySecurityScoreJob>().RunForAsync(organizationId, CancellationToken.None);
    }

    private static async Task<JsonElement> ScoreAsync(HttpClient client)
    {
        var response = await client.GetAsync("/api/security/score");
        await Api.ExpectAsync(response, HttpStatusCode.OK);
        return await response.JsonAsync();
    }

    private static JsonElement Check(JsonElement score, string code) =>
        score.GetProperty("categories").EnumerateArray().SelectMany(c => c.GetProperty("checks").EnumerateArray()).Single(c => c.GetProperty("code").GetString() == code);
}
