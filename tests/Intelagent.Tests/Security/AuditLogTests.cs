using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Intelagent.Server.Security.Audit;
using Intelagent.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Intelagent.Tests.Security;

public sealed class AuditLogTestsOnSqlite(SqliteApp app) : AuditLogTests<SqliteApp>(app);
public sealed class AuditLogTestsOnPostgres(PostgresApp app) : AuditLogTests<PostgresApp>(app);

/// <summary>Listing, filtering, paging and exporting an organization's audit trail.</summary>
public abstract class AuditLogTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : TestApp
{
    [Fact]
    public async Task List_WithFilters_ShouldReturnOnlyMatchingEntriesOfTheOrganization()
    {
        var owner = await app.RegisterAsync();
        var admin = await app.AddMemberAsync(owner, "admin");
        var other = await app.RegisterAsync();
        var teamA = await CreateTeamAsync(owner, "Alpha");
        await Api.ExpectAsync(await app.WithToken(owner.Token).PatchAsJsonAsync($"/api/teams/{teamA}", new { name = "Alpha 2" }), HttpStatusCode.OK);
        app.Clock.Advance(TimeSpan.FromMinutes(10));
        var between = app.Clock.GetUtcNow();
        app.Clock.Advance(TimeSpan.FromMinutes(10));
        await CreateTeamAsync(admin, "Beta");
        await CreateTeamAsync(other, "Elsewhere");

        var byAdmin = await ItemsAsync(owner, $"actor={admin.UserId}");
        Assert.NotEmpty(byAdmin);
        Assert.All(byAdmin, e => Assert.Equal(admin.UserId, e.GetProperty("actorUserId").GetString()));
        Assert.All(byAdmin, e => Assert.Equal(owner.OrganizationId, e.GetProperty("organizationId").GetString()));

        var created = await ItemsAsync(owner, "action=team.created");
        Assert.Equal(2, created.Count);
        var prefixed = (await ItemsAsync(owner, "action=team.")).Select(e => e.GetProperty("action").GetString()).ToHashSet();
        Assert.Equal(new[] { "team.created", "team.updated" }, prefixed.Order());

        var aboutA = await ItemsAsync(owner, $"targetType=team&targetId={teamA}");
        Assert.Equal(new[] { "team.updated", "team.created" }, aboutA.Select(e => e.GetProperty("action").GetString()));

        var later = await ItemsAsync(owner, $"from={Iso(between)}&action=team.created");
        Assert.Equal("Beta", Assert.Single(later).GetProperty("data").GetProperty("name").GetString());
        var earlier = await ItemsAsync(owner, $"to={Iso(between)}&action=team.created");
        Assert.Equal("Alpha", Assert.Single(earlier).GetProperty("data").GetProperty("name").GetString());
        Assert.Empty(await ItemsAsync(owner, "outcome=failure"));
    }

    [Fact]
    public async Task List_WithBadFilters_ShouldAnswer400Problems()
    {
        var owner = await app.RegisterAsync();
        var client = app.WithToken(owner.Token, owner.OrganizationId);

        var problem = await Api.ExpectProblemAsync(await client.GetAsync("/api/security/audit-logs?from=yesterday&to=2026-13-40"), HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(problem.GetProperty("errors").TryGetProperty("from", out _));
        Assert.True(problem.GetProperty("errors").TryGetProperty("to", out _));
        await Api.ExpectProblemAsync(await client.GetAsync("/api/security/audit-logs?outcome=maybe"), HttpStatusCode.BadRequest, "validation_failed");
        await Api.ExpectProblemAsync(await client.GetAsync("/api/security/audit-logs?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z"), HttpStatusCode.BadRequest, "validation_failed");
        await Api.ExpectProblemAsync(await client.GetAsync("/api/security/audit-logs?limit=0"), HttpStatusCode.BadRequest, "validation_failed");
        await Api.ExpectProblemAsync(await client.GetAsync("/api/security/audit-logs/export?format=xml"), HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task List_WithACursor_ShouldWalkEveryEntryOnceNewestFirst()
    {
        var owner = await app.RegisterAsync();
        for (var i = 0; i < 4; i++) await CreateTeamAsync(owner, $"Team {i}");
        var expected = await app.WithDbAsync(db => db.AuditEntries.Where(e => e.OrganizationId == owner.OrganizationId).OrderByDescending(e => e.Id).Select(e => e.Id).ToListAsync());

        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await (await app.WithToken(owner.Token, owner.OrganizationId).GetAsync("/api/security/audit-logs?limit=3" + (cursor is null ? "" : $"&cursor={cursor}"))).JsonAsync();
            var items = page.GetProperty("items").EnumerateArray().ToList();
            Assert.True(items.Count <= 3);
            seen.AddRange(items.Select(e => e.GetProperty("id").GetString()!));
            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);

        Assert.True(expected.Count >= 8);
        Assert.Equal(expected, seen);
    }

    [Fact]
    public async Task ExportCsv_ShouldHaveAHeaderAndOneRowPerEntry_AndBeAudited()
    {
        var owner = await app.RegisterAsync();
        await CreateTeamAsync(owner, "Support, \"Tier 1\"");
        await CreateTeamAsync(owner, "=HYPERLINK(\"x\")");

        var response = await app.WithToken(owner.Token, owner.OrganizationId).GetAsync("/api/security/audit-logs/export?format=csv");

        await Api.ExpectAsync(response, HttpStatusCode.OK);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var rows = Csv(await response.Content.ReadAsStringAsync());
        Assert.Equal(AuditExport.Columns, rows[0]);
        var entries = await app.WithDbAsync(db => db.AuditEntries.Where(e => e.OrganizationId == owner.OrganizationId).OrderByDescending(e => e.Id).ToListAsync());
        Assert.Equal(entries.Select(e => e.Id), rows.Skip(1).Select(r => r[0]));
        Assert.All(rows, r => Assert.Equal(AuditExport.Columns.Length, r.Count));
        var action = Array.IndexOf(AuditExport.Columns, "action");
        var data = Array.IndexOf(AuditExport.Columns, "data");
        var team = rows.First(r => r[action] == "team.created" && r[data].Contains("Tier 1"));
        Assert.Equal("Support, \"Tier 1\"", JsonDocument.Parse(team[data]).RootElement.GetProperty("name").GetString());

        var exported = entries.Single(e => e.Action == "audit.exported");
        Assert.Equal(owner.UserId, exported.ActorUserId);
        Assert.Contains("\"format\":\"csv\"", exported.Data);
        Assert.Equal("audit.exported", rows[1][action]);
    }

    [Fact]
    public async Task ExportJson_WithAFilter_ShouldStreamTheMatchingEntries()
    {
        var owner = await app.RegisterAsync();
        await CreateTeamAsync(owner, "One");
        await CreateTeamAsync(owner, "Two");

        var response = await app.WithToken(owner.Token, owner.OrganizationId).GetAsync("/api/security/audit-logs/export?format=json&action=team.created");

        await Api.ExpectAsync(response, HttpStatusCode.OK);
        var items = (await response.JsonAsync()).EnumerateArray().ToList();
        Assert.Equal(new[] { "Two", "One" }, items.Select(i => i.GetProperty("data").GetProperty("name").GetString()));
        var exported = await app.WithDbAsync(db => db.AuditEntries.SingleAsync(e => e.OrganizationId == owner.OrganizationId && e.Action == "audit.exported"));
        Assert.Contains("team.created", exported.Data);
    }

    private async Task<string> CreateTeamAsync(Account actor, string name)
    {
        var response = await app.WithToken(actor.Token).PostAsJsonAsync($"/api/organizations/{actor.OrganizationId}/teams", new { name });
        await Api.ExpectAsync(response, HttpStatusCode.Created);
        return (await response.JsonAsync()).GetProperty("id").GetString()!;
    }

    private async Task<List<JsonElement>> ItemsAsync(Account caller, string query)
    {
        var response = await app.WithToken(caller.Token, caller.OrganizationId).GetAsync("/api/security/audit-logs?limit=200&" + query);
        await Api.ExpectAsync(response, HttpStatusCode.OK);
        return (await response.JsonAsync()).GetProperty("items").EnumerateArray().ToList();
    }

    private static string Iso(DateTimeOffset time) => Uri.EscapeDataString(time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>A strict RFC 4180 reader, so the test checks the quoting rather than trusting it.</summary>
    private static List<List<string>> Csv(string text)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var cell = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { cell.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else cell.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { row.Add(cell.ToString()); cell.Clear(); }
            else if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
            {
                row.Add(cell.ToString());
                cell.Clear();
                rows.Add(row);
                row = [];
                i++;
            }
            else cell.Append(c);
        }
        Assert.Empty(row);
        return rows;
    }
}
