using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Intelagent.Server.Security.Incidents;
using Intelagent.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Tests.Security;

public sealed class IncidentTestsOnSqlite(SqliteApp app) : IncidentTests<SqliteApp>(app);
public sealed class IncidentTestsOnPostgres(PostgresApp app) : IncidentTests<PostgresApp>(app);

public abstract class IncidentTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : TestApp
{
    [Fact]
    public async Task ReportedIncident_ShouldNotifyAdminsAndOwners_AndMoveThroughItsStatusesWithATimeline()
    {
        var owner = await app.RegisterAsync();
        var admin = await app.AddMemberAsync(owner, "admin");
        var manager = await app.AddMemberAsync(owner, "manager");
        var member = await app.AddMemberAsync(owner, "member");

        var reported = await app.WithToken(member.Token, owner.OrganizationId).PostAsJsonAsync("/api/security/incidents",
            new { title = "Phishing mail", severity = "high", description = "A fake invoice asked for passwords", affected = "support inbox" });

        await Api.ExpectAsync(reported, HttpStatusCode.Created);
        var incident = await reported.JsonAsync();
        var id = incident.GetProperty("id").GetString()!;
        Assert.Equal("open", incident.GetProperty("status").GetString());
        Assert.Equal("high", incident.GetProperty("severity").GetString());
        Assert.Equal(member.UserId, incident.GetProperty("reportedByUserId").GetString());
        await app.DispatchEventsAsync();
        Assert.True(await HasNotificationAsync(owner));
        Assert.True(await HasNotificationAsync(admin));
        Assert.False(await HasNotificationAsync(manager));
        Assert.False(await HasNotificationAsync(member));

        var investigating = await app.WithToken(admin.Token).PatchAsJsonAsync($"/api/security/incidents/{id}", new { status = "investigating", note = "Blocking the sender" });
        await Api.ExpectAsync(investigating, HttpStatusCode.OK);
        var resolved = await app.WithToken(admin.Token).PatchAsJsonAsync($"/api/security/incidents/{id}", new { status = "resolved" });
        await Api.ExpectAsync(resolved, HttpStatusCode.OK);

        var read = await app.WithToken(manager.Token).GetAsync($"/api/security/incidents/{id}");
        await Api.ExpectAsync(read, HttpStatusCode.OK);
        var body = await read.JsonAsync();
        Assert.Equal("resolved", body.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.String, body.GetProperty("resolvedAt").ValueKind);
        var timeline = body.GetProperty("timeline").EnumerateArray().ToList();
        Assert.Equal(new[] { "open", "investigating", "resolved" }, timeline.Select(t => t.GetProperty("toStatus").GetString()));
        Assert.Equal("Blocking the sender", timeline[1].GetProperty("note").GetString());
        Assert.Equal(admin.UserId, timeline[2].GetProperty("actorUserId").GetString());

        var stored = await app.WithDbAsync(db => db.Set<Incident>().SingleAsync(i => i.Id == id), owner.OrganizationId);
        Assert.Equal(IncidentStatus.Resolved, stored.Status);
        var audited = await app.WithDbAsync(db => db.AuditEntries.Where(a => a.TargetId == id).Select(a => a.Action).ToListAsync());
        Assert.Contains("incident.created", audited);
        Assert.Equal(2, audited.Count(a => a == "incident.updated"));
    }

    [Fact]
    public async Task StatusChange_WhenNotAllowedOrStale_ShouldBeRefusedAndChangeNothing()
    {
        var owner = await app.RegisterAsync();
        var client = app.WithToken(owner.Token, owner.OrganizationId);
        var created = await client.PostAsJsonAsync("/api/security/incidents", new { title = "Lost laptop", severity = "medium" });
        var id = (await created.JsonAsync()).GetProperty("id").GetString();
        var etag = (await client.GetAsync($"/api/security/incidents/{id}")).Headers.ETag!.Tag;
        await Api.ExpectAsync(await client.PatchAsJsonAsync($"/api/security/incidents/{id}", new { status = "resolved" }), HttpStatusCode.OK);

        await Api.ExpectProblemAsync(await client.PatchAsJsonAsync($"/api/security/incidents/{id}", new { status = "open" }), HttpStatusCode.Conflict, "invalid_transition");
        var stale = new HttpRequestMessage(HttpMethod.Patch, $"/api/security/incidents/{id}") { Content = JsonContent.Create(new { status = "investigating" }) };
        stale.Headers.TryAddWithoutValidation("If-Match", etag);
        await Api.ExpectProblemAsync(await client.SendAsync(stale), HttpStatusCode.PreconditionFailed, "stale_version");
        await Api.ExpectProblemAsync(await client.PatchAsJsonAsync($"/api/security/incidents/{id}", new { note = "no status" }), HttpStatusCode.BadRequest, "validation_failed");

        var status = await app.WithDbAsync(db => db.Set<Incident>().Where(i => i.Id == id).Select(i => i.Status).SingleAsync(), owner.OrganizationId);
        Assert.Equal(IncidentStatus.Resolved, status);
    }

    [Fact]
    public async Task Report_WithBadInput_ShouldAnswer400Problems()
    {
        var owner = await app.RegisterAsync();
        var client = app.WithToken(owner.Token, owner.OrganizationId);

        var problem = await Api.ExpectProblemAsync(await client.PostAsJsonAsync("/api/security/incidents", new { title = "" }), HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(problem.GetProperty("errors").TryGetProperty("title", out _));
        Assert.True(problem.GetProperty("errors").TryGetProperty("severity", out _));
        await Api.ExpectProblemAsync(await client.PostAsJsonAsync("/api/security/incidents", new { title = "x", severity = "apocalyptic" }), HttpStatusCode.BadRequest);
        await Api.ExpectProblemAsync(await client.GetAsync("/api/security/incidents?status=closed"), HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(0, await app.WithDbAsync(db => db.Set<Incident>().CountAsync(), owner.OrganizationId));
    }

    [Fact]
    public async Task List_ShouldShowOnlyTheOrganizationsIncidents_FilteredByStatus()
    {
        var owner = await app.RegisterAsync();
        var other = await app.RegisterAsync();
        var client = app.WithToken(owner.Token, owner.OrganizationId);
        await client.PostAsJsonAsync("/api/security/incidents", new { title = "First", severity = "low" });
        var second = (await (await client.PostAsJsonAsync("/api/security/incidents", new { title = "Second", severity = "critical" })).JsonAsync()).GetProperty("id").GetString();
        await app.WithToken(other.Token, other.OrganizationId).PostAsJsonAsync("/api/security/incidents", new { title = "Theirs", severity = "low" });
        await client.PatchAsJsonAsync($"/api/security/incidents/{second}", new { status = "investigating" });

        var all = (await (await client.GetAsync("/api/security/incidents")).JsonAsync()).GetProperty("items").EnumerateArray().Select(i => i.GetProperty("title").GetString());
        var open = (await (await client.GetAsync("/api/security/incidents?status=open")).JsonAsync()).GetProperty("items").EnumerateArray().Select(i => i.GetProperty("title").GetString());

        Assert.Equal(new[] { "Second", "First" }, all);
        Assert.Equal(new[] { "First" }, open);
        await Api.ExpectProblemAsync(await app.WithToken(other.Token).GetAsync($"/api/security/incidents/{second}"), HttpStatusCode.NotFound);
    }

    private async Task<bool> HasNotificationAsync(Account account)
    {
        var list = await (await app.WithToken(account.Token, account.OrganizationId).GetAsync("/api/notifications")).JsonAsync();
        return list.GetProperty("items").EnumerateArray().Any(n => n.GetProperty("type").GetString() == "incident.reported");
    }
}
