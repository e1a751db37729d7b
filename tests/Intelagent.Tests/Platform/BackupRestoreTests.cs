using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Intelagent.Server.Security.Audit;
using Intelagent.Tests.Billing;
using Intelagent.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Intelagent.Tests.Platform;

public sealed class BackupRestoreTestsOnSqlite() : BackupRestoreTests(new SqliteScratch());
public sealed class BackupRestoreTestsOnPostgres() : BackupRestoreTests(new PostgresScratch());

/// <summary>
/// The restore drill: data made through the API, a backup taken by the real command while the
/// platform runs, the database lost, the backup restored, and the platform started on it answering
/// with the same data and an audit chain that still verifies.
/// </summary>
public abstract class BackupRestoreTests(ScratchDatabases databases) : IAsyncLifetime
{
    private sealed record Snapshot(string Organization, string[] Members, string[] Projects, string[] Invoices, int AuditEntries);

    [Fact]
    public async Task Restore_AfterTheDatabaseIsLost_ShouldAnswerWithTheSameDataAndAVerifiedAuditChain()
    {
        var url = await databases.CreateAsync();
        var backupFile = Path.Combine(databases.DataDirectory, "drill.backup");
        Account owner;
        Snapshot before;
        var original = new DatabaseApp(url);
        try
        {
            await original.InitializeAsync();
            owner = await original.RegisterAsync(organizationName: "Drill Co " + databases.Provider);
            await original.AddMemberAsync(owner, "member");
            await original.AddMemberAsync(owner, "viewer");
            foreach (var name in new[] { "Restore rehearsal", "Disaster plan" })
                await Api.ExpectAsync(await original.WithToken(owner.Token).PostAsJsonAsync($"/api/organizations/{owner.OrganizationId}/projects", new { name }), HttpStatusCode.Created);
            await original.SubscribeAsync(owner, BillingApi.PlatformBasic);
            before = await SnapshotAsync(original, owner, owner.Token);
            Assert.Equal(3, before.Members.Length);
            Assert.Equal(2, before.Projects.Length);
            Assert.NotEmpty(before.Invoices);

            // Online: the platform is still running while the backup is taken.
            var backup = await CliAsync(url, "backup", "--output", backupFile);
            Assert.True(backup.ExitCode == 0, backup.ToString());
            Assert.Contains("schema migration", backup.Error);
            Assert.True(new FileInfo(backupFile).Length > 0);
        }
        finally
        {
            await original.DisposeAsync();
        }

        await databases.DropAsync(url);
        var restore = await CliAsync(url, "restore", "--input", backupFile);
        Assert.True(restore.ExitCode == 0, restore.ToString());

        var restored = new DatabaseApp(url);
        try
        {
            await restored.InitializeAsync();
            var token = await restored.LoginAsync(owner.Email, owner.Password);
            var after = await SnapshotAsync(restored, owner, token);
            AssertSameData(before, after);
            Assert.True(after.AuditEntries >= before.AuditEntries, $"{after.AuditEntries} audit entries verified after the restore, {before.AuditEntries} before");
        }
        finally
        {
            await restored.DisposeAsync();
        }
    }

    [Fact]
    public async Task Restore_WithoutForceOntoADatabaseWithData_ShouldFailAndChangeNothing_AndWithForceReplaceIt()
    {
        var url = await databases.CreateAsync();
        var backupFile = Path.Combine(databases.DataDirectory, "refused.backup");
        var app = new DatabaseApp(url);
        try
        {
            await RefuseAsync(app, url, backupFile);
        }
        finally
        {
            await app.DisposeAsync();
        }
        const string madeAfter = "SELECT COUNT(*) FROM \"Projects\" WHERE \"Name\" = 'Made after the backup'";
        Assert.Equal(1, await databases.CountAsync(url, madeAfter));

        var forced = await CliAsync(url, "restore", "--input", backupFile, "--force");

        Assert.True(forced.ExitCode == 0, forced.ToString());
        Assert.Equal(0, await databases.CountAsync(url, madeAfter));
        Assert.Equal(1, await databases.CountAsync(url, "SELECT COUNT(*) FROM \"Organizations\" WHERE \"Name\" = 'Refusal Co'"));
    }

    private async Task RefuseAsync(DatabaseApp app, string url, string backupFile)
    {
        await app.InitializeAsync();
        var owner = await app.RegisterAsync(organizationName: "Refusal Co");
        var backup = await CliAsync(url, "backup", "--output", backupFile);
        Assert.True(backup.ExitCode == 0, backup.ToString());
        // Made after the backup: a restore would take it away.
        var created = await app.WithToken(owner.Token).PostAsJsonAsync($"/api/organizations/{owner.OrganizationId}/projects", new { name = "Made after the backup" });
        await Api.ExpectAsync(created, HttpStatusCode.Created);
        var before = await SnapshotAsync(app, owner, owner.Token);

        var restore = await CliAsync(url, "restore", "--input", backupFile);

        Assert.True(restore.ExitCode == 1, restore.ToString());
        Assert.Contains("not empty", restore.Error);
        Assert.Contains("--force", restore.Error);
        Assert.DoesNotContain("   at ", restore.Error); // one line, no stack trace
        var after = await SnapshotAsync(app, owner, owner.Token);
        AssertSameData(before, after);
        Assert.Contains(after.Projects, p => p.EndsWith("Made after the backup", StringComparison.Ordinal));
    }

    private static void AssertSameData(Snapshot expected, Snapshot actual)
    {
        Assert.Equal(expected.Organization, actual.Organization);
        Assert.Equal(expected.Members, actual.Members);
        Assert.Equal(expected.Projects, actual.Projects);
        Assert.Equal(expected.Invoices, actual.Invoices);
    }

    private Task<CliRun> CliAsync(string url, params string[] arguments) =>
        ServerCli.RunAsync(url, databases.DataDirectory, null, null, arguments);

    /// <summary>What a client sees: ids, names, roles, invoice numbers and totals, and the verified length of the audit chain.</summary>
    private static async Task<Snapshot> SnapshotAsync(TestApp app, Account owner, string token)
    {
        var client = app.WithToken(token, owner.OrganizationId);
        var organization = await GetAsync(client, $"/api/organizations/{owner.OrganizationId}");
        var members = await GetAsync(client, $"/api/organizations/{owner.OrganizationId}/members");
        var projects = await GetAsync(client, $"/api/organizations/{owner.OrganizationId}/projects");
        var invoices = await GetAsync(client, "/api/financial/invoices");
        await app.Services.GetRequiredService<AuditChainSealer>().SealPendingAsync(CancellationToken.None);
        var verification = await GetAsync(client, "/api/security/audit-logs/verify");
        Assert.True(verification.GetProperty("verified").GetBoolean(), verification.ToString());
        return new Snapshot(
            $"{organization.GetProperty("id")} {organization.GetProperty("name")}",
            [.. members.GetProperty("items").EnumerateArray().Select(m => $"{m.GetProperty("userId")} {m.GetProperty("email")} {m.GetProperty("role")}").Order()],
            [.. projects.GetProperty("items").EnumerateArray().Select(p => $"{p.GetProperty("id")} {p.GetProperty("name")}").Order()],
            [.. invoices.GetProperty("items").EnumerateArray().Select(i => $"{i.GetProperty("id")} {i.GetProperty("number")} {i.GetProperty("total")} {i.GetProperty("status")}").Order()],
            verification.GetProperty("entriesChecked").GetInt32());
    }

    private static async Task<JsonElement> GetAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        await Api.ExpectAsync(response, HttpStatusCode.OK);
        return await response.JsonAsync();
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await databases.DisposeAsync();
}
