using System.Net;
using System.Net.Http.Json;
using Intelagent.Server.Platform.Auditing;
using Intelagent.Server.Platform.Ids;
using Intelagent.Server.Security.Alerts;
using Intelagent.Server.Security.Audit;
using Intelagent.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Intelagent.Tests.Security;

public sealed class SecurityAlertTestsOnSqlite(SqliteApp app) : SecurityAlertTests<SqliteApp>(app);
public sealed class SecurityAlertTestsOnPostgres(PostgresApp app) : SecurityAlertTests<PostgresApp>(app);

/// <summary>Activity monitoring over the sealed audit trail: alerts in the center and notifications to admins.</summary>
public abstract class SecurityAlertTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : TestApp
{
    [Fact]
    public async Task FailedSignInBurst_ShouldRaiseOneAlertAndNotifyAdmins()
    {
        var owner = await app.RegisterAsync();
        var admin = await app.AddMemberAsync(owner, "admin");
        var member = await app.AddMemberAsync(owner, "member");

        for (var i = 0; i < 7; i++)
            await app.Anonymous().PostAsJsonAsync("/api/auth/login", new { email = member.Email, password = "wrong-password-" + i });
        await SealAsync();
        await app.DispatchEventsAsync();

        var alerts = await AlertsAsync(owner, SecurityAlertKinds.FailedSignInBurst);
        var alert = Assert.Single(alerts);
        Assert.Equal(member.UserId, alert.GetProperty("subjectUserId").GetString());
        Assert.Equal("high", alert.GetProperty("severity").GetString());
        Assert.True(await NotifiedAsync(admin));
        Assert.True(await NotifiedAsync(owner));
        Assert.False(await NotifiedAsync(member));
        Assert.True(await app.WithDbAsync(db => db.AuditEntries.AnyAsync(e => e.OrganizationId == owner.OrganizationId && e.Action == "security_alert.created")));
    }

    [Fact]
    public async Task SignInFromANewAddress_ShouldRaiseAnAlert_ButAKnownAddressShouldNot()
    {
        var owner = await app.RegisterAsync();
        await SignInFromAsync(owner, "198.51.100.7");
        await SignInFromAsync(owner, "198.51.100.7");
        await SealAsync();
        Assert.Empty(await AlertsAsync(owner, SecurityAlertKinds.NewSignInAddress));

        await SignInFromAsync(owner, "203.0.113.9");
        await SignInFromAsync(owner, "198.51.100.7");
        await SealAsync();

        var alert = Assert.Single(await AlertsAsync(owner, SecurityAlertKinds.NewSignInAddress));
        Assert.Contains("203.0.113.9", alert.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task RepeatedExports_ShouldRaiseAMassExportAlert()
    {
        var owner = await app.RegisterAsync();
        var client = app.WithToken(owner.Token, owner.OrganizationId);
        for (var i = 0; i < 2; i++) await Api.ExpectAsync(await client.GetAsync("/api/security/audit-logs/export?format=json"), HttpStatusCode.OK);
        await SealAsync();
        Assert.Empty(await AlertsAsync(owner, SecurityAlertKinds.MassExport));

        await Api.ExpectAsync(await client.GetAsync("/api/security/audit-logs/export?format=csv"), HttpStatusCode.OK);
        await SealAsync();

        Assert.Equal(owner.UserId, Assert.Single(await AlertsAsync(owner, SecurityAlertKinds.MassExport)).GetProperty("subjectUserId").GetString());
    }

    /// <summary>A sign-in as the audit trail records it; the test server has no client address of its own.</summary>
    private Task<int> SignInFromAsync(Account account, string ip) => app.WithDbAsync(db =>
    {
        db.AuditEntries.Add(new AuditEntry { Id = Id.New(IdPrefix.Audit, app.Clock), ActorUserId = account.UserId, Action = "user.signed_in", TargetType = "user", TargetId = account.UserId, Ip = ip, At = app.Clock.GetUtcNow() });
        return db.SaveChangesAsync();
    });

    private async Task SealAsync() => await app.Services.GetRequiredService<AuditChainSealer>().SealPendingAsync(CancellationToken.None);

    private async Task<List<System.Text.Json.JsonElement>> AlertsAsync(Account caller, string kind)
    {
        var response = await app.WithToken(caller.Token, caller.OrganizationId).GetAsync($"/api/security/alerts?kind={kind}");
        await Api.ExpectAsync(response, HttpStatusCode.OK);
        return (await response.JsonAsync()).GetProperty("items").EnumerateArray().ToList();
    }

    private async Task<bool> NotifiedAsync(Account account)
    {
        var list = await (await app.WithToken(account.Token, account.OrganizationId).GetAsync("/api/notifications")).JsonAsync();
        return list.GetProperty("items").EnumerateArray().Any(n => n.GetProperty("type").GetString() == "security.alert");
    }
}
