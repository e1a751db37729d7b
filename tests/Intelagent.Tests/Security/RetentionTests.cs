using System.Net;
using System.Net.Http.Json;
using Intelagent.Server.Platform.Auditing;
using Intelagent.Server.Realtime;
using Intelagent.Server.Security.Audit;
using Intelagent.Server.Security.Retention;
using Intelagent.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Intelagent.Tests.Security;

public sealed class RetentionTestsOnSqlite(SqliteApp app) : RetentionTests<SqliteApp>(app);
public sealed class RetentionTestsOnPostgres(PostgresApp app) : RetentionTests<PostgresApp>(app);

public abstract class RetentionTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : TestApp
{
    [Fact]
    public async Task Get_ShouldListEveryCategoryKeptIndefinitelyByDefault()
    {
        var owner = await app.RegisterAsync();

        var body = await (await app.WithToken(owner.Token).GetAsync("/api/security/retention")).JsonAsync();

        var policies = body.GetProperty("policies").EnumerateArray().ToList();
        Assert.Equal(["audit_entries", "usage", "notifications", "activity", "product_events", "invoices"], policies.Select(p => p.GetProperty("category").GetString()));
        Assert.All(policies, p => Assert.Equal(System.Text.Json.JsonValueKind.Null, p.GetProperty("days").ValueKind));
        Assert.Equal(3650, policies.Single(p => p.GetProperty("category").GetString() == "invoices").GetProperty("minimumDays").GetInt32());
    }

    [Fact]
    public async Task Put_ShouldSaveAuditAndAllowRemovingAPolicy()
    {
        var owner = await app.RegisterAsync();
        var client = app.WithToken(owner.Token);

        var response = await client.PutAsJsonAsync("/api/security/retention", new { policies = new object[] { new { category = "notifications", days = 30 }, new { category = "invoices", days = 3650 } } });

        await Api.ExpectAsync(response, HttpStatusCode.OK);
        var rows = await app.WithDbAsync(db => db.Set<RetentionPolicy>().OrderBy(p => p.Category).ToListAsync(), owner.OrganizationId);
        Assert.Equal([("invoices", 3650), ("notifications", 30)], rows.Select(r => (r.Category, r.Days)));
        Assert.Equal(2, await app.WithDbAsync(db => db.AuditEntries.CountAsync(e => e.OrganizationId == owner.OrganizationId && e.Action == "retention_policy.created")));

        await Api.ExpectAsync(await client.PutAsJsonAsync("/api/security/retention", new { policies = new[] { new { category = "notifications", days = (int?)null } } }), HttpStatusCode.OK);
        Assert.Equal("invoices", (await app.WithDbAsync(db => db.Set<RetentionPolicy>().SingleAsync(), owner.OrganizationId)).Category);
    }

    [Fact]
    public async Task Put_InvoicesShorterThanTenYears_ShouldBeRefusedWith422()
    {
        var owner = await app.RegisterAsync();

        var response = await app.WithToken(owner.Token).PutAsJsonAsync("/api/security/retention", new { policies = new[] { new { category = "invoices", days = 3649 } } });

        await Api.ExpectProblemAsync(response, HttpStatusCode.UnprocessableEntity, "below_legal_minimum");
        Assert.False(await app.WithDbAsync(db => db.Set<RetentionPolicy>().AnyAsync(), owner.OrganizationId));
    }

    [Fact]
    public async Task Put_WithBadInput_ShouldAnswer400PerField()
    {
        var owner = await app.RegisterAsync();
        var client = app.WithToken(owner.Token);

        var response = await client.PutAsJsonAsync("/api/security/retention", new
        {
            policies = new object[] { new { category = "bogus", days = 5 }, new { category = "notifications", days = 0 }, new { category = "audit_entries", days = 7 }, new { category = "notifications", days = 9 } },
        });

        var errors = (await Api.ExpectProblemAsync(response, HttpStatusCode.BadRequest, "validation_failed")).GetProperty("errors");
        foreach (var field in new[] { "policies[0].category", "policies[1].days", "policies[2].days", "policies[3].category" }) Assert.True(errors.TryGetProperty(field, out _), field);
        await Api.ExpectProblemAsync(await client.PutAsJsonAsync("/api/security/retention", new { }), HttpStatusCode.BadRequest, "validation_failed");
        await Api.ExpectProblemAsync(await client.GetAsync("/api/security/retention/preview?bogus=3"), HttpStatusCode.BadRequest, "validation_failed");
        await Api.ExpectProblemAsync(await client.GetAsync("/api/security/retention/preview?notifications=soon"), HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task PreviewAndEnforcement_ShouldRemoveExactlyWhatIsOlderThanThePolicy()
    {
        var owner = await app.RegisterAsync();
        var client = app.WithToken(owner.Token);
        await AddNotificationsAsync(owner, ageDays: 40, count: 3);
        await AddNotificationsAsync(owner, ageDays: 10, count: 2);

        var preview = await (await client.GetAsync("/api/security/retention/preview?notifications=30")).JsonAsync();
        Assert.Equal(3, Category(preview, "notifications").GetProperty("wouldDelete").GetInt64());
        var nothingStored = await (await client.GetAsync("/api/security/retention/preview")).JsonAsync();
        Assert.Equal(0, nothingStored.GetProperty("total").GetInt64());

        await Api.ExpectAsync(await client.PutAsJsonAsync("/api/security/retention", new { policies = new[] { new { category = "notifications", days = 30 } } }), HttpStatusCode.OK);
        Assert.Equal(3, Category(await (await client.GetAsync("/api/security/retention/preview")).JsonAsync(), "notifications").GetProperty("wouldDelete").GetInt64());
        await EnforceAsync();

        Assert.Equal(2, await app.WithDbAsync(db => db.Notifications.CountAsync(), owner.OrganizationId));
        var entry = await app.WithDbAsync(db => db.AuditEntries.SingleAsync(e => e.OrganizationId == owner.OrganizationId && e.Action == "retention.enforced"));
        Assert.Contains("\"notifications\":3", entry.Data);
        app.Clock.Advance(TimeSpan.FromDays(21));
        await EnforceAsync();
        Assert.Equal(0, await app.WithDbAsync(db => db.Notifications.CountAsync(), owner.OrganizationId));
    }

    [Fact]
    public async Task AuditRetention_ShouldPurgeThroughACheckpointSoTheChainStillVerifies()
    {
        var owner = await app.RegisterAsync();
        var client = app.WithToken(owner.Token);
        await Api.ExpectAsync(await client.PostAsJsonAsync($"/api/organizations/{owner.OrganizationId}/teams", new { name = "Old team" }), HttpStatusCode.Created);
        await Api.ExpectAsync(await client.PutAsJsonAsync("/api/security/retention", new { policies = new[] { new { category = "audit_entries", days = 30 } } }), HttpStatusCode.OK);
        await SealAsync();
        var old = await app.WithDbAsync(db => db.AuditEntries.CountAsync(e => e.OrganizationId == owner.OrganizationId));
        app.Clock.Advance(TimeSpan.FromDays(31));
        var token = await app.LoginAsync(owner.Email, owner.Password);
        client = app.WithToken(token);
        Assert.Equal(old, Category(await (await client.GetAsync("/api/security/retention/preview")).JsonAsync(), "audit_entries").GetProperty("wouldDelete").GetInt64());

        await EnforceAsync();
        await SealAsync();

        var remaining = await app.WithDbAsync(db => db.AuditEntries.Where(e => e.OrganizationId == owner.OrganizationId).Select(e => e.Action).ToListAsync());
        Assert.DoesNotContain("team.created", remaining);
        Assert.Contains("retention.enforced", remaining);
        Assert.Equal(old, await app.WithDbAsync(db => db.Set<AuditCheckpoint>().Where(c => c.Chain == owner.OrganizationId).SumAsync(c => c.PurgedEntries)));
        var verify = await (await client.GetAsync("/api/security/audit-logs/verify")).JsonAsync();
        Assert.True(verify.GetProperty("verified").GetBoolean(), verify.ToString());
    }

    private static System.Text.Json.JsonElement Category(System.Text.Json.JsonElement preview, string code) =>
        preview.GetProperty("categories").EnumerateArray().Single(c => c.GetProperty("category").GetString() == code);

    private Task<int> AddNotificationsAsync(Account owner, int ageDays, int count) => app.WithDbAsync(async db =>
    {
        for (var i = 0; i < count; i++)
            db.Notifications.Add(new Notification
            {
                Id = Intelagent.Server.Platform.Ids.Id.New("ntf", db.Clock),
                OrganizationId = owner.OrganizationId,
                UserId = owner.UserId,
                Type = "test",
                Title = "Old news",
                CreatedAt = db.Clock.GetUtcNow().AddDays(-ageDays),
            });
        return await db.SaveChangesAsync();
    });

    private async Task EnforceAsync()
    {
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<RetentionEnforcementJob>().RunAsync(CancellationToken.None);
    }

    private async Task SealAsync()
    {
        while (await app.Services.GetRequiredService<AuditChainSealer>().SealPendingAsync(CancellationToken.None) > 0) { }
    }
}
