using System.Net;
using System.Net.Http.Json;
using Intelagent.Server.Identity;
using Intelagent.Server.Platform.Auditing;
using Intelagent.Server.Platform.Ids;
using Intelagent.Server.Realtime.Stream;
using Intelagent.Server.Security.Alerts;
using Intelagent.Server.Security.Audit;
using Intelagent.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Intelagent.Tests.Security;

public sealed class DetectorTestsOnSqlite(SqliteApp app) : DetectorTests<SqliteApp>(app);
public sealed class DetectorTestsOnPostgres(PostgresApp app) : DetectorTests<PostgresApp>(app);

/// <summary>The detectors of off-hours admin actions and of API keys used from new addresses.</summary>
public abstract class DetectorTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : TestApp
{
    [Fact]
    public async Task AdminAction_FarOutsideTheLearnedHours_ShouldRaiseAnAlert_OnlyOnceTheHistoryIsLongEnough()
    {
        var owner = await app.RegisterAsync();
        var admin = await app.AddMemberAsync(owner, "admin");
        var start = app.Clock.GetUtcNow();

        // Twelve hours later is the far side of the day, but with no history the detector stays quiet.
        app.Clock.Advance(TimeSpan.FromHours(12));
        await CreateTeamAsync(owner);
        await SealAsync();
        Assert.Empty(await AlertsAsync(owner, SecurityAlertKinds.OffHoursAdminAction));

        // Three weeks of admin actions within three hours of the registration's hour, every day.
        await app.WithDbAsync(db =>
        {
            for (var day = 1; day <= 21; day++)
                for (var hour = -3; hour <= 3; hour++)
                    db.AuditEntries.Add(new AuditEntry
                    {
                        Id = Id.New(IdPrefix.Audit, app.Clock),
                        OrganizationId = owner.OrganizationId,
                        ActorUserId = owner.UserId,
                        Action = "team.updated",
                        TargetType = "team",
                        TargetId = "team_x",
                        At = start.AddDays(-day).AddHours(hour)
                    });
            return db.SaveChangesAsync();
        });
        await SealAsync();
        // A day later, the same far hour (another hour of the week than the first, quiet, attempt).
        app.Clock.Advance(TimeSpan.FromHours(24));
        await CreateTeamAsync(owner);
        await SealAsync();
        await app.DispatchEventsAsync();

        var alert = Assert.Single(await AlertsAsync(owner, SecurityAlertKinds.OffHoursAdminAction));
        Assert.Equal(owner.UserId, alert.GetProperty("subjectUserId").GetString());
        Assert.Contains("team.created", alert.GetProperty("detail").GetString());
        Assert.True(await app.WithDbAsync(db => db.Notifications.IgnoreQueryFilters().AnyAsync(n => n.UserId == admin.UserId && n.Type == "security.alert")));
        var published = await app.WithDbAsync(db => db.Set<RealtimeEvent>().IgnoreQueryFilters()
            .Where(e => e.OrganizationId == owner.OrganizationId && e.Type == RealtimeEventTypes.SecurityAlert).Select(e => e.Payload).ToListAsync());
        Assert.Contains(published, p => p.Contains(SecurityAlertKinds.OffHoursAdminAction));

        // Back at the usual hour, another admin's action is nothing unusual.
        app.Clock.Advance(TimeSpan.FromHours(12));
        await CreateTeamAsync(admin);
        await SealAsync();
        Assert.Single(await AlertsAsync(owner, SecurityAlertKinds.OffHoursAdminAction));
    }

    [Fact]
    public async Task ApiKey_UsedFromANewAddress_ShouldRaiseAnAlert_ButNotOnItsFirstOrAKnownAddress()
    {
        var owner = await app.RegisterAsync();
        var created = await app.WithToken(owner.Token).PostAsJsonAsync("/api/security/api-keys", new { name = "Robot", permissions = new[] { "teams.read" } });
        await Api.ExpectAsync(created, HttpStatusCode.Created);
        var keyId = (await created.JsonAsync()).GetProperty("id").GetString()!;
        Assert.True(await app.WithDbAsync(db => db.AuditEntries.IgnoreQueryFilters().AnyAsync(e => e.Action == "api_key.created" && e.TargetId == keyId)));

        await UseKeyFromAsync(keyId, "198.51.100.7");
        await UseKeyFromAsync(keyId, "198.51.100.7");
        Assert.Empty(await AlertsAsync(owner, SecurityAlertKinds.ApiKeyNewAddress));

        // Two addresses within one flush interval: both are looked at, not only the later.
        await UseKeyFromAsync(keyId, "203.0.113.9", "198.51.100.7");
        var alert = Assert.Single(await AlertsAsync(owner, SecurityAlertKinds.ApiKeyNewAddress));
        Assert.Contains("203.0.113.9", alert.GetProperty("detail").GetString());

        await UseKeyFromAsync(keyId, "203.0.113.9");
        Assert.Single(await AlertsAsync(owner, SecurityAlertKinds.ApiKeyNewAddress));
        Assert.Equal(4, await app.WithDbAsync(db => db.AuditEntries.IgnoreQueryFilters().CountAsync(e => e.Action == "api_key.used_from_new_address" && e.TargetId == keyId)));
    }

    [Fact]
    public async Task ComplianceReportDownload_ShouldBeAuditedAsAnExport()
    {
        var owner = await app.RegisterAsync();

        var response = await app.WithToken(owner.Token).GetAsync("/api/security/compliance/report?format=json");

        await Api.ExpectAsync(response, HttpStatusCode.OK);
        var entry = await app.WithDbAsync(db => db.AuditEntries.IgnoreQueryFilters()
            .SingleAsync(e => e.OrganizationId == owner.OrganizationId && e.Action == "compliance.report_exported"));
        Assert.Equal(owner.UserId, entry.ActorUserId);
        Assert.Contains("json", entry.Data);
    }

    /// <summary>Uses as the key's authentication handler records them (the test server has no client address), then the batch flush and sealing.</summary>
    private async Task UseKeyFromAsync(string keyId, params string[] addresses)
    {
        var usage = app.Services.GetRequiredService<ApiKeyUsage>();
        foreach (var address in addresses)
        {
            var now = app.Clock.GetUtcNow();
            usage.Record(keyId, now, address);
            usage.RecordAddress(keyId, now, address);
        }
        await app.Services.GetRequiredService<ActivityFlushService>().FlushAsync(CancellationToken.None);
        await SealAsync();
    }

    private async Task CreateTeamAsync(Account account)
    {
        var token = await app.LoginAsync(account.Email, account.Password);
        var response = await app.WithToken(token).PostAsJsonAsync($"/api/organizations/{account.OrganizationId}/teams", new { name = "Team " + Guid.NewGuid().ToString("N")[..8] });
        await Api.ExpectAsync(response, HttpStatusCode.Created);
    }

    private async Task SealAsync() => await app.Services.GetRequiredService<AuditChainSealer>().SealPendingAsync(CancellationToken.None);

    private async Task<List<System.Text.Json.JsonElement>> AlertsAsync(Account caller, string kind)
    {
        var token = await app.LoginAsync(caller.Email, caller.Password);
        var response = await app.WithToken(token, caller.OrganizationId).GetAsync($"/api/security/alerts?kind={kind}");
        await Api.ExpectAsync(response, HttpStatusCode.OK);
        return (await response.JsonAsync()).GetProperty("items").EnumerateArray().ToList();
    }
}

/// <summary>The hour-of-week profile on its own.</summary>
public sealed class DetectorProfileTests
{
    private static readonly MonitoringSettings Settings = new();

    [Fact]
    public void Profile_OfOfficeHours_ShouldFindTheNightUnusual_AndTheEdgeOfTheDayNot()
    {
        var profile = new HourOfWeekProfile(TimeZoneInfo.Utc);
        var monday = new DateTimeOffset(2026, 11, 2, 0, 0, 0, TimeSpan.Zero);
        for (var week = 0; week < 4; week++)
            for (var day = 0; day < 5; day++)
                for (var hour = 9; hour < 17; hour++)
                    profile.Add(monday.AddDays(week * 7 + day).AddHours(hour));
        var now = monday.AddDays(28);

        Assert.True(profile.IsUnusual(now.AddHours(3), Settings));
        Assert.True(profile.IsUnusual(now.AddDays(5).AddHours(12), Settings)); // Saturday noon
        Assert.False(profile.IsUnusual(now.AddHours(10), Settings));
        Assert.False(profile.IsUnusual(now.AddHours(17).AddMinutes(30), Settings)); // an hour after the usual end
    }

    [Fact]
    public void Profile_AroundTheClock_OrTooShort_ShouldFindNothingUnusual()
    {
        var start = new DateTimeOffset(2026, 11, 2, 0, 0, 0, TimeSpan.Zero);
        var everyHour = new HourOfWeekProfile(TimeZoneInfo.Utc);
        for (var hour = 0; hour < 24 * 21; hour++) everyHour.Add(start.AddHours(hour));
        Assert.False(everyHour.IsUnusual(start.AddDays(22).AddHours(3), Settings));

        var shortHistory = new HourOfWeekProfile(TimeZoneInfo.Utc);
        for (var i = 0; i < 100; i++) shortHistory.Add(start.AddHours(10).AddMinutes(i));
        Assert.False(shortHistory.IsUnusual(start.AddDays(3).AddHours(3), Settings));
    }

    [Fact]
    public void Profile_ShouldCountHoursInTheOrganizationsTimeZone()
    {
        var tokyo = TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo");
        var profile = new HourOfWeekProfile(tokyo);
        // 01:00 UTC on a Monday is 10:00 in Tokyo.
        Assert.Equal(24 + 10, profile.HourOfWeek(new DateTimeOffset(2026, 11, 2, 1, 0, 0, TimeSpan.Zero)));
    }
}
