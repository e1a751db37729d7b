using System.Net;
using System.Net.Http.Json;
using Intelagent.Server.Platform.Auditing;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Ids;
using Intelagent.Server.Security.Audit;
using Intelagent.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Intelagent.Tests.Security;

public sealed class AuditChainTestsOnSqlite(SqliteApp app) : AuditChainTests<SqliteApp>(app);
public sealed class AuditChainTestsOnPostgres(PostgresApp app) : AuditChainTests<PostgresApp>(app);

/// <summary>The tamper-evident chain: sealing after commit, verification, and retention checkpoints.</summary>
public abstract class AuditChainTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : TestApp
{
    [Fact]
    public async Task Verify_WhenNothingWasTouched_ShouldCheckEveryEntryOfTheOrganizationInOrder()
    {
        var owner = await OrganizationWithTeamsAsync(3);

        var result = await VerifyAsync(owner);

        var entries = await SealedAsync(owner.OrganizationId);
        Assert.True(result.GetProperty("verified").GetBoolean(), result.ToString());
        Assert.Equal(entries.Count, result.GetProperty("entriesChecked").GetInt32());
        Assert.Equal(Enumerable.Range(1, entries.Count).Select(i => (long)i), entries.Select(e => e.Sequence!.Value));
        Assert.Null(entries[0].PreviousHash);
        for (var i = 1; i < entries.Count; i++) Assert.Equal(entries[i - 1].Hash, entries[i].PreviousHash);
        // Personal data is covered by keyed digests, not by itself.
        Assert.All(entries.Where(e => e.Data is not null), e => Assert.Equal(64, e.DataDigest!.Length));
    }

    [Fact]
    public async Task Verify_WhenAnEntrysActionIsEditedInTheDatabase_ShouldNameThatEntry()
    {
        var owner = await OrganizationWithTeamsAsync(3);
        var victim = (await SealedAsync(owner.OrganizationId))[3];

        await app.WithDbAsync(db => db.AuditEntries.Where(e => e.Id == victim.Id).ExecuteUpdateAsync(s => s.SetProperty(e => e.Action, "team.viewed")));

        var result = await VerifyAsync(owner);
        Assert.False(result.GetProperty("verified").GetBoolean());
        Assert.Equal(victim.Id, result.GetProperty("firstBrokenEntryId").GetString());
        Assert.Equal(3, result.GetProperty("entriesChecked").GetInt32());
        Assert.Contains("altered", result.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Verify_WhenAnEntrysDataIsEditedInTheDatabase_ShouldNameThatEntry()
    {
        var owner = await OrganizationWithTeamsAsync(2);
        var victim = (await SealedAsync(owner.OrganizationId)).Last(e => e.Action == "team.created");

        await app.WithDbAsync(db => db.AuditEntries.Where(e => e.Id == victim.Id).ExecuteUpdateAsync(s => s.SetProperty(e => e.Data, "{\"name\":\"Innocent\"}")));

        var result = await VerifyAsync(owner);
        Assert.False(result.GetProperty("verified").GetBoolean());
        Assert.Equal(victim.Id, result.GetProperty("firstBrokenEntryId").GetString());
        Assert.Contains("data", result.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Verify_AfterPersonalDataIsErased_ShouldStillVerifyAndCountTheRedaction()
    {
        var owner = await OrganizationWithTeamsAsync(2);
        var erased = (await SealedAsync(owner.OrganizationId)).Last(e => e.Data is not null);

        await app.WithDbAsync(db => db.AuditEntries.Where(e => e.Id == erased.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.Data, (string?)null).SetProperty(e => e.Ip, (string?)null).SetProperty(e => e.UserAgent, (string?)null)));

        var result = await VerifyAsync(owner);
        Assert.True(result.GetProperty("verified").GetBoolean(), result.ToString());
        Assert.Equal(1, result.GetProperty("redactedEntries").GetInt32());
    }

    [Fact]
    public async Task Verify_WhenAnEntryIsDeleted_ShouldNameTheEntryAfterTheGap()
    {
        var owner = await OrganizationWithTeamsAsync(3);
        var entries = await SealedAsync(owner.OrganizationId);

        await app.WithDbAsync(db => db.AuditEntries.Where(e => e.Id == entries[2].Id).ExecuteDeleteAsync());

        var result = await VerifyAsync(owner);
        Assert.False(result.GetProperty("verified").GetBoolean());
        Assert.Equal(entries[3].Id, result.GetProperty("firstBrokenEntryId").GetString());
        Assert.Contains("missing", result.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Verify_WhenTheLastEntryIsDeleted_ShouldReportTheMissingTail()
    {
        var owner = await OrganizationWithTeamsAsync(2);
        var entries = await SealedAsync(owner.OrganizationId);

        var last = entries[^1].Id;
        await app.WithDbAsync(db => db.AuditEntries.Where(e => e.Id == last).ExecuteDeleteAsync());

        var result = await VerifyAsync(owner);
        Assert.False(result.GetProperty("verified").GetBoolean());
        Assert.Contains("end of the chain", result.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Verify_WhenTwoEntriesAreReordered_ShouldNameTheEntryOutOfPlace()
    {
        var owner = await OrganizationWithTeamsAsync(3);
        var entries = await SealedAsync(owner.OrganizationId);
        var (first, second) = (entries[2], entries[3]);

        await app.WithDbAsync(async db =>
        {
            await db.AuditEntries.Where(e => e.Id == first.Id).ExecuteUpdateAsync(s => s.SetProperty(e => e.Sequence, -1L));
            await db.AuditEntries.Where(e => e.Id == second.Id).ExecuteUpdateAsync(s => s.SetProperty(e => e.Sequence, first.Sequence));
            return await db.AuditEntries.Where(e => e.Id == first.Id).ExecuteUpdateAsync(s => s.SetProperty(e => e.Sequence, second.Sequence));
        });

        var result = await VerifyAsync(owner);
        Assert.False(result.GetProperty("verified").GetBoolean());
        Assert.Equal(second.Id, result.GetProperty("firstBrokenEntryId").GetString());
        Assert.Contains("predecessor", result.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Purge_ShouldLeaveACheckpointFromWhichTheRestStillVerifies_AndAForgedCheckpointShouldNot()
    {
        var owner = await OrganizationWithTeamsAsync(2);
        app.Clock.Advance(TimeSpan.FromDays(10));
        owner = owner with { Token = await app.LoginAsync(owner.Email, owner.Password) };
        await Api.ExpectAsync(await app.WithToken(owner.Token).PostAsJsonAsync($"/api/organizations/{owner.OrganizationId}/teams", new { name = "Recent" }), HttpStatusCode.Created);
        await SealAsync();
        var cutoff = app.Clock.GetUtcNow().AddDays(-5);
        var old = (await SealedAsync(owner.OrganizationId)).Where(e => e.At < cutoff).ToList();

        AuditPurgeResult purge;
        await using (var scope = app.Services.CreateAsyncScope())
            purge = await scope.ServiceProvider.GetRequiredService<AuditRetention>().PurgeBeforeAsync(owner.OrganizationId, cutoff, CancellationToken.None);

        Assert.Equal(old.Count, purge.PurgedEntries);
        Assert.Equal(old[^1].Sequence, purge.CheckpointSequence);
        await SealAsync();
        var remaining = await SealedAsync(owner.OrganizationId);
        Assert.DoesNotContain(remaining, e => e.At < cutoff);
        Assert.Contains(remaining, e => e.Action == "audit.purged");
        var result = await VerifyAsync(owner);
        Assert.True(result.GetProperty("verified").GetBoolean(), result.ToString());
        Assert.Equal(remaining.Count, result.GetProperty("entriesChecked").GetInt32());
        Assert.Equal(purge.CheckpointSequence, result.GetProperty("checkpointSequence").GetInt64());

        // Moving the checkpoint forward to hide the next entry needs the key it was signed with.
        await app.WithDbAsync(db => db.AuditEntries.Where(e => e.Id == remaining[0].Id).ExecuteDeleteAsync());
        await app.WithDbAsync(db => db.Set<AuditCheckpoint>().Where(c => c.Chain == owner.OrganizationId)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Sequence, remaining[0].Sequence!.Value).SetProperty(c => c.Hash, remaining[0].Hash!)));
        var forged = await VerifyAsync(owner);
        Assert.False(forged.GetProperty("verified").GetBoolean());
        Assert.Contains("checkpoint", forged.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Sealing_WhenSeveralSealersRunAtOnce_ShouldNeverForkTheChain()
    {
        var owner = await app.RegisterAsync();
        await SealAsync();
        await app.WithDbAsync(db =>
        {
            for (var i = 0; i < 300; i++)
                db.AuditEntries.Add(new AuditEntry { Id = Id.New(IdPrefix.Audit, app.Clock), OrganizationId = owner.OrganizationId, Action = "test.written", At = app.Clock.GetUtcNow(), Data = $"{{\"i\":{i}}}" });
            return db.SaveChangesAsync();
        });
        // Three nodes' sealers over one database (plus this node's own background sealer).
        var sealers = Enumerable.Range(0, 3).Select(_ => ActivatorUtilities.CreateInstance<AuditChainSealer>(app.Services)).ToList();

        await Task.WhenAll(sealers.Select(s => Task.Run(() => s.SealPendingAsync(CancellationToken.None))));
        await SealAsync();

        var entries = await SealedAsync(owner.OrganizationId);
        Assert.Equal(0, await app.WithDbAsync(db => db.AuditEntries.CountAsync(e => e.OrganizationId == owner.OrganizationId && e.Sequence == null)));
        Assert.Equal(Enumerable.Range(1, entries.Count).Select(i => (long)i), entries.Select(e => e.Sequence!.Value));
        Assert.True((await VerifyAsync(owner)).GetProperty("verified").GetBoolean());
    }

    private async Task<Account> OrganizationWithTeamsAsync(int teams)
    {
        var owner = await app.RegisterAsync();
        for (var i = 0; i < teams; i++)
            await Api.ExpectAsync(await app.WithToken(owner.Token).PostAsJsonAsync($"/api/organizations/{owner.OrganizationId}/teams", new { name = $"Team {i}", description = "Handles \"tier 1\", politely" }), HttpStatusCode.Created);
        await SealAsync();
        return owner;
    }

    private async Task SealAsync() => await app.Services.GetRequiredService<AuditChainSealer>().SealPendingAsync(CancellationToken.None);

    private Task<List<AuditEntry>> SealedAsync(string organizationId) =>
        app.WithDbAsync(db => db.AuditEntries.AsNoTracking().Where(e => e.OrganizationId == organizationId && e.Sequence != null).OrderBy(e => e.Sequence).ToListAsync());

    private async Task<System.Text.Json.JsonElement> VerifyAsync(Account owner)
    {
        var response = await app.WithToken(owner.Token, owner.OrganizationId).GetAsync("/api/security/audit-logs/verify");
        await Api.ExpectAsync(response, HttpStatusCode.OK);
        return await response.JsonAsync();
    }
}
