using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Intelagent.Server.Platform.Ids;
using Intelagent.Server.Realtime.Stream;
using Intelagent.Server.Security.Alerts;
using Intelagent.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Tests.Security;

public sealed class SecurityAlertAcknowledgementTestsOnSqlite(SqliteApp app) : SecurityAlertAcknowledgementTests<SqliteApp>(app);
public sealed class SecurityAlertAcknowledgementTestsOnPostgres(PostgresApp app) : SecurityAlertAcknowledgementTests<PostgresApp>(app);

/// <summary>POST /api/security/alerts/{id}/acknowledge and the list's ?status filter.</summary>
public abstract class SecurityAlertAcknowledgementTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : TestApp
{
    [Fact]
    public async Task Acknowledge_WhenOpen_ShouldRecordWhoWhenAndTheNote_AuditIt_AndPublishIt()
    {
        var owner = await app.RegisterAsync();
        var admin = await app.AddMemberAsync(owner, "admin");
        var id = await AlertSeed.RaiseAsync(app, owner.OrganizationId);
        var before = app.Clock.GetUtcNow();

        var response = await app.WithToken(admin.Token, owner.OrganizationId).PostAsJsonAsync($"/api/security/alerts/{id}/acknowledge", new { note = "  Known: Bob mistyped his password.  " });

        await Api.ExpectAsync(response, HttpStatusCode.OK);
        var body = await response.JsonAsync();
        Assert.Equal("acknowledged", body.GetProperty("status").GetString());
        Assert.Equal(admin.UserId, body.GetProperty("acknowledgedByUserId").GetString());
        Assert.Equal("admin person", body.GetProperty("acknowledgedByName").GetString());
        Assert.Equal("Known: Bob mistyped his password.", body.GetProperty("acknowledgementNote").GetString());
        Assert.True(body.GetProperty("acknowledgedAt").GetDateTimeOffset() >= before);

        var row = await app.WithDbAsync(db => db.Set<SecurityAlert>().IgnoreQueryFilters().SingleAsync(a => a.Id == id));
        Assert.Equal(admin.UserId, row.AcknowledgedByUserId);
        Assert.NotNull(row.AcknowledgedAt);
        var audit = await app.WithDbAsync(db => db.AuditEntries.SingleAsync(e => e.Action == "security_alert.acknowledged" && e.TargetId == id));
        Assert.Equal(owner.OrganizationId, audit.OrganizationId);
        Assert.Equal(admin.UserId, audit.ActorUserId);
        Assert.Contains("Bob mistyped", audit.Data);

        await app.DispatchEventsAsync();
        var published = await app.WithDbAsync(db => db.Set<RealtimeEvent>().IgnoreQueryFilters()
            .Where(e => e.OrganizationId == owner.OrganizationId && e.Type == RealtimeEventTypes.SecurityAlertAcknowledged).ToListAsync());
        Assert.Contains(published, e => e.Audience == RealtimeAudience.Organization && e.Permission == "audit.read" && e.Payload.Contains(id));
        Assert.Contains(published, e => e.Audience == RealtimeAudience.Operators && e.Payload.Contains(id));
    }

    [Fact]
    public async Task Acknowledge_WithoutABody_ShouldWork_AndASecondTimeShouldBeA409Problem()
    {
        var owner = await app.RegisterAsync();
        var id = await AlertSeed.RaiseAsync(app, owner.OrganizationId);
        var client = app.WithToken(owner.Token, owner.OrganizationId);

        var first = await client.PostAsync($"/api/security/alerts/{id}/acknowledge", null);
        await Api.ExpectAsync(first, HttpStatusCode.OK);
        Assert.Equal(JsonValueKind.Null, (await first.JsonAsync()).GetProperty("acknowledgementNote").ValueKind);
        var acknowledgedAt = await app.WithDbAsync(db => db.Set<SecurityAlert>().IgnoreQueryFilters().Where(a => a.Id == id).Select(a => a.AcknowledgedAt).SingleAsync());

        var second = await client.PostAsJsonAsync($"/api/security/alerts/{id}/acknowledge", new { note = "me too" });
        await Api.ExpectProblemAsync(second, HttpStatusCode.Conflict, "alert_already_acknowledged");

        var row = await app.WithDbAsync(db => db.Set<SecurityAlert>().IgnoreQueryFilters().SingleAsync(a => a.Id == id));
        Assert.Equal(acknowledgedAt, row.AcknowledgedAt);
        Assert.Null(row.AcknowledgementNote);
        Assert.Equal(1, await app.WithDbAsync(db => db.AuditEntries.CountAsync(e => e.Action == "security_alert.acknowledged" && e.TargetId == id)));
    }

    [Fact]
    public async Task Acknowledge_ByTwoAdminsAtOnce_ShouldLetExactlyOneWin()
    {
        var owner = await app.RegisterAsync();
        var admin = await app.AddMemberAsync(owner, "admin");
        var id = await AlertSeed.RaiseAsync(app, owner.OrganizationId);

        var calls = Enumerable.Range(0, 6).Select(i => app.WithToken(i % 2 == 0 ? owner.Token : admin.Token, owner.OrganizationId)
            .PostAsJsonAsync($"/api/security/alerts/{id}/acknowledge", new { note = $"attempt {i}" }));
        var statuses = (await Task.WhenAll(calls)).Select(r => (int)r.StatusCode).ToList();

        Assert.Equal(1, statuses.Count(s => s == 200));
        Assert.Equal(5, statuses.Count(s => s == 409));
        Assert.Equal(1, await app.WithDbAsync(db => db.AuditEntries.CountAsync(e => e.Action == "security_alert.acknowledged" && e.TargetId == id)));
    }

    [Fact]
    public async Task Acknowledge_AnotherOrganizationsOrAnUnknownAlert_ShouldBe404_AndChangeNothing()
    {
        var owner = await app.RegisterAsync();
        var foreign = await app.RegisterAsync(organizationName: "Elsewhere");
        var id = await AlertSeed.RaiseAsync(app, owner.OrganizationId);

        // The alert's own organization decides, whatever organization the caller names in the header.
        await Api.ExpectProblemAsync(await app.WithToken(foreign.Token, foreign.OrganizationId).PostAsync($"/api/security/alerts/{id}/acknowledge", null), HttpStatusCode.NotFound);
        await Api.ExpectProblemAsync(await app.WithToken(foreign.Token).PostAsync($"/api/security/alerts/{id}/acknowledge", null), HttpStatusCode.NotFound);
        await Api.ExpectProblemAsync(await app.WithToken(owner.Token, owner.OrganizationId).PostAsync("/api/security/alerts/salrt_unknown/acknowledge", null), HttpStatusCode.NotFound);
        await Api.ExpectProblemAsync(await app.WithToken(owner.Token, owner.OrganizationId).PostAsync("/api/security/alerts/not-an-id/acknowledge", null), HttpStatusCode.NotFound);

        Assert.Null(await app.WithDbAsync(db => db.Set<SecurityAlert>().IgnoreQueryFilters().Where(a => a.Id == id).Select(a => a.AcknowledgedAt).SingleAsync()));
    }

    [Fact]
    public async Task Acknowledge_WithATooLongNote_ShouldBeA400Problem_AndLeaveItOpen()
    {
        var owner = await app.RegisterAsync();
        var id = await AlertSeed.RaiseAsync(app, owner.OrganizationId);

        var response = await app.WithToken(owner.Token, owner.OrganizationId).PostAsJsonAsync($"/api/security/alerts/{id}/acknowledge",
            new { note = new string('x', SecurityAlertService.MaxNoteLength + 1) });

        var problem = await Api.ExpectProblemAsync(response, HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(problem.GetProperty("errors").TryGetProperty("note", out _));
        Assert.Null(await app.WithDbAsync(db => db.Set<SecurityAlert>().IgnoreQueryFilters().Where(a => a.Id == id).Select(a => a.AcknowledgedAt).SingleAsync()));
    }

    [Fact]
    public async Task Acknowledge_ByAManagerOrTheOperator_ShouldBe403()
    {
        var owner = await app.RegisterAsync();
        var manager = await app.AddMemberAsync(owner, "manager");
        var id = await AlertSeed.RaiseAsync(app, owner.OrganizationId);
        var operatorToken = await app.LoginAsync(TestApp.Operator.Email, TestApp.Operator.Password);

        await Api.ExpectProblemAsync(await app.WithToken(manager.Token, owner.OrganizationId).PostAsync($"/api/security/alerts/{id}/acknowledge", null), HttpStatusCode.Forbidden);
        // Operators read the organization's alerts for support; changing them is the organization's own call.
        await Api.ExpectAsync(await app.WithToken(operatorToken, owner.OrganizationId).GetAsync("/api/security/alerts"), HttpStatusCode.OK);
        await Api.ExpectProblemAsync(await app.WithToken(operatorToken, owner.OrganizationId).PostAsync($"/api/security/alerts/{id}/acknowledge", null), HttpStatusCode.Forbidden);
        Assert.Null(await app.WithDbAsync(db => db.Set<SecurityAlert>().IgnoreQueryFilters().Where(a => a.Id == id).Select(a => a.AcknowledgedAt).SingleAsync()));
    }

    [Fact]
    public async Task List_ByStatus_ShouldSeparateOpenFromAcknowledged_AndRefuseAnUnknownStatus()
    {
        var owner = await app.RegisterAsync();
        var open = await AlertSeed.RaiseAsync(app, owner.OrganizationId);
        var seen = await AlertSeed.RaiseAsync(app, owner.OrganizationId);
        var client = app.WithToken(owner.Token, owner.OrganizationId);
        await Api.ExpectAsync(await client.PostAsJsonAsync($"/api/security/alerts/{seen}/acknowledge", new { note = "checked" }), HttpStatusCode.OK);

        Assert.Equal([open], await IdsAsync(client, "?status=open"));
        Assert.Equal([seen], await IdsAsync(client, "?status=acknowledged"));
        Assert.Equal([seen, open], await IdsAsync(client, ""));
        var all = await (await client.GetAsync("/api/security/alerts")).JsonAsync();
        var acknowledged = all.GetProperty("items").EnumerateArray().Single(a => a.GetProperty("id").GetString() == seen);
        Assert.Equal("checked", acknowledged.GetProperty("acknowledgementNote").GetString());
        Assert.Equal("Test User", acknowledged.GetProperty("acknowledgedByName").GetString());
        var stillOpen = all.GetProperty("items").EnumerateArray().Single(a => a.GetProperty("id").GetString() == open);
        Assert.Equal("open", stillOpen.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, stillOpen.GetProperty("acknowledgedAt").ValueKind);

        await Api.ExpectProblemAsync(await client.GetAsync("/api/security/alerts?status=closed"), HttpStatusCode.BadRequest, "validation_failed");
        await Api.ExpectProblemAsync(await client.GetAsync("/api/security/alerts?status=1"), HttpStatusCode.BadRequest, "validation_failed");
    }

    private static async Task<List<string>> IdsAsync(HttpClient client, string query)
    {
        var response = await client.GetAsync("/api/security/alerts" + query);
        await Api.ExpectAsync(response, HttpStatusCode.OK);
        return (await response.JsonAsync()).GetProperty("items").EnumerateArray().Select(a => a.GetProperty("id").GetString()!).ToList();
    }
}

/// <summary>An alert as activity monitoring would have raised it, without waiting for a detector.</summary>
public static class AlertSeed
{
    public static Task<string> RaiseAsync(TestApp app, string organizationId, string title = "Repeated failed sign-ins") => app.WithDbAsync(async db =>
    {
        var alert = new SecurityAlert
        {
            Id = Id.New(IdPrefix.SecurityAlert, app.Clock),
            OrganizationId = organizationId,
            Kind = SecurityAlertKinds.FailedSignInBurst,
            Severity = "high",
            Title = title,
            Detail = "5 failed sign-ins within 15 minutes.",
            CreatedAt = app.Clock.GetUtcNow(),
        };
        db.Set<SecurityAlert>().Add(alert);
        await db.SaveChangesAsync();
        return alert.Id;
    }, organizationId);
}
