using System.Data.Common;
using System.Net;
using System.Net.Http.Json;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Security.Audit;
using Intelagent.Server.Security.DataRequests;
using Intelagent.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Intelagent.Tests.Security;

public sealed class DataRequestTestsOnSqlite(SqliteApp app) : DataRequestTests<SqliteApp>(app);
public sealed class DataRequestTestsOnPostgres(PostgresApp app) : DataRequestTests<PostgresApp>(app);

public abstract class DataRequestTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : TestApp
{
    [Fact]
    public async Task Delete_ShouldLeaveNoTraceOfThePersonsEmailOrNameInAnyTextColumn()
    {
        var owner = await app.RegisterAsync();
        var owners = app.WithToken(owner.Token);
        var (subject, name) = await AddPersonAsync(owner);
        var theirs = app.WithToken(subject.Token);
        await Api.ExpectAsync(await theirs.PostAsJsonAsync("/api/security/incidents", new { title = $"Laptop of {name} stolen", severity = "high", description = $"Reported by {name} <{subject.Email}>" }), HttpStatusCode.Created);
        var alert = await AlertSeed.RaiseAsync(app, owner.OrganizationId);
        await Api.ExpectAsync(await app.WithToken(owner.Token, owner.OrganizationId).PostAsJsonAsync($"/api/security/alerts/{alert}/acknowledge",
            new { note = $"Called {name} <{subject.Email}>: it was them" }), HttpStatusCode.OK);
        await app.LoginAsync(subject.Email, subject.Password);
        var export = await (await owners.PostAsJsonAsync("/api/security/data-requests", new { type = "export", subjectEmail = subject.Email })).JsonAsync();
        await app.DispatchEventsAsync();
        await SealAsync();
        Assert.True(await CountTracesAsync(subject.Email) > 0); // the scan finds what is there

        var response = await owners.PostAsJsonAsync("/api/security/data-requests", new { type = "delete", subjectEmail = subject.Email.ToUpperInvariant() });

        await Api.ExpectAsync(response, HttpStatusCode.Created);
        await app.DispatchEventsAsync();
        await SealAsync();
        Assert.Equal(0, await CountTracesAsync(subject.Email));
        Assert.Equal(0, await CountTracesAsync(name));
        await Api.ExpectAsync(await app.Anonymous().PostAsJsonAsync("/api/auth/login", new { email = subject.Email, password = subject.Password }), HttpStatusCode.Unauthorized);
        await Api.ExpectProblemAsync(await owners.GetAsync($"/api/security/data-requests/{export.GetProperty("id").GetString()}/download"), HttpStatusCode.Conflict, "bundle_erased");
        // The trail still verifies: only personal fields outside the hash were erased.
        var verify = await (await owners.GetAsync("/api/security/audit-logs/verify")).JsonAsync();
        Assert.True(verify.GetProperty("verified").GetBoolean(), verify.ToString());
        Assert.True(verify.GetProperty("redactedEntries").GetInt32() > 0);
        var audited = await app.WithDbAsync(db => db.AuditEntries.SingleAsync(e => e.OrganizationId == owner.OrganizationId && e.Action == "data_request.completed" && e.Data!.Contains("\"delete\"")));
        Assert.Equal(owner.UserId, audited.ActorUserId);
        Assert.Contains("\"accountErased\":true", audited.Data);
        // The account row stays, pseudonymised, for the ids that legally kept records point at.
        var user = await app.WithDbAsync(db => db.Users.SingleAsync(u => u.Id == subject.UserId));
        Assert.Equal("Erased user", user.Name);
        Assert.False(await app.WithDbAsync(db => db.Memberships.IgnoreQueryFilters().AnyAsync(m => m.UserId == subject.UserId)));
    }

    [Fact]
    public async Task Export_ShouldBundleWhatThePlatformHoldsAndAuditTheDownload()
    {
        var owner = await app.RegisterAsync();
        var owners = app.WithToken(owner.Token);
        var (subject, name) = await AddPersonAsync(owner);

        var created = await owners.PostAsJsonAsync("/api/security/data-requests", new { type = "export", subjectEmail = subject.Email });

        await Api.ExpectAsync(created, HttpStatusCode.Created);
        var body = await created.JsonAsync();
        Assert.Equal("completed", body.GetProperty("status").GetString());
        Assert.Equal(subject.UserId, body.GetProperty("subjectUserId").GetString());
        var download = await owners.GetAsync(body.GetProperty("downloadUrl").GetString());
        await Api.ExpectAsync(download, HttpStatusCode.OK);
        var bundle = await download.JsonAsync();
        var sections = bundle.GetProperty("sections");
        Assert.Equal(name, sections.GetProperty("account").GetProperty("user").GetProperty("name").GetString());
        Assert.Equal("member", sections.GetProperty("organization").GetProperty("membership").GetProperty("role").GetString(), ignoreCase: true);
        Assert.True(sections.GetProperty("auditTrail").GetArrayLength() > 0);
        Assert.Equal(1, sections.GetProperty("messages").GetArrayLength()); // the invitation email
        var actions = await app.WithDbAsync(db => db.AuditEntries.Where(e => e.OrganizationId == owner.OrganizationId && e.Action.StartsWith("data_request.")).ToListAsync());
        Assert.Equal(["data_request.completed", "data_request.downloaded"], actions.Select(a => a.Action).Order());
        Assert.All(actions, a => Assert.DoesNotContain(subject.Email, a.Data ?? ""));
        var list = await (await owners.GetAsync("/api/security/data-requests")).JsonAsync();
        Assert.Single(list.GetProperty("items").EnumerateArray());
        // The request stores only a keyed digest of the email.
        Assert.DoesNotContain(subject.Email, (await app.WithDbAsync(db => db.Set<DataRequest>().IgnoreQueryFilters().SingleAsync(r => r.OrganizationId == owner.OrganizationId))).SubjectDigest);
    }

    [Fact]
    public async Task Create_WithBadInput_ShouldAnswerProblems()
    {
        var owner = await app.RegisterAsync();
        var owners = app.WithToken(owner.Token);
        var admin = await app.AddMemberAsync(owner, "admin");

        var bad = await owners.PostAsJsonAsync("/api/security/data-requests", new { type = "purge", subjectEmail = "not an email" });

        var errors = (await Api.ExpectProblemAsync(bad, HttpStatusCode.BadRequest, "validation_failed")).GetProperty("errors");
        Assert.True(errors.TryGetProperty("type", out _));
        Assert.True(errors.TryGetProperty("subjectEmail", out _));
        await Api.ExpectProblemAsync(await owners.PostAsJsonAsync("/api/security/data-requests", new { type = "delete", subjectEmail = owner.Email }), HttpStatusCode.Conflict, "cannot_erase_yourself");
        await Api.ExpectProblemAsync(await app.WithToken(admin.Token).PostAsJsonAsync("/api/security/data-requests", new { type = "delete", subjectEmail = owner.Email }), HttpStatusCode.Conflict, "last_owner");
        await Api.ExpectProblemAsync(await owners.GetAsync("/api/security/data-requests/dreq_01jzzzzzzzzzzzzzzzzzzzzzzz"), HttpStatusCode.NotFound);
        Assert.False(await app.WithDbAsync(db => db.Set<DataRequest>().IgnoreQueryFilters().AnyAsync(r => r.OrganizationId == owner.OrganizationId)));
    }

    /// <summary>A member with a name nobody else has, so that a scan for it means something.</summary>
    private async Task<(Account Account, string Name)> AddPersonAsync(Account owner)
    {
        var name = "Quintessa Vantablack " + Guid.NewGuid().ToString("N")[..8];
        var email = Api.UniqueEmail("subject");
        var invite = await app.WithToken(owner.Token).PostAsJsonAsync($"/api/organizations/{owner.OrganizationId}/invitations", new { email, role = "member" });
        await Api.ExpectAsync(invite, HttpStatusCode.Created);
        var token = (await invite.JsonAsync()).GetProperty("token").GetString();
        var accept = await app.Anonymous().PostAsJsonAsync("/api/invitations/accept", new { token, name, password = Api.Password });
        await Api.ExpectAsync(accept, HttpStatusCode.OK);
        var body = await accept.JsonAsync();
        return (new Account(body.GetProperty("token").GetString()!, body.GetProperty("userId").GetString()!, owner.OrganizationId, email, Api.Password), name);
    }

    private async Task SealAsync()
    {
        while (await app.Services.GetRequiredService<AuditChainSealer>().SealPendingAsync(CancellationToken.None) > 0) { }
    }

    /// <summary>Every text column of every table of the model, searched case-insensitively with plain SQL.</summary>
    private Task<int> CountTracesAsync(string text) => app.WithDbAsync(async db =>
    {
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync();
        var found = 0;
        foreach (var table in db.Model.GetRelationalModel().Tables)
            foreach (var column in table.Columns.Where(c => c.ProviderClrType == typeof(string)))
            {
                await using DbCommand command = connection.CreateCommand();
                var name = table.Schema is null ? $"\"{table.Name}\"" : $"\"{table.Schema}\".\"{table.Name}\"";
                command.CommandText = $"SELECT COUNT(*) FROM {name} WHERE lower(\"{column.Name}\") LIKE @pattern";
                var parameter = command.CreateParameter();
                parameter.ParameterName = "@pattern";
                parameter.Value = "%" + text.ToLowerInvariant() + "%";
                command.Parameters.Add(parameter);
                found += Convert.ToInt32(await command.ExecuteScalarAsync());
            }
        return found;
    });
}
